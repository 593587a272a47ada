"""Mail from where it really is: IMAP accounts and fetch (accounts, imap), DKIM/ARC proof (dkim)."""
