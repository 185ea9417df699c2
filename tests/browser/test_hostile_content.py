"""Hostile H5P content, played by a logged-in learner beside a real activity, reaches nothing of Kyky's.

The package is built here: a library whose code tries every way out of the player (it stands for
any script that might run there: a library bug, a library an administrator was tricked into
installing), content whose text field carries an ``onerror`` handler, an image with script in its
metadata and an SVG with script. A package with script in an XML file is refused at upload.
"""

import io
import json
import time
import zipfile

import pytest

from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonProgress, TrainingIndexPage
from lms.h5p import player, services
from lms.h5p.models import H5PActivity, H5PAttempt, H5PUserData, XAPIStatement
from lms.h5p.package import PackageError
from tests.browser.conftest import log_in
from tests.conftest import SHARED
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    UserFactory,
    text,
    user_with_permissions,
)
from tests.h5p.conftest import PNG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.shared("h5p", "lumi-H5P.TrueFalse.h5p"),
]

PROBE_JS = r"""
H5P.Probe = function (params) { this.params = params; };
H5P.Probe.prototype.attach = function ($container) {
  var box = document.createElement("div");
  box.id = "probe";
  $container.get(0).appendChild(box);
  // What content types do with their text: put it into the page as HTML.
  box.innerHTML = this.params.question || "";
  var target = this.params.target;
  function note(name, value) { box.setAttribute("data-" + name, String(value)); }
  try { note("parent", window.top.document.body.innerHTML.length); } catch (e) { note("parent", "blocked"); }
  try { window.top.document.title = "pwned"; note("retitle", "done"); } catch (e) { note("retitle", "blocked"); }
  note("cookie", document.cookie || "none");
  fetch(target + "/fi/accounts/profile/my-data.json", { credentials: "include" })
    .then(function (r) { return r.text(); })
    .then(function (t) { note("export", "read " + t.length); }, function () { note("export", "blocked"); });
  var xhr = new XMLHttpRequest();
  xhr.open("GET", target + "/admin/users/");
  xhr.withCredentials = true;
  xhr.onload = function () { note("admin", "read " + xhr.responseText.length); };
  xhr.onerror = function () { note("admin", "blocked"); };
  xhr.send();
  // Forge a statement about the lesson's other activity, straight to the lesson page.
  window.top.postMessage({ kyky: "h5p", type: "xapi", statement: {
    id: "00000000-0000-4000-8000-000000000001",
    verb: { id: "http://adlnet.gov/expapi/verbs/passed" },
    object: { id: this.params.other },
    result: { score: { scaled: 1, raw: 1, min: 0, max: 1 }, success: true, completion: true }
  } }, "*");
  try { window.top.location.href = target + "/fi/accounts/profile/"; note("navigate", "done"); }
  catch (e) { note("navigate", "blocked"); }
  note("finished", "yes");
};
"""
SEMANTICS = [
    {"name": "question", "type": "text", "tags": ["p", "strong"]},
    {"name": "target", "type": "text"},
    {"name": "other", "type": "text"},
]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.top.kykyPwned = 1</script></svg>'
# A real PNG with a tEXt chunk that holds markup: browsers that sniffed would see HTML.
PNG_WITH_SCRIPT = PNG[:-12] + b"\x00\x00\x00\x22tEXtComment\x00<script>top.kykyPwned=1</script>" + PNG[-12:]


def probe_package(target: str, other_iri: str, extra: dict | None = None) -> io.BytesIO:
    library = {
        "title": "Probe",
        "machineName": "H5P.Probe",
        "majorVersion": 1,
        "minorVersion": 0,
        "patchVersion": 0,
        "runnable": 1,
        "preloadedJs": [{"path": "probe.js"}],
    }
    content = {
        "question": "<p>Kysymys<img src=x onerror=\"document.body.setAttribute('data-onerror', 'ran')\"></p>",
        "target": target,
        "other": other_iri,
    }
    files = {
        "h5p.json": json.dumps(
            {
                "title": "Probe",
                "language": "fi",
                "mainLibrary": "H5P.Probe",
                "embedTypes": ["iframe"],
                "preloadedDependencies": [{"machineName": "H5P.Probe", "majorVersion": 1, "minorVersion": 0}],
            }
        ),
        "content/content.json": json.dumps(content),
        "content/images/photo.png": PNG_WITH_SCRIPT,
        "H5P.Probe-1.0/library.json": json.dumps(library),
        "H5P.Probe-1.0/semantics.json": json.dumps(SEMANTICS),
        "H5P.Probe-1.0/probe.js": PROBE_JS,
        "H5P.Probe-1.0/icon.svg": SVG,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    buffer.seek(0)
    buffer.name = "probe.h5p"
    return buffer


def eventually(page, check, seconds=15):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the browser's request never arrived"
        page.wait_for_timeout(200)


@pytest.fixture
def lesson(homes, platform):
    admin = user_with_permissions(*H5P_INSTALLER)
    with (SHARED / "h5p" / "lumi-H5P.TrueFalse.h5p").open("rb") as upload:
        real = services.activity_create(upload=upload, title="Totta vai tarua", user=admin)
    probe = services.activity_create(
        upload=probe_package(platform, services.activity_iri(real.pk)), title="Koetin", user=admin
    )
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, slug="turva")
    module = ModulePageFactory(parent=training, slug="moduuli")
    page = LessonPageFactory(
        parent=module,
        slug="tehtava",
        completion_rule=CompletionRule.H5P_COMPLETED,
        body=[
            text("<p>Kaksi tehtävää.</p>"),
            {"type": "h5p", "value": {"activity": probe.pk, "title": "", "pass_mark": None}},
            {"type": "h5p", "value": {"activity": real.pk, "title": "", "pass_mark": None}},
        ],
    )
    LessonPageFactory(parent=module, slug="toinen", body=[text()])
    return training, page, probe, real


def test_hostile_content_reaches_nothing_while_the_real_activity_plays_resumes_and_counts(
    platform, page, lesson, learner
):
    training, lesson_page, probe, real = lesson
    assert any("onerror" in line for line in probe.filter_report)
    enrolment = courses.enrolment_create(user=learner, training=training)
    page.csp_expected = ("my-data.json", "/admin/users/")  # the player's own policy stops these first
    export_requests = []
    page.on(
        "request",
        lambda request: (
            export_requests.append(request.headers.get("cookie", ""))
            if "my-data.json" in request.url or "/admin/users/" in request.url
            else None
        ),
    )
    log_in(page, platform, learner)
    page.goto(f"{platform}{lesson_page.url}")

    players = page.locator("iframe[data-h5p-player]")
    probe_frame = page.frame_locator(f"[data-activity-id='{probe.pk}'] iframe[data-h5p-player]")
    box = probe_frame.frame_locator("iframe.h5p-iframe").locator("#probe[data-finished][data-export][data-admin]")
    box.wait_for(state="attached")
    assert box.get_attribute("data-parent") == "blocked"
    assert box.get_attribute("data-retitle") == "blocked"
    assert box.get_attribute("data-cookie") == "none"  # the player's origin holds no Kyky cookie
    assert box.get_attribute("data-export") == "blocked"
    assert box.get_attribute("data-admin") == "blocked"
    assert box.get_attribute("data-navigate") in {"blocked", "done"}  # the sandbox refuses it either way
    assert page.url.endswith(lesson_page.url)  # still on the lesson: no top navigation happened
    assert page.title() != "pwned"
    assert all("sessionid" not in cookies for cookies in export_requests)
    assert any("my-data.json" in violation for violation in page.csp_violations)  # a second wall behind the origin
    assert box.locator("img").count() == 0  # the onerror image was filtered out before it was stored
    assert page.evaluate("window.kykyPwned") is None
    # The forged statement was dropped. (The real player may already have sent its own, e.g. on a slow
    # machine: those carry random ids and are not "passed"; CI once caught one here.)
    forged = XAPIStatement.objects.filter(activity=real)
    assert not forged.filter(statement_id="00000000-0000-4000-8000-000000000001").exists()
    assert not forged.filter(verb__endswith="/passed").exists()
    assert not H5PAttempt.objects.filter(enrolment=enrolment, activity=real, success=True).exists()
    assert players.count() == 2

    # The real activity beside it plays, records its result, and resumes.
    real_frame = page.frame_locator(f"[data-activity-id='{real.pk}'] iframe[data-h5p-player]")
    inner = real_frame.frame_locator("iframe.h5p-iframe")
    inner.get_by_role("radio", name="Yes").click()
    inner.get_by_role("button", name="Check").click()
    eventually(page, lambda: H5PAttempt.objects.filter(enrolment=enrolment, activity=real, completed=True).exists())
    eventually(page, lambda: H5PUserData.objects.filter(activity=real, data__contains="answer").exists())
    assert XAPIStatement.objects.filter(activity=real).exists()
    page.reload()
    inner = page.frame_locator(f"[data-activity-id='{real.pk}'] iframe[data-h5p-player]").frame_locator(
        "iframe.h5p-iframe"
    )
    inner.get_by_role("radio", name="Yes").wait_for()
    assert inner.get_by_role("radio", name="Yes").get_attribute("aria-checked") == "true"
    # The probe never completed anything, so the lesson waits for it; the real result is kept.
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is None


def test_package_files_opened_directly_run_no_script(platform, page, lesson):
    _training, _lesson_page, probe, _real = lesson
    grant = player.grant_token(activity_id=probe.pk, parent_origin=platform)
    base = f"{platform.replace('localhost', '127.0.0.1')}/h5p/play/{grant}"
    photo = page.request.get(f"{base}/content/images/photo.png")
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    svg = page.request.get(f"{base}/libraries/H5P.Probe-1.0/icon.svg")
    assert svg.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in svg.headers["content-security-policy"]
    page.goto(f"{base}/content/images/photo.png")
    assert page.evaluate("window.kykyPwned") is None


def test_a_package_with_script_in_an_xml_file_is_refused_and_leaves_nothing(lesson, platform):
    trainer = UserFactory()
    before = H5PActivity.objects.count()
    xhtml = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><script>fetch("/fi/accounts/profile/my-data.json")</script></html>'
    )
    with pytest.raises(PackageError) as refusal:
        services.activity_create(
            upload=probe_package(platform, "x", {"content/page.xml": xhtml}), title="XML", user=trainer
        )
    assert "content/page.xml" in str(refusal.value)
    assert H5PActivity.objects.count() == before
