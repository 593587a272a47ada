"""Casefile's data files (fonts, templates, icons, the user guide), installed as ``app.resources``.

This folder stays at the top of the repository; pyproject.toml maps it into the ``app``
package so the wheel carries it and code reads it with ``importlib.resources``
(see ``app/assets.py``), never by walking up from a module's ``__file__``.
"""
