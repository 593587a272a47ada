"""The bundled program's entry point: the same ``main`` as the ``casefile`` console script."""

import sys

if __name__ == "__main__" and getattr(sys, "frozen", False):
    # The export's child process (app/dossier/child.py, multiprocessing 'spawn') starts this
    # same executable: freeze_support runs the child there instead of the app or the CLI.
    import multiprocessing

    multiprocessing.freeze_support()

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
