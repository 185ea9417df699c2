"""Journey 3: a trainer creates a lesson in the Wagtail admin and it reaches learners in every language.

Text, a question and an uploaded real ``.h5p`` package; a preview before the first save; the
lesson goes through moderation (Wagtail's group approval) and is published, then is translated to
Swedish and English. A learner enrolled before keeps their progress, and learners in every
language see the same structure and the same percentages.
"""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect
from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask
from wagtail.users.models import UserProfile
from wagtail.utils.version import get_main_version

from lms.courses import services as courses
from lms.courses.models import LessonPage, TrainingPage
from lms.courses.permissions import trainers_group_ensure
from lms.h5p import services as h5p
from tests.browser.accessibility import OPTIONS
from tests.browser.conftest import log_in
from tests.browser.journey import SETTLED, check, person, visit
from tests.conftest import SHARED
from tests.factories import H5P_INSTALLER, UserFactory, build_training, translate_training, user_with_permissions

PACKAGE = SHARED / "h5p" / "lumi-H5P.TrueFalse.h5p"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.shared("h5p", "lumi-H5P.TrueFalse.h5p"),
]


@pytest.fixture
def moderated(index, locales):
    """A one-lesson training in fi/sv/en under Wagtail's moderation workflow, and its module.

    An administrator has installed the True/False package's H5P libraries (trainers may not
    install library code), with an activity of their own.
    """
    with PACKAGE.open("rb") as upload:
        h5p.activity_create(upload=upload, title="Malli", user=user_with_permissions(*H5P_INSTALLER))
    training = build_training(index, title="Työkyvyn tuki", modules=1, lessons=1)
    pages = [p.specific for p in training.get_descendants()]
    for code, title in (("sv", "Stöd för arbetsförmågan"), ("en", "Work ability support")):
        translate_training(training, locales[code], title, pages, lambda p, code=code: f"{p.title} ({code})")
    # Wagtail's Moderators as its migrations make them (a test that empties the database loses them):
    # the admin, and adding, editing and publishing pages from the root down.
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    root = Page.get_first_root_node()
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=moderators, page=root, permission=permission)
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Moderators approval")
    # Not workflow.workflow_tasks.create(): that cluster's manager keeps the row unsaved (a workflow of no tasks
    # approves whatever is submitted at once).
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return training, pages[0], pages[1], moderators


def admin_user(*groups, **fields):
    """Staff who use the admin in English (its labels are what these steps look for), in ``groups``."""
    user = UserFactory(**fields)
    user.groups.add(*groups)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    # Wagtail's "What's new" and "Editor Guide" read already: their badge pings for 25 seconds on
    # every admin page, and ``check`` waits for a page's animations to end.
    release = get_main_version(include_patch=False)
    profile.dismissibles = {f"whats-new-in-wagtail-{release}": True, "editor-guide": True}
    profile.save()
    return user


def admin_log_in(tab, base, user):
    visit(tab, f"{base}/admin/login/")
    tab.fill("input[name=username]", user.email)
    tab.fill("input[name=password]", "correct horse battery")
    tab.locator("form button[type=submit]").click()
    tab.wait_for_url("**/admin/")
    check(tab)


def editor_check(tab) -> None:
    """``check`` for a Wagtail page editor: axe's rules all apply, but for one of Wagtail's own.

    Wagtail's Draftail rich-text editors have no accessible name (axe: aria-input-field-name),
    which is Wagtail's to mend, not Kyky's; only that rule, and only inside a Draftail editor, is
    let pass. Kyky's own pages go through ``check`` unchanged.
    """
    tab.wait_for_load_state()
    tab.evaluate(SETTLED)
    results = Axe().run(tab, options=OPTIONS).response["violations"]
    problems = []
    for violation in results:
        targets = [node["target"] for node in violation["nodes"]]
        if violation["id"] == "aria-input-field-name" and all(
            tab.locator(target[0]).first.evaluate("el => !!el.closest('.Draftail-Editor')") for target in targets
        ):
            continue
        problems.append(f"{violation['id']}: {violation['help']} at {targets[:5]}")
    assert not problems, f"{tab.url} breaks accessibility rules:\n  " + "\n  ".join(problems)
    tab.checked.add(urlsplit(tab.url).path)


def add_block(page, label: str):
    page.locator("button.c-sf-add-button[title='Insert a block']").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def footer_action(tab, button):
    """Press a button of the editor's footer, opening its "More actions" menu when it is folded in there."""
    if not button.is_visible():
        tab.locator("footer [data-w-dropdown-target='toggle']").first.click()
    with tab.expect_navigation():
        button.click()


def rich_text_type(tab, editors, number: int, text: str) -> None:
    """Type into the ``number``th Draftail editor once Wagtail has drawn it (a new block draws it late)."""
    editors.nth(number).click()
    tab.keyboard.press("ControlOrMeta+a")
    tab.keyboard.type(text)


def translate(tab, base, lesson, language: str, title: str, *texts: str):
    """The trainer's *Translate* in the lesson editor's "⋯" menu: one language, then its draft published."""
    tab.goto(f"{base}/admin/pages/{lesson.pk}/edit/")
    editor_check(tab)
    tab.get_by_role("button", name="Actions", exact=True).first.click()
    tab.get_by_role("link", name="Translate", exact=True).click()
    tab.wait_for_url("**/admin/translation/submit/page/**")
    check(tab)
    tab.get_by_label(language, exact=True).check()
    with tab.expect_navigation(url="**/admin/pages/*/edit/"):
        tab.get_by_role("button", name="Submit", exact=True).click()
    editor_check(tab)
    tab.fill("#id_title", title)
    for number, text in enumerate(texts):  # the text block's, then the question's
        rich_text_type(tab, tab.locator(".DraftEditor-root"), number, text)
    footer_action(tab, tab.locator("button[name=action-publish]"))
    # The navigation awaited may come before the publish's own answer (CI once read the database
    # before the English copy was live): wait for Wagtail to say it is published.
    expect(tab.get_by_text(f"Page '{title}' has been published.")).to_be_visible()
    check(tab)


def test_a_trainer_creates_previews_moderates_publishes_and_translates_a_lesson(
    platform, page, viewport, moderated, learner
):
    training, module, first, moderators = moderated
    base = platform
    trainer = admin_user(trainers_group_ensure(), certificate_name="Tiina Kouluttaja")
    moderator = admin_user(moderators, certificate_name="Mikko Moderaattori")
    enrolment = courses.enrolment_create(user=learner, training=training)
    courses.lesson_open(enrolment=enrolment, lesson=first)  # 1 of 1 done before the new lesson

    # The trainer uploads the H5P package.
    admin_log_in(page, base, trainer)
    visit(page, f"{base}/admin/snippets/h5p/h5pactivity/add/")
    page.set_input_files("input[name=package]", str(PACKAGE))
    page.fill("input[name=title]", "Totta vai tarua")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    check(page)

    # A new lesson: text, a question, the activity.
    visit(page, f"{base}/admin/pages/add/courses/lessonpage/{module.pk}/")
    page.fill("#id_title", "Tuen tarve")
    page.locator("#id_title").press("Tab")  # Wagtail fills the slug in from the title on leaving it
    editors = page.locator(".DraftEditor-root")
    add_block(page, "Text")
    rich_text_type(page, editors, 0, "Tuen tarve tunnistetaan ajoissa.")
    add_block(page, "Question")
    rich_text_type(page, editors, 1, "Kuka arvioi työkykyä?")
    options = page.locator("input[name$='-value-text']")
    options.first.fill("Vain lääkäri")
    page.locator("button[data-streamfield-list-add]").last.click()  # a second option
    expect(options).to_have_count(2)
    options.nth(1).fill("Moni yhdessä")
    page.locator("input[name$='-value-correct']").nth(1).check()
    add_block(page, "H5P activity")
    page.locator("[data-chooser-action-choose]").last.click()
    page.locator(".modal-dialog").get_by_role("link", name="Totta vai tarua").click()

    # The preview, before the first save.
    page.locator("[data-side-panel-toggle='preview']").click()
    preview = page.frame_locator("iframe[data-w-preview-target='iframe']").first
    preview.get_by_role("heading", name="Tuen tarve").wait_for()
    preview.get_by_text("Kuka arvioi työkykyä?").wait_for()
    preview.frame_locator("iframe[data-h5p-player]").locator("iframe.h5p-iframe").wait_for(state="attached")
    page.locator("[data-form-side-close-button]").click()  # the preview closed (on a phone it covers the form)

    # Submitted for moderation: not live until a moderator approves, which publishes it. Wagtail
    # saved the draft on its own meanwhile and moved to its edit view; a person submits once it says
    # so (pressed sooner, the submit would create the page a second time: Wagtail answers 500).
    page.wait_for_url("**/admin/pages/*/edit/")
    expect(page.locator(".w-autosave-indicator__state--saved")).to_be_visible()  # "Saved" (its icon on a phone)
    footer_action(page, page.locator("button[name=action-submit]"))
    check(page)
    lesson = LessonPage.objects.get(title="Tuen tarve")
    assert not lesson.live
    assert lesson.workflow_in_progress
    reviewer = person(page)
    admin_log_in(reviewer, base, moderator)
    reviewer.goto(f"{base}/admin/pages/{lesson.pk}/edit/")
    assert reviewer.url.endswith(f"/admin/pages/{lesson.pk}/edit/"), "the moderator may not open the lesson"
    editor_check(reviewer)
    approve = reviewer.locator("button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    footer_action(reviewer, approve)
    check(reviewer)
    lesson.refresh_from_db()
    assert lesson.live

    # Translated to Swedish and English in the admin, each draft translated and published.
    translate(
        page, base, lesson, "Svenska", "Behov av stöd", "Behovet av stöd upptäcks i tid.", "Vem bedömer arbetsförmågan?"
    )
    translate(
        page,
        base,
        lesson,
        "English",
        "Need for support",
        "The need for support is noticed early.",
        "Who assesses work ability?",
    )
    copies = LessonPage.objects.filter(translation_key=lesson.translation_key, live=True)
    assert sorted(copies.values_list("locale__language_code", "title")) == [
        ("en", "Need for support"),
        ("fi", "Tuen tarve"),
        ("sv", "Behov av stöd"),
    ]

    # The learner keeps what they did; every language shows the same outline and percentages.
    learner_tab = person(page)
    log_in(learner_tab, base, learner)
    check(learner_tab)
    seen = {}
    for code in ("fi", "sv", "en"):
        translated = TrainingPage.objects.get(translation_key=training.translation_key, locale__language_code=code)
        visit(learner_tab, f"{base}{translated.url}")
        percent = learner_tab.locator(".enrol-box [role=progressbar]").get_attribute("aria-valuenow")
        seen[code] = (percent, learner_tab.locator("article.training section:last-child a").count())
    assert seen["fi"][0] == "50"  # 1 of 2: the lesson done before still counts
    assert seen["sv"] == seen["fi"]
    assert seen["en"] == seen["fi"]
