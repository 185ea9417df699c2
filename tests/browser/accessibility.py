"""axe-core's accessibility rules run on a page the browser shows (``axe-playwright-python`` ships axe)."""

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
# WCAG 2.1 A and AA, what the public sector's accessibility law asks of Kyky.
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page) -> None:
    """Fail naming each rule the page breaks, and where."""
    results = _AXE.run(page, options=OPTIONS)
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]
    assert not problems, f"{page.url} breaks accessibility rules:\n  " + "\n  ".join(problems)
