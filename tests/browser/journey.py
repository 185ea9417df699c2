"""What every end-to-end journey shares: tabs at a person's screen size, axe on each page, hands.

- ``tab_open`` opens a tab in a fresh browser context (its own cookies: one person) at a viewport
  from ``VIEWPORTS``; it records Content-Security-Policy violations and every page it lands on.
- ``visit`` and ``check`` run axe-core (WCAG 2.1 A and AA) once per page a tab lands on, keyed by the
  URL's path, so a journey checks each page without paying for axe twice on the same page;
  ``tab_close`` fails a journey tab that landed on a page nobody checked.
- ``Hands`` do what a person does: with a mouse (Playwright's clicks) or keyboard-only (Tab to
  the control, then Enter or Space; radio buttons with the arrow keys, as browsers move within a
  radio group), so one journey runs both ways.
- ``artifacts_save`` keeps a failing test's screenshots and HTML (the hook is in conftest.py).
- ``screenshot`` saves a named screen for the README when ``KYKY_SCREENSHOTS`` names a folder
  (``make screenshots``); in every other run it does nothing.
"""

import contextlib
import io
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.accessibility import assert_accessible

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CSP_VIOLATION = ("Content Security Policy", "Content-Security-Policy")
TIMEOUT_MS = 15_000
SETTLED = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
    .map(a => a.finished.catch(() => null)))"""
MAX_TABS = 120  # more stops than any Kyky page has before its main content's last control


def tab_open(browser, *, locale: str = "fi-FI", viewport: str | None = None, journey: bool = False, **options):
    """A new tab in its own context; ``journey=True`` makes ``tab_close`` insist every page was checked."""
    if viewport:
        options.setdefault("viewport", VIEWPORTS[viewport])
        options.setdefault("device_scale_factor", 1)
    context = browser.new_context(locale=locale, **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.viewport_name = viewport
    page.journey = journey
    page.companions = []  # other people's tabs this journey opened: closed and kept on failure with it
    page.checked = set()
    page.landed = []
    violations = page.csp_violations = []
    page.csp_expected = ()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if any(marker in message.text for marker in CSP_VIOLATION) else None
        ),
    )
    page.on("framenavigated", lambda frame: page.landed.append(frame.url) if frame == page.main_frame else None)
    return page


def tab_close(page, *, finished: bool = True) -> list[str]:
    """Close the tab (and the companions it opened); return what went wrong in them, if anything.

    ``finished=False`` (the test failed already) leaves out the pages a journey had not checked yet.
    """
    problems = []
    for tab in [page, *page.companions]:
        if not tab.context.pages:  # closed by the test already
            continue
        problems += [
            f"Content-Security-Policy violation: {v}"
            for v in tab.csp_violations
            if not any(expected in v for expected in tab.csp_expected)
        ]
        if tab.journey and finished:
            problems += [f"no accessibility check on {url}" for url in unchecked(tab)]
        tab.context.close()
    return problems


def person(page, *, locale: str = "fi-FI", **options):
    """Another person's tab, at the same screen size as ``page``'s, closed and checked with it."""
    tab = tab_open(page.context.browser, locale=locale, viewport=page.viewport_name, journey=page.journey, **options)
    page.companions.append(tab)
    return tab


def _key(url: str) -> str:
    return urlsplit(url).path


def unchecked(page) -> list[str]:
    """Pages the tab landed on that ``check`` never saw."""
    pages = {_key(url): url for url in page.landed if url.startswith("http")}
    return [url for key, url in pages.items() if key not in page.checked]


def check(page, *, again: bool = False) -> None:
    """axe on the page the tab shows now, unless this page (its path) was checked already.

    ``again=True`` checks a page whose state changed on the same URL (feedback after an answer).
    """
    page.wait_for_load_state()
    key = _key(page.url)
    if again or key not in page.checked:
        page.evaluate(SETTLED)  # colours measured mid-fade fail contrast that the settled page meets
        assert_accessible(page)
        page.checked.add(key)


def visit(page, url: str):
    """Go to ``url`` and check the page; the response, for its status."""
    response = page.goto(url)
    check(page)
    return response


def eventually(page, condition, seconds: float = 15) -> None:
    """Wait until ``condition()`` holds (a request the page sends in the background has landed)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the browser's request never arrived"
        page.wait_for_timeout(200)


class Expectations:
    """Checks a journey notes on its way and asserts at the end, so one run lists every unmet one.

    For steps whose failure does not stop the person (a message in the wrong language); a step
    that does stop them is a plain ``assert``.
    """

    def __init__(self):
        self.unmet = []

    def expect(self, condition: bool, what: str) -> bool:
        if not condition:
            self.unmet.append(what)
        return condition

    def assert_met(self) -> None:
        assert not self.unmet, "unmet on the way:\n  " + "\n  ".join(self.unmet)


def screenshot(page, name: str, *, at=None) -> None:
    """``docs/screenshots/<name>-<viewport>.png`` when ``KYKY_SCREENSHOTS`` names the folder.

    What the viewport shows (scrolled to the top, or so that ``at`` shows), at device scale 1,
    reduced to a 256-colour palette (Pillow) so the README's pictures stay small.
    """
    folder = os.environ.get("KYKY_SCREENSHOTS")
    if not folder:
        return
    from PIL import Image

    if at is None:
        page.evaluate("scrollTo(0, 0)")
    else:
        at.evaluate("el => el.scrollIntoView({block: 'start'})")

    path = Path(folder) / f"{name}-{page.viewport_name or 'desktop'}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="initial")))
    image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def artifacts_save(name: str, pages: dict) -> Path:
    """Each open tab's full-page screenshot and HTML under ``var/test-artifacts/<name>/``."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "-", name).strip("-")
    folder.mkdir(parents=True, exist_ok=True)
    for label, page in pages.items():
        try:
            if page.is_closed():
                continue
            (folder / f"{label}.html").write_text(page.content(), encoding="utf-8")
            page.screenshot(path=folder / f"{label}.png", full_page=True)
        except Exception as error:  # a crashed tab must not hide the test's own failure
            (folder / f"{label}.error.txt").write_text(f"{page.url}\n{error!r}\n", encoding="utf-8")
    return folder


def tabs_of(funcargs: dict) -> dict:
    """The open tabs of a test's fixtures: ``page`` and the companions it opened, by name."""
    page = funcargs.get("page")
    if page is None or not hasattr(page, "screenshot"):
        return {}
    tabs = {"page": page}
    for number, companion in enumerate(getattr(page, "companions", []), start=1):
        tabs[f"page-{number}"] = companion
    return tabs


def reveal(page, locator) -> None:
    """Open the header's menu when ``locator`` sits in it collapsed (phone layout)."""
    if locator.is_visible():
        return
    toggle = page.locator("header [aria-expanded='false'], header details:not([open]) > summary").first
    if toggle.count():
        toggle.click()


class Hands:
    """A person's hands on the page: ``mouse`` (Playwright's pointer) or ``keyboard`` only."""

    def __init__(self, kind: str):
        assert kind in ("mouse", "keyboard")
        self.kind = kind
        self.keyboard = kind == "keyboard"

    def __repr__(self) -> str:
        return self.kind

    def focus(self, locator) -> None:
        """Tab (or Shift+Tab) until ``locator`` has the keyboard focus; fail if Tab never reaches it."""
        locator.wait_for()
        page = locator.page
        backwards = locator.evaluate(
            "el => { const a = el.ownerDocument.activeElement;"
            " return !!a && a !== el.ownerDocument.body && !!(el.compareDocumentPosition(a) & 4); }"
        )
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MAX_TABS):
            if locator.evaluate("el => el.ownerDocument.activeElement === el && el.ownerDocument.hasFocus()"):
                return
            page.keyboard.press(key)
        raise AssertionError(f"{key} never reaches {locator} on {page.url}")

    def click(self, locator, *, navigates: bool = True) -> None:
        """Follow a link or press a button: Enter on it; wait for the next page when it ``navigates``."""
        page = locator.page
        if self.keyboard and not locator.is_visible():
            toggle = page.locator("header [aria-expanded='false'], header details:not([open]) > summary")
            if toggle.count():
                self.focus(toggle.first)
                page.keyboard.press("Enter")
        elif not self.keyboard:
            reveal(page, locator)
        if self.keyboard:
            self.focus(locator)
        with page.expect_navigation() if navigates else contextlib.nullcontext():
            if self.keyboard:
                page.keyboard.press("Enter")
            else:
                # As a person scrolls back up to the header: Playwright's own scrolling misses its
                # buttons while focus is in a cross-origin frame (the H5P player).
                locator.evaluate("el => el.scrollIntoView({block: 'center'})")
                locator.click()

    def press(self, locator) -> None:
        """Press a control that Space activates (a checkbox, an ARIA radio or button)."""
        if not self.keyboard:
            locator.click()
            return
        self.focus(locator)
        locator.page.keyboard.press("Space")

    def fill(self, locator, value: str) -> None:
        if not self.keyboard:
            locator.fill(value)
            return
        self.focus(locator)
        locator.page.keyboard.press("ControlOrMeta+a")
        locator.page.keyboard.type(value)

    def choose(self, radio) -> None:
        """Check a radio button: keyboard users Tab into its group and move with the arrow keys."""
        if not self.keyboard:
            radio.check()
            return
        name = radio.get_attribute("name")
        group = radio.page.locator(f"input[type=radio][name='{name}']")
        checked = radio.page.locator(f"input[type=radio][name='{name}']:checked")
        self.focus(checked.first if checked.count() else group.first)
        if not radio.is_checked():
            radio.page.keyboard.press("Space")
        for _ in range(group.count()):
            if radio.is_checked():
                return
            radio.page.keyboard.press("ArrowDown")
        assert radio.is_checked(), f"the arrow keys never check {radio}"

    def upload(self, locator, path) -> None:
        """Choose a file: the file dialog opens from the keyboard too (Space); the test answers it."""
        if not self.keyboard:
            locator.set_input_files(str(path))
            return
        self.focus(locator)
        with locator.page.expect_file_chooser() as chooser:
            locator.page.keyboard.press("Space")
        chooser.value.set_files(str(path))
