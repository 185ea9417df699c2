"""Read and validate ``.h5p`` packages, before anything is stored.

Why our own module: there is no ``h5p-python`` on PyPI, and the one general package, ``pyh5p``
0.1.0, is an alpha built for *authoring* (it builds packages and fetches libraries from the H5P
Hub over the network). Its single extension allow-list lets ``js``, ``css``, ``wasm`` and ``svg``
into the content folder, where H5P hosts allow none of them, and it stops at the first problem.
A host needs the opposite: the rules of H5P's own validators (h5p-php-library's ``H5PValidator``,
Lumi's ``PackageValidator``), separate allow-lists for content and library files, every problem
reported at once with the file it concerns, and no network. That is a few hundred lines of
standard-library code, written and tested here against real and hostile packages.

Nothing in this module touches the database or storage: ``read_package`` returns a ``Package`` or
raises ``PackageError`` with every problem found.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

# H5P's default allow-lists (h5p-php-library H5PCore::$defaultContentWhitelist and
# $defaultLibraryWhitelistExtras), less what a browser renders as an active document: SVG and XML
# (an XHTML file is XML and runs its scripts when opened). No content type needs them in content.
# Libraries may ship SVG (icon fonts) because they are code that an administrator installs; the
# player's origin serves every SVG as a download under a sandboxing CSP.
CONTENT_EXTENSIONS = frozenset(
    (
        "json png jpg jpeg gif bmp tif tiff eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav txt pdf rtf "
        "doc docx xls xlsx ppt pptx odt ods odp csv diff patch swf md textile vtt webvtt gltf glb"
    ).split()
)
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css", "svg"}

MAX_FILES = 10_000
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per file and overall: above it is a zip bomb
MAX_PATH_LENGTH = 255

LIBRARY_DIR = re.compile(r"^([A-Za-z0-9_.-]+)-(\d+)\.(\d+)$")
MACHINE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
LANGUAGE_FILE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\.json$")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff"}


@dataclass(frozen=True)
class Problem:
    file: str
    message: str

    def __str__(self):
        return f"{self.file}: {self.message}" if self.file else self.message


class PackageError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True, order=True)
class LibraryRef:
    machine_name: str
    major: int
    minor: int

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"

    def __str__(self):
        return f"{self.machine_name} {self.major}.{self.minor}"


@dataclass
class Library:
    ref: LibraryRef
    patch: int
    title: str
    runnable: bool
    metadata: dict
    files: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # path inside the library folder

    @property
    def dependencies(self) -> list[LibraryRef]:
        return _refs(self.metadata.get("preloadedDependencies")) + _refs(self.metadata.get("dynamicDependencies"))


@dataclass
class Package:
    archive: zipfile.ZipFile
    h5p: dict
    content: dict
    main_library: LibraryRef
    dependencies: list[LibraryRef]
    libraries: dict[LibraryRef, Library]
    content_files: dict[str, zipfile.ZipInfo]  # path inside content/

    @property
    def title(self) -> str:
        return str(self.h5p.get("title", ""))

    def read(self, info: zipfile.ZipInfo) -> bytes:
        return self.archive.read(info)


def _refs(items) -> list[LibraryRef]:
    refs = []
    for item in items or []:
        try:
            refs.append(LibraryRef(str(item["machineName"]), int(item["majorVersion"]), int(item["minorVersion"])))
        except (KeyError, TypeError, ValueError):
            continue
    return refs


def _version_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.isdigit()


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, *, core_api: tuple[int, int]):
        self.archive = archive
        self.core_api = core_api
        self.problems: list[Problem] = []

    def problem(self, file: str, message: str) -> None:
        self.problems.append(Problem(file, message))

    def json(self, info: zipfile.ZipInfo):
        try:
            return json.loads(self.archive.read(info).decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            self.problem(info.filename, _("is not valid JSON (%(reason)s).") % {"reason": error})
            return None

    def entries(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.archive.infolist()
        if len(infos) > MAX_FILES:
            self.problem(
                "",
                _("The package has %(count)d files; at most %(max)d are allowed.")
                % {"count": len(infos), "max": MAX_FILES},
            )
            return {}
        total = compressed = 0
        files = {}
        for info in infos:
            name = info.filename
            mode = info.external_attr >> 16
            if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
                self.problem(name, _("has an absolute or Windows-style path."))
                continue
            parts = PurePosixPath(name).parts
            if any(part in {"..", "."} for part in parts) or "\x00" in name:
                self.problem(name, _("points outside the package."))
                continue
            if stat.S_ISLNK(mode):
                self.problem(name, _("is a link; links are not allowed."))
                continue
            if len(name) > MAX_PATH_LENGTH:
                self.problem(
                    name[:60] + "…", _("has a path longer than %(max)d characters.") % {"max": MAX_PATH_LENGTH}
                )
                continue
            if info.is_dir():
                continue
            if info.file_size > MAX_FILE_BYTES:
                self.problem(name, _("is too large (%(size)d MB).") % {"size": info.file_size // 2**20})
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                self.problem(name, _("is compressed suspiciously well (a zip bomb?)."))
                continue
            total += info.file_size
            compressed += info.compress_size
            files[name] = info
        if total > MAX_TOTAL_BYTES:
            self.problem(
                "",
                _("The package unpacks to %(size)d MB; at most %(max)d MB are allowed.")
                % {"size": total // 2**20, "max": MAX_TOTAL_BYTES // 2**20},
            )
            return {}
        if compressed and total / compressed > MAX_RATIO and total > 2**20:
            self.problem("", _("The package is compressed suspiciously well (a zip bomb?)."))
            return {}
        return files

    def check_h5p_json(self, files) -> dict | None:
        info = files.get("h5p.json")
        if info is None:
            self.problem("h5p.json", _("is missing: this is not an H5P package."))
            return None
        data = self.json(info)
        if data is None:
            return None
        if not isinstance(data, dict):
            self.problem("h5p.json", _("must be a JSON object."))
            return None
        for key in ("title", "mainLibrary", "language"):
            if not isinstance(data.get(key), str) or not data.get(key):
                self.problem("h5p.json", _("the required field '%(field)s' is missing or not text.") % {"field": key})
        deps = data.get("preloadedDependencies")
        if not isinstance(deps, list) or not deps:
            self.problem(
                "h5p.json",
                _("the required field '%(field)s' is missing or not a list.") % {"field": "preloadedDependencies"},
            )
        else:
            for dep in deps:
                if not (
                    isinstance(dep, dict)
                    and isinstance(dep.get("machineName"), str)
                    and _version_number(dep.get("majorVersion"))
                    and _version_number(dep.get("minorVersion"))
                ):
                    self.problem(
                        "h5p.json",
                        _("a dependency in 'preloadedDependencies' is malformed: %(dep)s")
                        % {"dep": json.dumps(dep)[:200]},
                    )
        return data

    def check_library(self, folder: str, files: dict[str, zipfile.ZipInfo]) -> Library | None:
        match = LIBRARY_DIR.match(folder)
        if not match:
            self.problem(folder, _("is not a valid library folder name (expected Name-major.minor)."))
            return None
        info = files.get("library.json")
        if info is None:
            self.problem(f"{folder}/library.json", _("is missing."))
            return None
        meta = self.json(info)
        if meta is None:
            return None
        where = f"{folder}/library.json"
        ok = isinstance(meta, dict)
        if ok:
            for key in ("title", "machineName"):
                if not isinstance(meta.get(key), str) or not meta.get(key):
                    self.problem(where, _("the required field '%(field)s' is missing or not text.") % {"field": key})
                    ok = False
            for key in ("majorVersion", "minorVersion", "patchVersion"):
                if not _version_number(meta.get(key)):
                    self.problem(
                        where, _("the required field '%(field)s' is missing or not a number.") % {"field": key}
                    )
                    ok = False
            if "runnable" in meta and meta["runnable"] not in (0, 1, True, False):
                self.problem(where, _("the field 'runnable' must be 0 or 1."))
                ok = False
        else:
            self.problem(where, _("must be a JSON object."))
        if not ok:
            return None
        if not MACHINE_NAME.match(meta["machineName"]):
            self.problem(where, _("the machine name '%(name)s' is not valid.") % {"name": meta["machineName"]})
            return None
        ref = LibraryRef(meta["machineName"], int(meta["majorVersion"]), int(meta["minorVersion"]))
        if ref.folder != folder:
            self.problem(
                folder,
                _("the folder name does not match the library it holds (%(library)s).") % {"library": ref.folder},
            )
            return None
        core = meta.get("coreApi")
        if isinstance(core, dict) and _version_number(core.get("majorVersion")):
            wanted = (int(core["majorVersion"]), int(core.get("minorVersion") or 0))
            if wanted > self.core_api:
                self.problem(
                    where,
                    _("needs H5P core %(wanted)s; this platform provides %(have)s.")
                    % {"wanted": "{}.{}".format(*wanted), "have": "{}.{}".format(*self.core_api)},
                )
                return None
        valid = True
        for kind in ("preloadedJs", "preloadedCss"):
            for item in meta.get(kind) or []:
                path = item.get("path") if isinstance(item, dict) else None
                if not isinstance(path, str) or path not in files:
                    self.problem(
                        f"{folder}/{path}", _("is listed in %(field)s but missing from the package.") % {"field": kind}
                    )
                    valid = False
        for path, file_info in files.items():
            extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
            if extension not in LIBRARY_EXTENSIONS:
                self.problem(
                    f"{folder}/{path}", _("the file type .%(ext)s is not allowed in a library.") % {"ext": extension}
                )
                valid = False
            elif path.startswith("language/") and path.count("/") == 1:
                if not LANGUAGE_FILE.match(path.split("/", 1)[1]):
                    self.problem(f"{folder}/{path}", _("is not a valid language file name."))
                    valid = False
                elif self.json(file_info) is None:
                    valid = False
            elif path == "semantics.json" and self.json(file_info) is None:
                valid = False
        if not valid:
            return None
        return Library(
            ref=ref,
            patch=int(meta["patchVersion"]),
            title=meta["title"],
            runnable=bool(meta.get("runnable")),
            metadata=meta,
            files=files,
        )

    def check_content(self, files: dict[str, zipfile.ZipInfo]) -> dict | None:
        info = files.get("content.json")
        if info is None:
            self.problem("content/content.json", _("is missing."))
            return None
        data = self.json(info)
        if data is not None and not isinstance(data, dict):
            self.problem("content/content.json", _("must be a JSON object."))
            return None
        for path, file_info in files.items():
            extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
            if extension not in CONTENT_EXTENSIONS:
                self.problem(
                    f"content/{path}", _("the file type .%(ext)s is not allowed in content.") % {"ext": extension}
                )
            elif extension in IMAGE_EXTENSIONS:
                with self.archive.open(file_info) as handle:
                    head = handle.read(16)
                if not head.startswith(IMAGE_MAGIC):
                    self.problem(f"content/{path}", _("is not an image, although its name says so."))
        return data


def read_package(file, *, installed: set[LibraryRef] = frozenset(), core_api: tuple[int, int] = (1, 27)) -> Package:
    """Open and validate an ``.h5p`` upload; raise ``PackageError`` listing every problem.

    ``installed`` are the libraries already on the platform: a dependency must be bundled in the
    package or installed.
    """
    try:
        archive = zipfile.ZipFile(file)
        broken = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise PackageError([Problem("", _("The file is not a valid H5P package (it cannot be unpacked)."))]) from None
    if broken is not None:
        raise PackageError([Problem(broken, _("is damaged in the archive (CRC error)."))])
    reader = _Reader(archive, core_api=core_api)
    files = reader.entries()
    if reader.problems:
        raise PackageError(reader.problems)
    h5p = reader.check_h5p_json(files)
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for name, info in files.items():
        top, _sep, rest = name.partition("/")
        if rest:  # files at the top besides h5p.json (read me notes) are ignored, as H5P hosts do
            groups.setdefault(top, {})[rest] = info
    content_files = groups.pop("content", {})
    content = reader.check_content(content_files)
    libraries: dict[LibraryRef, Library] = {}
    for folder in sorted(groups):
        library = reader.check_library(folder, groups[folder])
        if library is not None:
            libraries[library.ref] = library
    if reader.problems or h5p is None:
        raise PackageError(reader.problems)
    dependencies = _refs(h5p["preloadedDependencies"])
    main = next((d for d in dependencies if d.machine_name == h5p["mainLibrary"]), None)
    if main is None:
        reader.problem(
            "h5p.json", _("the main library %(name)s is not among its dependencies.") % {"name": h5p["mainLibrary"]}
        )
    elif main in libraries and not libraries[main].runnable:
        reader.problem(main.folder, _("the main library is not runnable."))
    # Every dependency, and theirs in turn, must be bundled or installed.
    seen: set[LibraryRef] = set()
    queue = list(dependencies)
    while queue:
        ref = queue.pop()
        if ref in seen:
            continue
        seen.add(ref)
        if ref in libraries:
            queue.extend(libraries[ref].dependencies)
        elif ref not in installed:
            reader.problem(
                "h5p.json",
                _("needs the library %(library)s, which is neither in the package nor installed.") % {"library": ref},
            )
    if reader.problems:
        raise PackageError(reader.problems)
    return Package(
        archive=archive,
        h5p=h5p,
        content=content,
        main_library=main,
        dependencies=dependencies,
        libraries=libraries,
        content_files=content_files,
    )
