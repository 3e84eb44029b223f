"""Test-wide settings: no display, and MNIST from ../shared/data unless NNREF_DATA says otherwise."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("NNREF_DATA", str(ROOT.parent / "shared" / "data"))
