"""nncourse grade's class report in Chromium, opened as the instructor opens it: a file:// page
mailed as one file. The class is the end-to-end one (tests/conftest.py's ``e2e_class``)."""
from jlab import open_file_page
from fixtures.classroom import ASSIGNMENT


def test_class_report_reads_in_the_browser(browser, e2e_class):
    _, _, workspace, _ = e2e_class
    report = workspace / "report" / f"{ASSIGNMENT}.html"
    page, requests, errors = open_file_page(browser, report, 1200, 900)

    # the summary comes first, readable without scrolling
    struggles = page.locator("#struggles")
    assert struggles.is_visible() and struggles.bounding_box()["y"] < 200
    assert "relative_error" in struggles.inner_text() and "flagged for review" in struggles.inner_text()

    # every figure is there and decoded: the test cells, discrimination, one histogram per exercise, run times
    expected = {"fig-cells", "fig-discrimination", "fig-hist-add_bias", "fig-hist-relative_error", "fig-times"}
    figures = page.locator("img.figure")
    assert {figures.nth(i).get_attribute("id") for i in range(figures.count())} == expected
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        assert figure.evaluate("img => img.complete && img.naturalWidth > 100 && img.naturalHeight > 100"), (
            figure.get_attribute("id"))
        assert figure.is_visible()
    # the exercise table links to its sections
    page.locator("#exercises a", has_text="relative_error").click()
    assert page.evaluate("location.hash") == "#ex-relative_error"
    assert page.locator("#flags").is_visible() and "timeout" in page.locator("#flags").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert [url for url in requests if not url.startswith("data:")] == [report.as_uri()], (
        "one file: nothing else is fetched")
    assert not errors
    page.close()
