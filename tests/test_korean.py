"""Korean in the course (issue #18): the lessons' Korean text uses only course/GLOSSARY.md's
house terms, every lesson has a Korean summary right after its English one, the seed map
(course/SEED_MAP.md) names headings that exist, and plots draw Hangul with the font the
course's install provides.

How Korean terms are found in a lesson (the rules GLOSSARY.md states):
* in a Korean summary cell (a markdown cell starting with "## 요약"), every **bold** span that
  contains Hangul is a term;
* in every other markdown cell, Hangul appears only in glosses, "backpropagation (역전파)": the
  text inside a pair of parentheses that contains Hangul is a term, and Hangul outside such
  parentheses is an error.
A term must equal a house term (the first column of GLOSSARY.md's term table), so a lesson
never uses an alternative ("오차역전파법") or a term the glossary lacks.
"""
import json
import logging
import re
import warnings
from pathlib import Path

import pytest

from autograder import glossary

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "course" / "GLOSSARY.md"
SEED_MAP = ROOT / "course" / "SEED_MAP.md"
LESSONS = sorted((ROOT / "source").glob("*/*.ipynb"))

HANGUL = glossary.HANGUL
BOLD = re.compile(r"\*\*(.+?)\*\*")
PARENTHESES = re.compile(r"\(([^()]*)\)")
ENGLISH_SUMMARY = re.compile(r"## (\d+\. )?Summary\b")
KOREAN_SUMMARY = "## 요약"


def house_terms(glossary_text):
    """The first column of the glossary's term tables (rows of five cells)."""
    return [term for term, _ in glossary.rows(glossary_text)]


def markdown_cells(path):
    return ["".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if cell["cell_type"] == "markdown"]


def korean_terms(cells):
    """(terms, stray): the Korean terms of these markdown cells, and Hangul text found outside
    a summary's bold spans or a gloss's parentheses."""
    terms, stray = [], []
    for text in cells:
        if text.startswith(KOREAN_SUMMARY):
            terms += [span for span in BOLD.findall(text) if HANGUL.search(span)]
            continue
        glosses = [inner for inner in PARENTHESES.findall(text) if HANGUL.search(inner)]
        terms += [gloss.strip() for gloss in glosses]
        outside = PARENTHESES.sub("", text)
        stray += [line.strip() for line in outside.splitlines() if HANGUL.search(line)]
    return terms, stray


def unknown_terms(cells, glossary_text):
    known = set(house_terms(glossary_text))
    terms, _ = korean_terms(cells)
    return sorted({term for term in terms if term not in known})


def test_the_glossary_has_one_house_term_per_concept():
    terms = house_terms(GLOSSARY.read_text(encoding="utf-8"))
    assert len(terms) >= 50, (f"course/GLOSSARY.md's term table gave {len(terms)} house terms; expected the "
                              f"table of rows '| 한국어 | English | symbol / nnref | alternatives | lesson |'. "
                              f"Was the table's layout changed?")
    repeated = sorted({term for term in terms if terms.count(term) > 1})
    assert not repeated, f"house terms listed twice in course/GLOSSARY.md: {repeated}; keep one row per term"
    for concept in ("규제", "정규화", "자연로그"):
        assert concept in terms, f"course/GLOSSARY.md must define {concept} (regularization, normalization, log)"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_korean_term_of_a_lesson_is_a_glossary_term(lesson):
    cells = markdown_cells(lesson)
    terms, stray = korean_terms(cells)
    assert terms, f"{lesson.name} has no Korean terms: its 요약 cell bolds each glossary term it uses"
    unknown = unknown_terms(cells, GLOSSARY.read_text(encoding="utf-8"))
    assert not unknown, (f"{lesson.name} uses Korean terms that are not house terms of course/GLOSSARY.md: "
                         f"{unknown}. Add them to the glossary's term table, or use the house term the "
                         f"table gives (an alternative such as 오차역전파법 is not one).")
    assert not stray, (f"{lesson.name} has Korean text outside its 요약 cell that is not a gloss "
                       f"'English (한국어)': {stray[:3]}")


def test_the_term_check_fails_when_the_glossary_lacks_a_term():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    lesson = ROOT / "source" / "04_backprop" / "04_backprop.ipynb"
    without_backprop = "\n".join(line for line in glossary.splitlines() if not line.startswith("| 역전파 |"))
    assert unknown_terms(markdown_cells(lesson), without_backprop) == ["역전파"]
    made_up = ["## 요약\n\n* **오차역전파법**은 ...", "the backward pass (역방향 전파)"]
    assert unknown_terms(made_up, glossary) == ["역방향 전파", "오차역전파법"]
    assert korean_terms(["A sentence with 한국어 but no gloss."])[1] == ["A sentence with 한국어 but no gloss."]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_lesson_has_a_korean_summary_after_its_english_one(lesson):
    cells = json.loads(lesson.read_text(encoding="utf-8"))["cells"]
    english = [i for i, cell in enumerate(cells)
               if cell["cell_type"] == "markdown" and ENGLISH_SUMMARY.match("".join(cell["source"]))]
    assert len(english) == 1, f"{lesson.name}: expected one '## Summary' markdown cell, found {len(english)}"
    after = cells[english[0] + 1] if english[0] + 1 < len(cells) else None
    assert (after is not None and after["cell_type"] == "markdown"
            and "".join(after["source"]).startswith(KOREAN_SUMMARY)), (
            f"{lesson.name}: the cell right after the English summary must be the Korean summary, a markdown "
            f"cell starting with '{KOREAN_SUMMARY}'; found "
            f"{'nothing' if after is None else repr(''.join(after['source'])[:60])}")


def test_the_seed_map_names_headings_that_exist():
    text = SEED_MAP.read_text(encoding="utf-8")
    rows = re.findall(r"\| `(\d\d_\w+)` \| \"(.+?)\" \|", text)
    assert len(rows) >= 50, f"course/SEED_MAP.md's map gave {len(rows)} rows of | `lesson id` | \"heading\" |"
    missing = []
    for lesson_id, heading in rows:
        path = ROOT / "source" / lesson_id / f"{lesson_id}.ipynb"
        headings = [line.lstrip("#").strip() for text in (markdown_cells(path) if path.exists() else [])
                    for line in text.splitlines() if line.startswith("#")]
        if not any(h.startswith(heading) for h in headings):
            missing.append(f"{lesson_id}: {heading!r}")
    assert not missing, (f"course/SEED_MAP.md points to sections that no lesson has (renamed or removed?): "
                         f"{missing}; update the map")


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def missing_glyph_warnings(family, labels):
    """The missing-glyph complaints of drawing a figure with ``labels`` (title, xlabel, ylabel) in
    font ``family`` with Agg: the text engine warns ("Glyph ... missing from font(s)"), mathtext
    logs ("does not have a glyph")."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    mathtext_log, records = logging.getLogger("matplotlib.mathtext"), _Records()
    mathtext_log.addHandler(records)
    try:
        with matplotlib.rc_context({"font.family": family}), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = Figure(figsize=(3, 2))
            FigureCanvasAgg(fig)
            ax = fig.subplots()
            ax.plot([-1, 0, 1], [3, -1, 2])
            ax.set(title=labels[0], xlabel=labels[1], ylabel=labels[2])
            fig.canvas.draw()
    finally:
        mathtext_log.removeHandler(records)
    complaints = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    return complaints + [m for m in records.messages if "glyph" in m]


HANGUL_LABELS = ("역전파 (backpropagation)", "에폭", "손실")


def test_plots_draw_hangul_with_the_course_font():
    import matplotlib

    import nnref.fonts
    import nnref.viz  # noqa: F401  (the lessons' plotting sets the font up on import)

    assert nnref.fonts.hangul_font_file() is not None, (
        "NanumGothic.ttf not found: the course's install provides it through the koreanize-matplotlib "
        "package (pyproject.toml); run `pip install -e .`")
    family = list(matplotlib.rcParams["font.family"])
    assert nnref.fonts.HANGUL_FONT in family, (
        f"after importing nnref.viz, rcParams['font.family'] is {family}: nnref's plotting no longer calls "
        f"nnref.fonts.use_hangul_font()")
    assert missing_glyph_warnings(family, HANGUL_LABELS) == [], (
        "Korean labels drew with missing glyphs despite the font setup (is NanumGothic registered?)")
    without = [name for name in family if name != nnref.fonts.HANGUL_FONT]
    assert missing_glyph_warnings(without, HANGUL_LABELS), (
        f"the default fonts {without} drew Hangul without a missing-glyph warning, so this test cannot tell "
        f"whether the font setup works; pick a default without Hangul")


def test_hangul_beside_math_needs_the_hangul_font_first():
    """What nnref/fonts.py's docstring advises for a label that mixes Korean and $math$."""
    import nnref.fonts
    import nnref.viz  # noqa: F401

    mixed = ("역전파", "에폭", "손실 $L$")
    assert missing_glyph_warnings(["sans-serif", nnref.fonts.HANGUL_FONT], mixed), (
        "mathtext now draws Korean through the font fallback list: nnref/fonts.py's advice to put "
        "NanumGothic first for such labels can go")
    assert missing_glyph_warnings([nnref.fonts.HANGUL_FONT, "sans-serif"], mixed) == []


def _class_report_page():
    """The class report of a made-up class of eight on lesson 01 (no grading: the page is drawn
    from the figures grading would give), its labels from this course's glossary."""
    from autograder.course import load_course
    from autograder.report import Exercise, Student, _figures_of, render

    assignment = load_course(ROOT).get("01_perceptron")
    cells = [("test_perceptron_predict", "visible"), ("test_perceptron_predict__hidden", "hidden")]
    exercise = Exercise("perceptron_predict", 3.0, cells)
    students = [Student(f"s{i}", "graded", "", i % 4, {"perceptron_predict": i % 4},
                        cells={cells[0][0]: "passed" if i % 4 else "failed", cells[1][0]: "passed" if i % 4 > 1 else "failed"},
                        misconceptions={"perceptron_predict": "subtracts the bias b instead of adding it"} if i % 4 == 1 else {},
                        seconds=2.0 + i, cpu_seconds=1.5 + i, time_limit=assignment.time_limit) for i in range(8)]
    students[0].flags = [("timeout", "stopped after 120 s")]
    _figures_of(exercise, students)
    return render(assignment, students, [exercise])


def test_the_class_report_labels_its_glossary_terms_in_korean_with_hangul_glyphs():
    """Every term the report labels has a row in the glossary's report table, the page shows the
    Korean beside the English, and the figures draw it: a missing glyph is an error."""
    from autograder.report_figures import TERMS, Labels

    korean = {english: term for term, english in glossary.rows(GLOSSARY.read_text(encoding="utf-8"))}
    missing = [term for term in TERMS if term not in korean]
    assert not missing, (f"the class report labels {missing}, which course/GLOSSARY.md's tables lack: add a row "
                         f"'| 한국어 | English | in the report | alternatives | report |' for each")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph")  # matplotlib's missing-glyph warning
        page = _class_report_page()
    for term in ("exercise", "pass rate", "misconception", "discrimination", "flagged", "run time", "did not answer"):
        assert f" · {korean[term]}" in page, f"the report's page does not show {term!r} as '{term} · {korean[term]}'"
    assert page.count('<img class="figure"') == 4 and "<script" not in page
    label = Labels(korean)
    figure_labels = (label("pass rate"), label("hidden test"), label("wall-clock time"))
    assert missing_glyph_warnings(["DejaVu Sans"], figure_labels), (
        "the report's Korean labels drew without a missing-glyph warning in a font without Hangul: this test "
        "cannot tell whether the report's figures draw Hangul")


def test_a_course_without_a_glossary_gets_an_english_report(tmp_path):
    from autograder.report_figures import Labels

    assert glossary.korean(tmp_path) == {}
    assert Labels({})("pass rate") == "pass rate" and Labels({"pass rate": "통과율"})("pass rate") == "pass rate · 통과율"
    with pytest.raises(KeyError, match="not one of the report's terms"):
        Labels({})("grade")
