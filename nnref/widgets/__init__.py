"""Self-study widgets, one module a lesson. Each module offers a builder that returns an
ipywidgets widget and a pure update function (tested without a browser)."""
from nnref.fonts import use_hangul_font

use_hangul_font()  # every widget's plot can show Korean text
