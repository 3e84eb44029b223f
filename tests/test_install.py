"""The installed packages as a grading kernel sees them: from a folder outside the repository."""
import subprocess
import sys


def test_nnref_is_a_regular_package_from_any_folder(tmp_path):
    """A development venv's editable install once registered nnref as a namespace package:
    from any other folder (every grading kernel's), `import nnref` skipped nnref/__init__.py.
    pyproject's `namespaces = false` rules that out; a fresh install was already right."""
    out = subprocess.run([sys.executable, "-c", "import nnref, autograder; print(nnref.__file__, autograder.__file__)"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert out[0].endswith("nnref/__init__.py") and out[1].endswith("autograder/__init__.py"), (
        f"expected both packages' __init__.py, got {out}: reinstall with `pip install -e .` after "
        f"checking [tool.setuptools.packages.find] namespaces = false in pyproject.toml")
