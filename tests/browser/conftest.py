import os
import shutil

import pytest

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


CSP_VIOLATION = ("Content Security Policy", "Content-Security-Policy")


@pytest.fixture
def page(browser):
    """A fresh browser tab; the test fails if any page or frame in it broke the Content-Security-Policy.

    A test that provokes violations on purpose lists what it expects in ``page.csp_expected``
    (substrings of the console message); ``page.csp_violations`` holds every violation seen.
    """
    context = browser.new_context(locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = page.csp_violations = []
    page.csp_expected = ()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if any(marker in message.text for marker in CSP_VIOLATION) else None
        ),
    )
    yield page
    context.close()
    unexpected = [v for v in violations if not any(expected in v for expected in page.csp_expected)]
    assert not unexpected, "Content-Security-Policy violations:\n" + "\n".join(unexpected)


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
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
