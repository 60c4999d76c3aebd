"""The one demo photo the parts share: the SAM upgrade times SAM on it, and the kiosk's tour (and its camera
list) shows it when no camera answers.

It is package data of booth_core (pyproject.toml's package data; build.spec collects booth_core's data
files), so an editable install, a plain wheel and the PyInstaller bundle all find it through
importlib.resources. The Lambda zip carries this module (every booth_core .py file) but not the photo,
which nothing there reads.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: A public-domain portrait: scikit-image's `astronaut` (Eileen Collins, NASA), 512 px, JPEG.
DEMO_PORTRAIT = Path(resources.files(__package__) / "demo_portrait.jpg")
