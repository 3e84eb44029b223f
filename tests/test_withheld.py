"""autograder/withheld.py: the audit's copy of nnref, without the assignment's references."""
import importlib.util
import os
import py_compile
import struct
import subprocess
import sys

from autograder import withheld


def test_the_copy_withholds_what_it_names_and_comes_compiled():
    """The named function raises, its neighbours work, and every module has a valid compiled file
    beside it: the audit's kernel, which may not write there, imports it without compiling."""
    root = withheld.package_without(frozenset(["nnref.layers:affine_forward"]))
    stale = []
    for source in (root / "nnref").rglob("*.py"):
        compiled = importlib.util.cache_from_source(str(source))
        try:
            header = open(compiled, "rb").read(16)
        except OSError:
            stale.append(f"{source.name}: no compiled file")
            continue
        stat = source.stat()
        if header[:4] != importlib.util.MAGIC_NUMBER or struct.unpack("<II", header[8:16]) != (
                int(stat.st_mtime) & 0xFFFFFFFF, stat.st_size & 0xFFFFFFFF):
            stale.append(f"{source.name}: compiled file out of date")
    assert stale == [], f"modules of the withheld copy without an up-to-date compiled file: {stale}"
    probe = ("import numpy as np, nnref.layers as L\n"
             "print(L.relu_forward(np.array([-1.0, 2.0]))[0].tolist())\n"
             "try:\n    L.affine_forward(np.ones((1, 2)), np.ones((2, 1)), np.zeros(1))\n"
             "except RuntimeError as err:\n    print('withheld' if 'is withheld' in str(err) else err)\n")
    run = subprocess.run([sys.executable, "-B", "-c", probe], capture_output=True, text=True,
                         env={"PYTHONPATH": str(root), "PATH": ""}, cwd=root)
    assert run.stdout.split() == ["[0.0,", "2.0]", "withheld"], (
        f"expected relu_forward to work and affine_forward to raise 'is withheld' from the copy; got "
        f"{run.stdout!r} {run.stderr[-1000:]!r}")


def test_the_copy_holds_no_compiled_file_of_a_withheld_body():
    """Only this Python's plain compiled files are copied from nnref: an optimized one (python -O
    writes them beside the plain ones) would hold the withheld function's original code."""
    source = withheld.PACKAGE / "layers.py"
    optimized = importlib.util.cache_from_source(str(source), optimization=1)
    made = not os.path.exists(optimized)
    py_compile.compile(str(source), cfile=optimized, optimize=1)
    try:
        root = withheld.package_without(frozenset(["nnref.layers:relu_forward"]))
    finally:
        if made:
            os.remove(optimized)
    tag = f".{sys.implementation.cache_tag}.pyc"
    foreign = sorted(p.name for p in root.rglob("*.pyc") if not p.name.endswith(tag) or ".opt-" in p.name)
    assert foreign == [], f"compiled files in the withheld copy that are not this Python's plain ones: {foreign}"
