"""The one thing pyproject.toml cannot say: resources/ (kept at the top of the repository by
the design card) is installed as the package ``app.resources``, so the wheel carries the fonts,
templates and icons and the code reads them with importlib.resources (app/assets.py)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app", "app.*", "ui", "ui.*"]), "app.resources"],
    package_dir={"app.resources": "resources"},
)
