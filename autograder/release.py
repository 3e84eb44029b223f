"""Generate the student version of an assignment, nbgrader-style, in-process.

Uses nbgrader's own preprocessors (ClearSolutions, ClearHiddenTests, ClearOutput, LockCells,
ComputeChecksums) so a release means what ``nbgrader generate_assignment`` means, then drops
every notebook-level metadata key but the kernel's (widget state once leaked a solution's
output) and writes stable JSON so that ``--check`` is a byte comparison.
"""
import copy
import shutil
from pathlib import Path

from nbgrader.preprocessors import (ClearHiddenTests, ClearOutput, ClearSolutions,
                                    ComputeChecksums, LockCells)

from . import notebooks

KEPT_METADATA = ("kernelspec", "language_info")
_STEPS = (ClearSolutions, ClearHiddenTests, ClearOutput, LockCells, ComputeChecksums)


def release_notebook(source_nb):
    """The student version of ``source_nb`` (not modified)."""
    nb = copy.deepcopy(source_nb)
    resources = {}
    for step in _STEPS:
        nb, resources = step().preprocess(nb, resources)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata = {k: nb.metadata[k] for k in KEPT_METADATA if k in nb.metadata}
    return nb


def release_files(assignment):
    """{relative path: bytes} of the assignment's release folder, generated from its source."""
    source = assignment.source_dir
    if not assignment.source_notebook.is_file():
        raise FileNotFoundError(f"{assignment.source_notebook} does not exist; write the lesson "
                                f"(course/AUTHORING.md) or remove {assignment.id} from course/course.toml")
    files = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        if any(part in (".ipynb_checkpoints", "__pycache__") for part in rel.parts):
            continue
        if path == assignment.source_notebook:
            nb = release_notebook(notebooks.read(path))
            files[rel.as_posix()] = notebooks.dumps(nb).encode("utf-8")
        else:
            files[rel.as_posix()] = path.read_bytes()
    return files


def write_release(assignment):
    """Replace release/<id>/ with what source/<id>/ generates."""
    target = assignment.release_dir
    files = release_files(assignment)
    if target.exists():
        shutil.rmtree(target)
    for rel, data in files.items():
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return target


def check_release(assignment):
    """The list of differences between release/<id>/ and what source/<id>/ generates (empty: up to date)."""
    expected = release_files(assignment)
    target = assignment.release_dir
    actual = ({p.relative_to(target).as_posix(): p for p in sorted(target.rglob("*")) if p.is_file()}
              if target.is_dir() else {})
    problems = [f"release/{assignment.id}/{rel} is missing" for rel in expected if rel not in actual]
    problems += [f"release/{assignment.id}/{rel} differs from what source/ generates"
                 for rel in expected if rel in actual and Path(actual[rel]).read_bytes() != expected[rel]]
    problems += [f"release/{assignment.id}/{rel} is not generated from source/ (stale file)"
                 for rel in actual if rel not in expected]
    return problems
