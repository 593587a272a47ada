"""Qt item models over the vault's repositories; they hold ids and fetch rows in pages."""
