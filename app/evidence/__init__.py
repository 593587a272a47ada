"""Evidence a recipient can check without trusting the owner (issue 10 §3–4).

``signing``   the vault's Ed25519 signing key: created at first use, stored only inside
              the encrypted database, its public half and fingerprint in the ledger
``manifest``  signing and checking a bundle's manifest.json (detached manifest.sig)
``pdfsign``   the dossier PDF's PAdES signature (pyHanko)
``tsp``       RFC 3161 requests, responses and offline token verification
``anchors``   timestamp anchors of seals and exports: the queue, the ledger events, verify
"""
