"""The one thing pyproject.toml cannot say: resources/ (kept at the top of the repository by
the design card) is installed as the package ``app.resources``, so the wheel carries the fonts,
templates and icons and the code reads them with importlib.resources (app/assets.py)."""

from pathlib import Path

from setuptools import find_packages, setup

# Every folder of resources/ is a data-only package (app.resources.fonts, …): listing them
# keeps setuptools from warning that it "would ignore" them.
data_packages = [
    "app.resources" + "".join("." + part for part in folder.relative_to("resources").parts)
    for folder in sorted([Path("resources"), *Path("resources").rglob("*")])
    if folder.is_dir() and folder.name != "__pycache__"
]

setup(
    packages=[*find_packages(include=["app", "app.*", "ui", "ui.*"]), *data_packages],
    package_dir={"app.resources": "resources"},
)
