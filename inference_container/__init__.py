"""The SAM age-transformation model, the classic engine and the model server.

This package's top level imports nothing heavy: the job service and the kiosk app
import its torch-free parts (ages, errors, photo, wire, the classic engine).
"""

from booth_core import __version__  # noqa: F401 - one version for every part
