"""Test-wide settings: no display, and MNIST from ../shared/data unless NNREF_DATA says otherwise."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("NNREF_DATA", str(ROOT.parent / "shared" / "data"))
# the variants' secret (autograder/variants.py): one for the whole suite, so that each student of
# a test class has the same variant in every run and in every workspace a test grades it in (set
# here, not taken from the environment: a developer's own secret would move the test classes)
os.environ["NNCOURSE_SECRET"] = "the test suite's secret, not a course's"


def pytest_collection_modifyitems(items):
    """The stock-nbgrader comparison runs after the validity harness: it grades the same
    lessons, and the references the harness computed and checked (the source graded as a
    student's notebook) spare it one run of each source. Any order gives the same results."""
    items.sort(key=lambda item: item.path.name == "test_stock_nbgrader.py")


@pytest.fixture(scope="session")
def e2e_class(tmp_path_factory, worker_id):
    """The end-to-end class graded twice (tests/fixtures/e2e_class.py), once per test run: in the
    folder every test process of the run (pytest-xdist's workers) shares."""
    from fixtures.e2e_class import graded_once
    base = tmp_path_factory.getbasetemp()
    return graded_once((base if worker_id == "master" else base.parent) / "e2e_class")


def pytest_terminal_summary(terminalreporter):
    """What a test that passed when run again said when it failed (tests/browser/conftest.py
    runs a failed browser test once more): the failure and its output, so it is seen."""
    for report in terminalreporter.stats.get("rerun", []):
        terminalreporter.write_sep("_", f"{report.nodeid}: the run that failed before the rerun")
        terminalreporter.write_line(report.longreprtext)
        for title, text in report.sections:
            terminalreporter.write_sep("-", title)
            terminalreporter.write_line(text)
