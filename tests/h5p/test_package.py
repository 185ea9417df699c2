"""Package validation with packages the tests build, and with real and hostile third-party ones."""

import io
import zipfile

import pytest

from lms.h5p.package import LibraryRef, PackageError, read_package
from tests.conftest import shared_files
from tests.h5p.conftest import H5P_BAD_DIR, library_json, make_package


def problems(package) -> str:
    with pytest.raises(PackageError) as error:
        read_package(package)
    return "\n".join(str(p) for p in error.value.problems)


def test_a_small_valid_package_reads():
    package = read_package(make_package())
    assert package.main_library == LibraryRef("H5P.Tiny", 1, 0)
    assert set(package.content_files) == {"content.json", "images/pixel.png"}
    assert package.libraries[package.main_library].patch == 0


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"../evil.txt": "x"}, "../evil.txt: points outside the package"),
        ({"content/../../evil.json": "{}"}, "points outside the package"),
        ({"/etc/passwd.txt": "x"}, "absolute or Windows-style path"),
        ({"content\\..\\evil.json": "{}"}, "absolute or Windows-style path"),
        ({"content/run.js": "alert(1)"}, "content/run.js: the file type .js is not allowed in content"),
        ({"content/page.html": "<p>"}, "the file type .html is not allowed in content"),
        ({"content/x.svg": "<svg/>"}, "the file type .svg is not allowed in content"),
        ({"H5P.Tiny-1.0/tool.exe": "MZ"}, "H5P.Tiny-1.0/tool.exe: the file type .exe is not allowed in a library"),
        ({"content/fake.png": "not an image"}, "content/fake.png: is not an image"),
        ({"content/content.json": "{broken"}, "content/content.json: is not valid JSON"),
        ({"h5p.json": "[]"}, "h5p.json: must be a JSON object"),
    ],
)
def test_bad_entries_are_reported_with_their_file(files, expected):
    assert expected in problems(make_package(files=files))


def test_every_problem_is_reported_not_just_the_first():
    text = problems(make_package(files={"content/a.js": "x", "content/b.php": "x"}))
    assert "content/a.js" in text
    assert "content/b.php" in text


def test_missing_pieces():
    assert "h5p.json: is missing" in problems(make_package(drop={"h5p.json"}))
    assert "content/content.json: is missing" in problems(make_package(drop={"content/content.json"}))
    assert "tiny.js: is listed in preloadedJs but missing" in problems(make_package(drop={"H5P.Tiny-1.0/tiny.js"}))


def test_a_dependency_must_be_bundled_or_installed():
    lib = library_json(preloadedDependencies=[{"machineName": "H5P.Other", "majorVersion": 2, "minorVersion": 1}])
    assert "needs the library H5P.Other 2.1" in problems(make_package(library=lib))
    package = read_package(make_package(library=lib), installed={LibraryRef("H5P.Other", 2, 1)})
    assert package.main_library.machine_name == "H5P.Tiny"


def test_the_main_library_must_be_runnable():
    assert "the main library is not runnable" in problems(make_package(library=library_json(runnable=0)))


def test_not_a_zip_and_a_corrupt_entry():
    assert "cannot be unpacked" in problems(io.BytesIO(b"PK\x03\x04 nonsense"))
    data = bytearray(make_package().getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        entry = archive.getinfo("content/content.json")
    start = entry.header_offset + 30 + len(entry.filename.encode()) + len(entry.extra)
    data[start + entry.compress_size // 2] ^= 0xFF  # flip a byte inside the entry's compressed data
    text = problems(io.BytesIO(bytes(data)))
    assert "cannot be unpacked" in text or "damaged" in text


def test_a_zip_bomb_is_refused():
    bomb = make_package(files={"content/big.txt": b"\0" * (50 * 2**20)})
    assert "zip bomb" in problems(bomb)


def test_links_are_refused():
    buffer = make_package()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        link = zipfile.ZipInfo("content/link.json")
        link.external_attr = 0o120777 << 16
        target.writestr(link, "/etc/passwd")
    out.seek(0)
    assert "content/link.json: is a link" in problems(out)


def test_a_newer_core_api_than_ours_is_refused():
    lib = library_json(coreApi={"majorVersion": 1, "minorVersion": 99})
    assert "needs H5P core 1.99" in problems(make_package(library=lib))


@pytest.mark.shared("h5p")
@pytest.mark.parametrize("path", shared_files("h5p", "*.h5p"), ids=lambda p: p.name)
def test_real_packages_validate(path):
    package = read_package(path)
    assert package.main_library in package.libraries


BAD = {
    "lumi-corrupt_archive.h5p": "cannot be unpacked",
    "lumi-broken-h5p-json.h5p": "h5p.json: is not valid JSON",
    "lumi-broken-content-json.h5p": "content/content.json: is not valid JSON",
    "lumi-invalid-h5p-json-schema.h5p": "h5p.json: the required field 'mainLibrary'",
    "lumi-malformed-library-directory.h5p": "library!: is not a valid library folder name",
    "lumi-invalid-library-json.h5p": "H5P.GreetingCard-1.0/library.json: the required field 'majorVersion'",
    "lumi-missing-preloaded-js.h5p": "H5P.GreetingCard-1.0/greetingcard.js: is listed in preloadedJs but missing",
    "lumi-invalid-library-directory-name.h5p": "H5P.GreetingCard-1.0: the folder name does not match",
    "lumi-invalid-language-file-json.h5p": "H5P.GreetingCard-1.0/language/fr.json: is not valid JSON",
    "lumi-h5p-with-virus.h5p": "content/eicar.jpg: is not an image",
    "lumi-xss-svg.h5p": "content/images/xss.svg: the file type .svg is not allowed in content",
}


@pytest.mark.shared("h5p-bad")
@pytest.mark.parametrize(("name", "expected"), sorted(BAD.items()))
def test_broken_and_hostile_packages_are_rejected_with_a_specific_message(name, expected):
    assert expected in problems(H5P_BAD_DIR / name)


@pytest.mark.shared("h5p-bad")
def test_two_broken_libraries_are_both_reported():
    text = problems(H5P_BAD_DIR / "lumi-2-invalid-libraries.h5p")
    assert "H5P.GreetingCard-1.0/language/XXX!.json" in text
    assert "H5P.GreetingCard2-1.0/library.json" in text


@pytest.mark.shared("h5p-bad")
def test_core_version_and_long_names_are_judged_like_hosts_do():
    read_package(H5P_BAD_DIR / "lumi-invalid-core-version.h5p")  # needs 1.19; we provide 1.27
    with pytest.raises(PackageError, match=r"needs H5P core 1\.19"):
        read_package(H5P_BAD_DIR / "lumi-invalid-core-version.h5p", core_api=(1, 18))
    package = read_package(H5P_BAD_DIR / "lumi-long_content_file_name.h5p")
    assert any(len(name) > 70 for name in package.content_files)
