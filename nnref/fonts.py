"""Hangul in plots. matplotlib's default font (DejaVu Sans) has no Korean glyphs, so a Korean
title or label would come out as empty boxes. ``use_hangul_font`` registers NanumGothic, which
the course's install provides (the PyPI package koreanize-matplotlib ships its .ttf files), and
puts it *after* the current fonts in matplotlib's fallback list (matplotlib >= 3.6): Latin text
and mathtext look exactly as before, and only the glyphs those fonts lack come from NanumGothic.

nnref's plotting (``nnref.viz``, ``nnref.widgets``) calls it on import, so every lesson's plots
can show Korean text.

One limit: in a string that also holds $math$, matplotlib draws the text outside the math with
the first font of the list only, so "손실 $L$" shows boxes. Keep Korean and math in separate
strings, or put the Hangul font first for that figure:
``with plt.rc_context({"font.family": [HANGUL_FONT, "sans-serif"]}): ...``.
"""
import importlib.util
from pathlib import Path

HANGUL_FONT = "NanumGothic"


def hangul_font_file():
    """The path of NanumGothic.ttf in koreanize-matplotlib's package data, or None when the
    package is not installed. The package is located, never imported: importing it would
    replace the whole font family and, before Python 3.12, import distutils."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / f"{HANGUL_FONT}.ttf"
    return path if path.is_file() else None


def use_hangul_font():
    """Register NanumGothic with matplotlib and append it to ``rcParams["font.family"]``.
    Returns True when Hangul can be drawn; False (and nothing changed) when the font file is
    missing, e.g. in an install older than this dependency. Calling it again changes nothing."""
    path = hangul_font_file()
    if path is None:
        return False
    import matplotlib
    from matplotlib import font_manager

    if str(path) not in {entry.fname for entry in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    family = list(matplotlib.rcParams["font.family"])
    if HANGUL_FONT not in family:
        matplotlib.rcParams["font.family"] = family + [HANGUL_FONT]
    return True
