"""nncourse similarity's page in Chromium, opened as the instructor opens it: a file:// page."""
from jlab import open_file_page
from fixtures.similarity_class import ASSIGNMENT, COPIED, COPIER, ROOT, answers, write_class, write_observed

from autograder.course import load_course
from autograder.similarity import compare
from autograder.similarity_report import write_report


def test_similarity_report_reads_in_the_browser(browser, tmp_path):
    students = answers()
    result = compare(load_course(ROOT).get(ASSIGNMENT), write_class(tmp_path / "class", students),
                     observed=write_observed(tmp_path / "observed", students))
    report, _ = write_report(result, tmp_path / "report")
    page, requests, errors = open_file_page(browser, report, 1300, 900)

    # the first thing an instructor reads, without scrolling: evidence, not a verdict
    first = page.locator("body > *").first
    assert first.get_attribute("id") == "caution"
    assert first.inner_text().startswith("Evidence to look at, not a verdict.")
    assert first.is_visible() and first.bounding_box()["y"] < 100

    # the top pair's link leads to its section: both answers side by side, the shared code marked
    page.locator("#pairs a").first.click()
    assert page.evaluate("location.hash") == "#pair-1"
    section = page.locator("#pair-1")
    heading = section.locator("h3")
    assert f"{COPIED} and {COPIER}" in heading.inner_text()
    assert 0 <= heading.bounding_box()["y"] < 60, "the section is scrolled into view"
    side = section.locator(".side").first
    left, right = side.locator("pre").all()
    lb, rb = left.bounding_box(), right.bounding_box()
    assert lb["x"] + lb["width"] <= rb["x"] and abs(lb["y"] - rb["y"]) < 2, (lb, rb)
    for answer in (left, right):
        mark = answer.locator("mark").first
        assert mark.is_visible()
        assert mark.evaluate("m => getComputedStyle(m).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "einsum" in " ".join(left.locator("mark").all_inner_texts()), "dana's rare einsum line is marked"

    # the shared wrong values and the clusters are on the page; nothing runs off its right edge
    assert "identical wrong values" in section.inner_text()
    assert page.locator("#clusters").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert requests == [report.as_uri()], "one file: nothing else is fetched"
    assert not errors
    page.close()
