"""Test-wide settings: no display, and MNIST from ../shared/data unless NNREF_DATA says otherwise."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("NNREF_DATA", str(ROOT.parent / "shared" / "data"))


def pytest_collection_modifyitems(items):
    """The stock-nbgrader comparison runs after the validity harness: it grades the same
    lessons, and the references the harness computed and checked (the source graded as a
    student's notebook) spare it one run of each source. Any order gives the same results."""
    items.sort(key=lambda item: item.path.name == "test_stock_nbgrader.py")
