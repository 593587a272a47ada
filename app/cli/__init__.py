"""The command line: ``casefile COMMAND ...``. With no arguments, the desktop app starts."""
