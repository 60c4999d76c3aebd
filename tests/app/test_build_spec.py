"""build.spec's choices of what leaves the bundle, checked without running PyInstaller (that takes minutes).

The spec is a PyInstaller script, not a module, so its pure parts (the exclude list, the Qt filter) are
pulled out of its syntax tree and run alone.
"""

import ast
from pathlib import Path, PurePosixPath

import pytest

SPEC = Path(__file__).resolve().parents[2] / "build.spec"
PURE_NAMES = {
    "excludes",
    "QT",
    "QT_IMAGE_FORMATS_KEPT",
    "QT_DROPPED_FOLDERS",
    "QT_DROPPED_PLUGINS",
    "unwanted_qt",
}


@pytest.fixture(scope="module")
def spec() -> dict:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    pure = [
        node
        for node in tree.body
        if (isinstance(node, ast.FunctionDef) and node.name in PURE_NAMES)
        or (isinstance(node, ast.Assign) and {getattr(t, "id", None) for t in node.targets} & PURE_NAMES)
    ]
    namespace = {"PurePosixPath": PurePosixPath}
    exec(compile(ast.Module(body=pure, type_ignores=[]), str(SPEC), "exec"), namespace)  # noqa: S102
    return namespace


def test_heavy_and_test_only_packages_are_excluded(spec):
    for name in ("torch", "torchvision", "scipy", "skimage", "matplotlib", "pytest", "boto3", "tkinter"):
        assert name in spec["excludes"]


def test_what_the_booth_runs_on_is_not_excluded(spec):
    needed = ("cv2", "dlib", "numpy", "PIL", "PySide6", "PySide6.QtWidgets", "starlette", "uvicorn", "httpx")
    for name in needed:
        assert name not in spec["excludes"]
    # tomli_w writes settings with decimal; httpx needs ssl and email's header parsing.
    for name in (
        "decimal",
        "ssl",
        "email",
        "sqlite3",
        "multiprocessing",
        "PIL.JpegImagePlugin",
        "PIL.GifImagePlugin",
    ):
        assert name not in spec["excludes"]


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",  # --tour without a display
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",  # the attract loop's JPEG samples
        "PySide6/Qt/plugins/generic/libqevdevtouchplugin.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libicudata.so.73",
    ],
)
def test_qt_parts_the_booth_loads_stay(spec, dest):
    assert not spec["unwanted_qt"](dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/translations/qt_de.qm",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/imageformats/libqwebp.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
    ],
)
def test_qt_parts_the_booth_never_loads_go(spec, dest):
    assert spec["unwanted_qt"](dest)
