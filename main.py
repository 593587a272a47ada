"""Casefile: ``python main.py`` starts the desktop app; ``python main.py COMMAND`` runs the CLI."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
