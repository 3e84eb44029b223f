"""Verdicts outside the kernel, piece by piece (issue #13): what a check sends, how the grader
reads and judges it, what of a test cell reaches the student's kernel, and the messages."""
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pytest

from autograder import observations, pipeline
from autograder.results import CellResult
from nnref import checks
from nnref.observations import Opaque, decode, encode


@pytest.mark.parametrize("value", [None, True, 3, 2.5, float("nan"), "text", [1, 2], (1, 2.0), {"W": 1},
                                   np.float32(1.5), np.int64(7), np.arange(6.0).reshape(2, 3),
                                   np.array([True, False]), {"W1": np.ones((2, 2), np.float32)}])
def test_values_come_back_as_they_were_sent(value):
    back = decode(encode(value))
    assert type(back) is type(value)
    if isinstance(value, dict):
        assert back.keys() == value.keys() and all(np.array_equal(back[k], value[k]) for k in value)
    else:
        assert np.array_equal(back, value, equal_nan=isinstance(value, float))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype


def test_what_cannot_travel_arrives_as_its_type_and_nothing_runs_when_read():
    class Sneaky:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("student code")
    assert repr(decode(encode(Sneaky()))) == "<a Sneaky>"
    assert isinstance(decode(encode(object())), Opaque)
    pickled = {"npy": "gASVIAAAAAAAAACMCGJ1aWx0aW5zlIwFcHJpbnSUk5SMBWhlbGxvlIWUUpQu"}  # pickle of print("hello")
    assert isinstance(decode(pickled), Opaque)
    assert isinstance(decode({"npy": 1, "json": 2}), Opaque)


def test_the_grader_applies_the_checks_own_rules():
    assert checks.verdict("close", np.array([1.0, 2.0]), np.array([1.0, 2.0]), {"what": "x"}) is None
    message = checks.verdict("close", np.array([1.0, 2.5]), np.array([1.0, 2.0]), {"what": "x", "cause": "why"})
    assert message.startswith("x: expected") and "Usual cause: why" in message
    assert checks.verdict("rel_error", np.array([1.0]), np.array([1.0 + 1e-9]), {"what": "g", "tol": 1e-7}) is None
    assert "a tuple of 3 items" in checks.verdict("close", (1, 2, 3), np.zeros(2), {"what": "out"})


def observation(kind, got, expected=None, **declared):
    return {"kind": kind, "got": encode(got), "expected": encode(expected), "declared": declared}


def test_judge_fails_a_wrong_a_missing_and_a_forged_check():
    reference = [observation("close", 1.0, 1.0, what="first"), observation("equal", 2, 2, what="second")]
    student = [{"kind": o["kind"], "got": o["got"]} for o in reference]
    assert observations.judge(student, reference) == ("passed", "")
    assert observations.judge(student[:1], reference)[0] == "missing"
    assert "second: this check never ran" in observations.judge(student[:1], reference)[1]
    wrong = [student[0], {"kind": "equal", "got": encode(3)}]
    assert observations.judge(wrong, reference)[0] == "failed"
    assert observations.judge(student + student[:1], reference)[0] == "extra"
    swapped = [student[1], student[0]]
    assert observations.judge(swapped, reference)[0] == "missing"


HIDDEN_TEST = '''rng = np.random.default_rng(3)
x = rng.normal(size=(4, 5))
x_before = x.copy()
secret = rng.normal(size=5)
net = make_net(seed=1)
net.params.update({"W": x.copy()})
expected = net.forward(x) + helper(secret)
with without_reference(reference_fn):
    out = student_fn(x)
check_close(out, expected, f"student_fn on {x.shape}", cause="why", rtol=1e-3)
check_equal(x, x_before, "x unchanged")
for name in ("a", "b"):
    ref_value = reference_fn(x)[name]
    check_close(out[name], ref_value, name)
'''


def test_the_students_kernel_gets_no_expected_value_and_the_same_inputs():
    run = observations.student_source(HIDDEN_TEST)
    for gone in ("expected", "x_before", "make_net", "net.params", "ref_value", "why", "1e-3"):
        assert gone not in run, (gone, run)
    # inputs stay, and so does every draw from the rng (its state decides the next input),
    # even one that only feeds an expected value
    for kept in ("x = rng.normal(size=(4, 5))", "secret = rng.normal(size=5)", "out = student_fn(x)",
                 "check_close(out, None, None)", "check_equal(x, None, None)", "check_close(out[name], None, None)"):
        assert kept in run, (kept, run)


def _scored(ename, evalue, hidden=False, reference=(), known=frozenset()):
    cell = {"metadata": {"nncourse_ran": True}, "outputs": [
        {"output_type": "error", "ename": ename, "evalue": evalue}]}
    result = CellResult("test_visible_later", "visible", 1)
    pipeline.score(result, cell, [], None if reference is None else list(reference), hidden=hidden,
                   hidden_lines=["secret_input = np.arange(12.0)"], known_messages=known)
    return result


def test_no_text_the_notebooks_code_wrote_reaches_a_graded_message():
    """A hidden test's source, plain or encoded past any filter, in an exception's message or in
    the name of an exception class of the notebook's own: the student reads neither."""
    import base64
    import zlib
    secret = "secret_input = np.arange(12.0)"
    encoded = base64.b64encode(zlib.compress(secret.encode())).decode()
    for hidden in (False, True):
        for ename, evalue in (("ValueError", f"seen: {secret}"), ("ValueError", encoded), (encoded, "x")):
            result = _scored(ename, evalue, hidden)
            assert result.points == 0 and result.outcome == "failed"
            assert secret not in result.message and encoded not in result.message, result.message
            assert ("ValueError raised" in result.message) == (ename == "ValueError"), result.message
    assert _scored("ValueError", encoded).message == pipeline.VISIBLE_ERROR.format(ename="ValueError")


def test_the_courses_own_message_for_a_withheld_reference_is_shown_word_for_word():
    from nnref.checks import withheld_message
    known = pipeline.withheld_messages({"guarded": {"test_x": ["nnref.layers:affine_forward"]}})
    said = withheld_message("nnref.layers.affine_forward")
    assert _scored("AssertionError", said, known=known).message == f"AssertionError: {said}"
    forged = said.replace("affine_forward", "affine_forward " + "A" * 40)
    assert forged not in _scored("AssertionError", forged, known=known).message


def test_the_self_check_shows_the_error_as_the_students_own_kernel_does():
    result = _scored("AssertionError", "add_bias output: expected 1.0\n  but got 2.0", reference=None)
    assert result.message == "AssertionError: add_bias output: expected 1.0\n  but got 2.0"


def test_a_value_is_quoted_with_a_few_rounded_numbers_and_no_long_text():
    from nnref.checks import _show
    assert _show(np.arange(30.0)) == "array([ 0.,  1., ..., 28., 29.], shape=(30,))"
    assert _show(np.pi) == "3.14159" and _show(np.array([np.pi])) == "array([3.1416])"
    long_text = "H4sIAAAAAAAAA" * 10
    assert long_text not in _show(long_text) and "130 characters" in _show(long_text)
    assert _show({"k" * 50: 1}) == "<a dict of 1 item>" and _show(["a" * 50, "b"]) == "<a list of 2 items>"
    assert _show(None) == "None"


SELF_CONSISTENCY = '''first = init(6, 3, rng=21)
second = init(6, 3, rng=np.random.default_rng(21))
check_equal(first, second, "rng=21 and default_rng(21) give the same weights")
'''


def test_an_expected_value_made_of_the_students_own_values_is_refused():
    """No clean run can say what a second call of the student's function returns, and a value the
    kernel sends as expected is one the student's code can choose: such a cell stops grading."""
    with pytest.raises(observations.UnfitTestCell, match="check_same or check_differ"):
        observations.student_source(SELF_CONSISTENCY, {"init"})
    fixed = SELF_CONSISTENCY.replace("check_equal(first, second,", "check_same(first, second,")
    assert "check_same(first, second, None)" in observations.student_source(fixed, {"init"})


def test_a_message_that_formats_the_students_result_is_refused():
    """The message comes from the source's run: it would show the source's result as the student's
    (lesson 01 once told a student "for AND it returned [0 0 0 1]", the reference's output)."""
    quoting = ("out = perceptron_predict(X, w, b)\n"
               "check_equal(out, expected, f'perceptron_predict on AND: it returned {out}')\n")
    with pytest.raises(observations.UnfitTestCell, match="formats 'out'"):
        observations.student_source(quoting, {"perceptron_predict"})
    # the test's own inputs and labels may be quoted, and so may the function's name as written
    fine = ("for name, init in (('xavier', xavier), ('he', he)):\n"
            "    W = init(4, 3, rng=1)\n"
            "    check_close(W, expected[name], f'{name}(4, 3) with X of shape {X.shape}')\n")
    observations.student_source(fine, {"xavier", "he"})
    spoofable = fine.replace("f'{name}(4, 3)", "f'{init.__name__}(4, 3)")
    with pytest.raises(observations.UnfitTestCell, match="__name__"):
        observations.student_source(spoofable, {"xavier", "he"})


def test_both_values_of_check_same_and_check_differ_stay_in_the_students_kernel():
    cell = ("first = init(5, 4, rng=3)\nsecond = init(5, 4, rng=3)\n"
            "check_same(first, second, 'rng=3 twice', cause='draw from default_rng(rng)')\n"
            "check_differ(init(5, 4, rng=3), init(5, 4, rng=4), 'rng=3 and rng=4')\n"
            "check_structure(first, np.zeros((1, 1)), 'the weights', cause='an array')\n")
    run = observations.student_source(cell, {"init"})
    assert "check_same(first, second, None)" in run and "check_structure(first, None, None)" in run, run
    assert "check_differ(init(5, 4, rng=3), init(5, 4, rng=4), None)" in run, run
    assert "np.zeros" not in run and "default_rng" not in run, run


def test_a_structure_check_sends_arrays_by_dtype_and_shape_only():
    from nnref.observations import ArrayInfo
    big = np.zeros((600, 784), dtype=np.float32)
    sent = encode((big, {"W": big}), shallow=True)
    assert len(str(sent)) < 300
    back = decode(sent)
    assert isinstance(back[0], ArrayInfo) and back[0].dtype == np.float32 and back[0].shape == (600, 784)
    assert checks.verdict("structure", back, (big, {"W": big}), {"what": "cache"}) is None
    assert "expected an array of float64" in checks.verdict("structure", back, (big.astype(float), {"W": big}),
                                                             {"what": "cache"})
    assert isinstance(decode({"array_info": ["|O", [1]]}), Opaque)


def _make_slowly(folder, key, log):
    """One process's wish for the cache's entry ``key``: its make appends a line to ``log``."""
    os.environ["NNCOURSE_CACHE"] = str(folder)

    def make():
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(1.0)  # long enough that the other process asks while this one makes it
        return {"made by": os.getpid()}
    return observations.load_or_make(key, make)


def test_a_cache_entry_two_processes_want_at_once_is_made_once(tmp_path, monkeypatch):
    """Two grading runs on one machine (or the test processes) never run the same source twice at
    once: the second waits for the first's entry and reads it."""
    log = tmp_path / "makes.txt"
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        found = list(pool.map(_make_slowly, [tmp_path] * 2, ["k"] * 2, [log] * 2))
    assert len(log.read_text().split()) == 1, "both processes made the entry: the lock did not hold"
    monkeypatch.setenv("NNCOURSE_CACHE", str(tmp_path))
    assert found[0] == found[1] == observations.load_cached("k")


def test_a_cells_observations_travel_as_one_message_sent_when_the_cell_ends(monkeypatch):
    """A test cell's checks are dozens of observations: they cost the kernel and the grader one
    message per cell, sent when the cell ends, even when it ends in an error."""
    import nbformat
    from autograder import kernel
    from nnref.observations import MIME

    messages = []
    output = kernel.GradingClient.output

    def counted(self, outs, msg, display_id, cell_index):
        if MIME in msg["content"].get("data", {}):
            messages.append(cell_index)
        return output(self, outs, msg, display_id, cell_index)

    monkeypatch.setattr(kernel.GradingClient, "output", counted)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in (
        "import numpy as np\nfrom nnref.checks import check_close",
        "check_close(np.ones(2), None, 'a')\ncheck_close(np.zeros(3), None, 'b')\ncheck_close(1.5, None, 'c')",
        "print('no check here')",
        "check_close(2.5, None, 'd')\nraise ValueError('after the check')")])
    run_kernel = kernel.Kernel(kernel.KernelSpec(time_limit=30, observe="student"))
    try:
        run = run_kernel.run(nb)
    finally:
        run_kernel.close()
    assert run.stopped is None, run.stopped
    assert messages == [1, 3], f"expected one observation message for each cell with checks, got one per {messages}"
    got = {index: [decode(p["got"]) for p in payloads] for index, payloads in run.observed.items()}
    assert sorted(got) == [1, 3] and len(got[1]) == 3 and got[3] == [2.5], got
    assert np.array_equal(got[1][0], np.ones(2)) and np.array_equal(got[1][1], np.zeros(3)) and got[1][2] == 1.5, (
        f"the cell's observations came back out of order or changed: {got[1]}")
