"""The bundled program's entry point: the same ``main`` as the ``casefile`` console script."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
