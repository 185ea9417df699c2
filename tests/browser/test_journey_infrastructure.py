"""The journeys' own machinery: a failure leaves evidence, an unchecked page fails, hands reach controls."""

from types import SimpleNamespace

import pytest

from tests.browser import conftest, journey
from tests.browser.journey import Hands, check, tab_close, tab_open

pytestmark = pytest.mark.browser

FORM = """<!DOCTYPE html><html lang="fi"><head><title>Lomake</title></head><body><main>
<h1>Lomake</h1>
<form><label for="name">Nimi</label> <input id="name">
<fieldset><legend>Väri</legend>
<label><input type="radio" name="colour" value="red"> Punainen</label>
<label><input type="radio" name="colour" value="blue"> Sininen</label></fieldset>
<label><input type="checkbox" id="agree"> Hyväksyn</label>
<button type="button" id="send">Lähetä</button></form>
<p id="sent" hidden>Lähetetty</p></main>
<script>
document.getElementById("send").addEventListener("click", () => { document.getElementById("sent").hidden = false })
</script>
</body></html>"""


def run_hook(item, report):
    """Call conftest's report hook as pytest does: it wraps the report pytest made."""
    hook = conftest.pytest_runtest_makereport(item, SimpleNamespace(when=report.when))
    next(hook)
    with pytest.raises(StopIteration) as finished:
        hook.send(report)
    return finished.value.value


def test_a_failing_test_leaves_a_screenshot_and_the_html(page, tmp_path, monkeypatch):
    # given a test whose tab shows a page, and another person's tab, when its call fails
    monkeypatch.setattr(journey, "ARTIFACTS", tmp_path)
    page.set_content("<h1>Virhe näkyy tässä</h1>")
    other = journey.person(page)
    other.set_content("<p>Toinen ihminen</p>")
    item = SimpleNamespace(name="test_something[phone-keyboard]", funcargs={"page": page})
    report = SimpleNamespace(when="call", failed=True, sections=[])

    returned = run_hook(item, report)

    # then the report is passed on, naming the folder, which holds each tab's picture and HTML
    assert returned is report
    folder = tmp_path / "test_something-phone-keyboard"
    assert report.sections == [("browser artifacts", f"screenshots and HTML in {folder}")]
    assert "Virhe näkyy tässä" in (folder / "page.html").read_text()
    assert "Toinen ihminen" in (folder / "page-1.html").read_text()
    assert (folder / "page.png").read_bytes().startswith(b"\x89PNG")
    assert (folder / "page-1.png").read_bytes().startswith(b"\x89PNG")


def test_a_passing_test_leaves_nothing(page, tmp_path, monkeypatch):
    monkeypatch.setattr(journey, "ARTIFACTS", tmp_path)
    page.set_content("<h1>Kaikki hyvin</h1>")
    for when in ("setup", "call", "teardown"):
        run_hook(SimpleNamespace(name="test_fine", funcargs={"page": page}), SimpleNamespace(when=when, failed=False))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_journey_that_skips_the_accessibility_check_of_a_page_fails(browser, live_server, homes):
    # given a journey tab that lands on two pages and checks only the first
    tab = tab_open(browser, viewport="phone", journey=True)
    try:
        tab.goto(f"{live_server.url}/verify/")
        check(tab)
        tab.goto(f"{live_server.url}/healthz")
    finally:
        problems = tab_close(tab)

    # then closing it names the page nobody checked
    assert problems == [f"no accessibility check on {live_server.url}/healthz"]


def test_the_phone_size_is_a_phone(browser):
    tab = tab_open(browser, viewport="phone")
    assert tab.evaluate("[innerWidth, innerHeight, devicePixelRatio]") == [390, 844, 1]
    tab_close(tab)


def test_keyboard_hands_fill_choose_press_and_click_without_the_mouse(page):
    # given a form, and a mouse that would fail the test if anything used it
    page.set_content(FORM)
    page.evaluate("addEventListener('mousedown', () => document.title = 'MOUSE', true)")
    hands = Hands("keyboard")

    hands.fill(page.locator("#name"), "Åsa Öhman")
    hands.choose(page.locator("input[value=blue]"))
    hands.press(page.locator("#agree"))
    hands.click(page.locator("#send"), navigates=False)

    assert page.locator("#name").input_value() == "Åsa Öhman"
    assert page.locator("input[value=blue]").is_checked()
    assert page.locator("#agree").is_checked()
    assert page.locator("#sent").is_visible()
    assert page.title() == "Lomake"


def test_keyboard_hands_fail_where_tab_never_reaches(page):
    page.set_content('<main><button tabindex="-1" id="hidden-from-tab">Ei</button></main>')
    with pytest.raises(AssertionError, match="never reaches"):
        Hands("keyboard").click(page.locator("#hidden-from-tab"))
