"""Installing packages: shared libraries, patch upgrades, the install permission, all or nothing."""

import json
import zipfile

import pytest
from django.contrib.auth.models import Group

from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.h5p import services
from lms.h5p.models import H5PActivity, H5PLibrary
from lms.h5p.package import PackageError
from lms.storage import private_storage
from tests.factories import UserFactory
from tests.h5p.conftest import H5P_DIR, library_json, make_package

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    roots = [settings.MEDIA_ROOT, settings.PRIVATE_ROOT]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def test_libraries_are_stored_once_and_shared(installer):
    first = services.activity_create(upload=make_package(), title="A", user=installer)
    second = services.activity_create(upload=make_package(), title="B", user=installer)

    assert H5PLibrary.objects.count() == 1
    assert first.main_library == second.main_library
    assert first.content_path != second.content_path
    assert private_storage().exists(f"{first.content_path}/content/images/pixel.png")
    assert private_storage().exists(f"{first.main_library.storage_path}/tiny.js")


def test_a_newer_patch_upgrades_the_library_and_an_older_one_does_not_downgrade(installer):
    services.activity_create(upload=make_package(library=library_json(patch=1)), title="A", user=installer)
    old_path = H5PLibrary.objects.get().storage_path
    newer = make_package(library=library_json(patch=3), files={"H5P.Tiny-1.0/tiny.js": "H5P.Tiny = 3;"})

    services.activity_create(upload=newer, title="B", user=installer)
    library = H5PLibrary.objects.get()
    assert library.patch_version == 3
    assert library.storage_path != old_path
    assert private_storage().open(f"{library.storage_path}/tiny.js").read() == b"H5P.Tiny = 3;"

    services.activity_create(upload=make_package(library=library_json(patch=2)), title="C", user=installer)
    assert H5PLibrary.objects.get().patch_version == 3


def test_installing_library_code_needs_its_own_permission(installer):
    trainers_group_ensure()
    trainer = UserFactory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))

    with pytest.raises(PackageError, match="Installing library code needs a separate permission"):
        services.activity_create(upload=make_package(), title="A", user=trainer)
    assert not H5PActivity.objects.exists()

    services.activity_create(upload=make_package(), title="A", user=installer)  # an administrator installs
    trainer = type(trainer).objects.get(pk=trainer.pk)
    activity = services.activity_create(upload=make_package(), title="B", user=trainer)  # now content only
    assert activity.created_by == trainer


def test_a_failure_while_saving_leaves_no_rows_and_no_files(installer, settings, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(H5PActivity, "save", broken_save)

    with pytest.raises(RuntimeError):
        services.activity_create(upload=make_package(), title="A", user=installer)

    assert not H5PLibrary.objects.exists()
    assert stored_files(settings) == []


def test_an_invalid_package_writes_nothing(installer, settings):
    with pytest.raises(PackageError):
        services.activity_create(upload=make_package(files={"content/x.js": "1"}), title="A", user=installer)
    assert stored_files(settings) == []
    assert not H5PLibrary.objects.exists()


def test_admin_upload_shows_each_problem_and_stores_nothing(client, admin_user):
    client.force_login(admin_user)
    url = "/admin/snippets/h5p/h5pactivity/add/"
    bad = make_package(files={"content/x.js": "1", "content/y.php": "2"})
    bad.name = "bad.h5p"

    response = client.post(url, {"title": "", "package": bad})

    html = response.content.decode()
    assert response.status_code == 200
    assert "content/x.js: tiedostotyyppi .js ei ole sallittu sisällössä." in html  # the trainer's language
    assert "content/y.php" in html
    assert not H5PActivity.objects.exists()

    good = make_package()
    good.name = "good.h5p"
    response = client.post(url, {"title": "Hyvä", "pass_mark": "80", "package": good})
    assert response.status_code == 302
    activity = H5PActivity.objects.get()
    assert (activity.title, activity.pass_mark) == ("Hyvä", 80)

    edit = f"/admin/snippets/h5p/h5pactivity/edit/{activity.pk}/"
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"title": "Uusi nimi", "pass_mark": ""}).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.pass_mark) == ("Uusi nimi", None)


def test_swedish_speaking_trainer_reads_the_problems_in_swedish(client, admin_user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "sv"
    profile.save()
    client.force_login(admin_user)
    bad = make_package(files={"content/x.js": "1"})
    bad.name = "bad.h5p"

    html = client.post("/admin/snippets/h5p/h5pactivity/add/", {"package": bad}).content.decode()

    assert "content/x.js: filtypen .js är inte tillåten i innehållet." in html


@pytest.mark.shared("h5p")
def test_every_real_package_installs(installer):
    real = sorted(H5P_DIR.glob("*.h5p"))
    for path in real:
        with path.open("rb") as upload:
            activity = services.activity_create(upload=upload, title=path.stem, user=installer)
        assert activity.libraries.filter(pk=activity.main_library_id).exists()
        assert private_storage().exists(f"{activity.content_path}/content/content.json")
        assert activity.filter_report == [], f"{path.name}: filtering must leave real content intact"
    assert H5PActivity.objects.count() == len(real)
    # libraries are shared: far fewer rows than the packages bundle in total
    assert H5PLibrary.objects.count() < sum(a.libraries.count() for a in H5PActivity.objects.all())


def stored_content(activity) -> dict:
    with private_storage().open(f"{activity.content_path}/content/content.json") as handle:
        return json.loads(handle.read())


def test_script_in_a_text_field_is_filtered_out_before_anyone_plays_it(installer):
    """The attack that made a trainer superuser: an onerror handler in an ordinary text field."""
    hostile = {
        "question": "<p>Onko <strong>tämä</strong> testi?<img src=x onerror=\"fetch('/admin/users/')\"></p>",
        "injected": "<script>alert(1)</script>",
        "image": {"path": "javascript:alert(1)", "mime": "image/png"},
    }
    activity = services.activity_create(
        upload=make_package(files={"content/content.json": json.dumps(hostile)}), title="T", user=installer
    )
    stored = stored_content(activity)
    assert stored == {"question": "<p>Onko <strong>tämä</strong> testi?</p>"}
    report = "\n".join(activity.filter_report)
    assert "question: removed <img onerror>" in report
    assert "injected" in report
    assert "image" in report


def test_metadata_in_h5p_json_is_filtered_too(installer):
    package = make_package()
    with zipfile.ZipFile(package) as archive:
        h5p = json.loads(archive.read("h5p.json"))
    h5p["authors"] = [{"name": "<img src=x onerror=alert(1)>", "role": "Author"}]
    activity = services.activity_create(upload=make_package(h5p=h5p), title="T", user=installer)
    assert "<img" not in json.dumps(activity.h5p_json)
    with private_storage().open(f"{activity.content_path}/h5p.json") as handle:
        assert "<img" not in handle.read().decode()


def test_the_trainer_is_told_what_was_removed(client, admin_user):
    client.force_login(admin_user)
    package = make_package(files={"content/content.json": json.dumps({"question": "<p>x<img src=x onerror=1></p>"})})
    package.name = "hostile.h5p"
    response = client.post("/admin/snippets/h5p/h5pactivity/add/", {"title": "", "package": package}, follow=True)
    html = response.content.decode()
    assert "question: poistettu &lt;img onerror&gt;" in html  # in the trainer's language
    activity = H5PActivity.objects.get()
    edit = client.get(f"/admin/snippets/h5p/h5pactivity/edit/{activity.pk}/").content.decode()
    assert "question: poistettu &lt;img onerror&gt;" in edit
