import os
import shutil

import pytest

from tests.browser.journey import VIEWPORTS, Hands, artifacts_save, check, tab_close, tab_open, tabs_of

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright; CI (KYKY_REQUIRE_BROWSER=1) insists on it."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("KYKY_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """A journey runs at each screen size: a desktop's and a phone's (390 px wide)."""
    return request.param


@pytest.fixture(params=["mouse", "keyboard"])
def hands(request) -> Hands:
    """A journey runs with a mouse and again with the keyboard only."""
    return Hands(request.param)


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; the test fails if any page or frame in it broke the Content-Security-Policy.

    A test that provokes violations on purpose lists what it expects in ``page.csp_expected``
    (substrings of the console message); ``page.csp_violations`` holds every violation seen. A test
    that uses ``viewport`` is a journey: its tab has that size and every page it lands on must be
    checked with axe (``tests/browser/journey.py``).
    """
    journey = "viewport" in request.fixturenames
    page = tab_open(browser, viewport=request.getfixturevalue("viewport") if journey else None, journey=journey)
    yield page
    problems = tab_close(page, finished=not getattr(request.node, "browser_failed", False))
    assert not problems, "\n".join(problems)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test leaves each tab's screenshot and HTML in var/test-artifacts/<test>/."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        item.browser_failed = True  # the page fixture's teardown then skips what a passing journey owes
        tabs = tabs_of(getattr(item, "funcargs", {}))
        if tabs:
            folder = artifacts_save(item.name, tabs)
            report.sections.append(("browser artifacts", f"screenshots and HTML in {folder}"))
    return report


@pytest.fixture
def platform(settings, live_server) -> str:
    """The live server as two origins: the platform on localhost, the H5P player on 127.0.0.1."""
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    settings.H5P_ORIGIN = live_server.url.replace("localhost", "127.0.0.1")
    assert live_server.url != settings.H5P_ORIGIN, "the live server must run on localhost"
    return live_server.url


def log_in(page, base: str, user, password: str = "correct horse battery") -> None:
    """Log ``user`` in through the real login form (factory users share one password)."""
    page.goto(f"{base}/fi/accounts/login/")
    if getattr(page, "journey", False):  # a journey checks every page it lands on
        check(page)
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
