"""autograder/plan.py: an assignment's facts derived once, and kept on disk beside the references."""
from autograder import plan as plans
from autograder.plan import make_plan
from fixtures.classroom import ASSIGNMENT, FIXTURE

SOURCE = FIXTURE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def test_a_new_process_reads_the_facts_from_disk(tmp_path, monkeypatch):
    """The first make_plan stores the facts under the source's key; a process that has not derived
    them (``_FACTS`` empty) reads them back, equal, without deriving them; an unreadable file is
    derived again, never an error."""
    monkeypatch.setenv("NNCOURSE_CACHE", str(tmp_path))
    monkeypatch.setattr(plans, "_FACTS", {})
    derived = make_plan(SOURCE, 60)
    stored = plans._facts_path(derived.key)
    assert stored.is_file(), f"expected the facts stored at {stored}"

    def derive(*args):
        raise AssertionError("derived again although the cache holds them")
    monkeypatch.setattr(plans, "_FACTS", {})
    monkeypatch.setattr(plans, "_facts", derive)
    read = make_plan(SOURCE, 60)
    assert (read.tests, read.solution_names, read.warm_modules, read.hidden_lines) == (
        derived.tests, derived.solution_names, derived.warm_modules, derived.hidden_lines)
    assert [t.cell for t in read.tests] == [t.cell for t in derived.tests]

    monkeypatch.undo()
    monkeypatch.setenv("NNCOURSE_CACHE", str(tmp_path))
    monkeypatch.setattr(plans, "_FACTS", {})
    stored.write_bytes(b"not a pickle")
    again = make_plan(SOURCE, 60)
    assert again.tests == derived.tests
    assert plans._cached_facts(derived.key) is not None, "an unreadable file was not replaced by the facts"
