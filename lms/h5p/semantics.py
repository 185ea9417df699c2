"""Filter H5P content parameters against the libraries' ``semantics.json``, as H5P hosts do.

Every H5P host rewrites a content's parameters before a learner's browser sees them: a text field
keeps only the HTML tags its semantics allow, a select keeps only its options, a sub-content keeps
only the libraries its field allows, and anything the semantics do not describe is dropped. H5P
content types are written for parameters filtered that way (they put text fields into the page as
HTML). This module is a port of h5p-php-library's ``H5PContentValidator`` (``h5p.classes.php``):
the same walk over the semantics, the same implied tags, style patterns, URL schemes, file keys and
metadata and copyright semantics. Where it differs from PHP, a comment says why; in short, it drops
values of the wrong type instead of coercing them, checks file paths and media types, never lets a
library's semantics allow tags that run script, and bounds its own work on hostile input.

HTML is cleaned with ``nh3``, the Python binding of the Rust crate ammonia. PHP uses Drupal 7's
regex-based ``filter_xss``; a regex cannot parse HTML the way a browser does, which is where
sanitiser bypasses come from. ammonia parses with html5ever, the HTML5 parser of Servo, and then
keeps only what an allow-list names (tags, attributes per tag, URL schemes), so what it returns is
what a browser will build. It is maintained, fast on real text (a whole course presentation in
milliseconds) and needs no configuration beyond the allow-lists that the semantics give us.

What was removed is found by comparing the tags and attributes before and after cleaning, both
parsed with ``html.parser``, so that harmless rewriting by the serialiser (entities re-encoded,
``<br/>`` written ``<br>``) is not reported. The input is first read by html5ever with everything
allowed: both sides then come from the same HTML5 parse, and ``html.parser``, which is quadratic on
malformed markup in Python 3.11, only ever sees well-formed serialiser output.

Pure: no database, no storage, no network. ``filter_content`` and ``filter_metadata`` return new
values and never raise on hostile input.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from html.entities import name2codepoint
from html.parser import HTMLParser

import nh3
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Content nested deeper than this (counted in semantics levels) is dropped and reported rather than
# walked: a deliberately deep content.json must not end in a RecursionError.
MAX_DEPTH = 100
# html5ever checks the stack of open elements for most start tags, and its serialiser slows with
# the square of the escapes in one text (a run of &s or no-break spaces): its time is bounded by the
# nesting, the length of one text and the rich text of one content. Real rich text nests a dozen
# levels and runs to some thousand characters. Text beyond these limits is dropped.
MAX_HTML_DEPTH = 100
MAX_HTML_LENGTH = 200_000
MAX_HTML_TOTAL = 5_000_000
# Python's re has no backtracking limit (PHP stops at pcre.backtrack_limit and keeps the text), so a
# semantics regexp is only tried on texts of at most this length, and only if it cannot backtrack
# exponentially (see _safe_pattern).
MAX_REGEXP_SUBJECT = 2_000
MAX_REMOVALS = 1_000  # a trainer reads the first ones; the rest are counted


@dataclass(frozen=True)
class Removal:
    path: str  # where in content.json, e.g. "questions[2].params.text"
    what: str  # short text for a trainer, e.g. 'removed <img onerror>'

    def __str__(self):
        return f"{self.path}: {self.what}" if self.path else self.what


SemanticsLookup = Callable[[str, int, int], list | None]


def filter_content(params: dict, *, library: str, semantics_for: SemanticsLookup) -> tuple[dict, list[Removal]]:
    """Filter content.json for its main ``library`` ("H5P.MultiChoice 1.16").

    Returns a new dict (``params`` is left untouched) and what was removed or changed, as PHP's
    ``H5PCore::filterParameters`` does with ``validateLibrary``.
    """
    walker = _Walker(semantics_for)
    ref = _library_ref(library)
    if ref is None:
        return {}, [
            Removal("", _('"%(library)s" is not a library name; content dropped') % {"library": _short(library)})
        ]
    semantics = walker.semantics(ref)
    if semantics is None:
        return {}, [Removal("", _("the semantics of %(library)s are unknown; content dropped") % {"library": library})]
    if not isinstance(params, dict):
        return {}, [Removal("", _wrong_type(params, "group"))]
    filtered = walker.group(params, {"fields": semantics}, "", 0, flatten=False)
    return (filtered if isinstance(filtered, dict) else {}), walker.report()


def filter_metadata(h5p_json: dict) -> tuple[dict, list[Removal]]:
    """Filter the metadata fields of h5p.json (title, authors, license, changes, …) per validateMetadata.

    The other keys of h5p.json (mainLibrary, preloadedDependencies, embedTypes, …) are structure that
    the package reader checks; they are copied unchanged. Text comes back HTML-escaped, as PHP stores
    it, so a template must unescape it (or mark it safe: it holds no markup) rather than escape it again.
    """
    walker = _Walker(lambda *_args: None, prefix="h5p.json")
    if not isinstance(h5p_json, dict):
        return {}, [Removal("h5p.json", _wrong_type(h5p_json, "group"))]
    metadata = walker.metadata({k: v for k, v in h5p_json.items() if k in METADATA_FIELDS}, "", 0)
    result = {}
    for key, value in h5p_json.items():
        if key in METADATA_FIELDS:
            if key in metadata:
                result[key] = metadata[key]
        else:
            copied = walker.copy(value, _key_path("", key), 1)
            if copied is not _DROP:
                result[key] = copied
    for key, value in metadata.items():
        result.setdefault(key, value)  # the license PHP assumes when there is none
    return result, walker.report()


# --- semantics that PHP builds in (H5PContentValidator::getMetadataSemantics, getCopyrightSemantics) ---

_CC_VERSIONS = [{"value": v} for v in ("4.0", "3.0", "2.5", "2.0", "1.0")]
METADATA_SEMANTICS = [
    {"name": "title", "type": "text"},
    {"name": "a11yTitle", "type": "text", "optional": True},
    {
        "name": "license",
        "type": "select",
        "options": [
            {"value": "U"},
            {
                "type": "optgroup",
                "options": [
                    {"value": v}
                    for v in ("CC BY", "CC BY-SA", "CC BY-ND", "CC BY-NC", "CC BY-NC-SA", "CC BY-NC-ND", "CC0 1.0")
                ]
                + [{"value": "CC PDM"}],
            },
            {"value": "GNU GPL"},
            {"value": "PD"},
            {"value": "ODC PDDL"},
            {"value": "C"},
        ],
    },
    {"name": "licenseVersion", "type": "select", "options": _CC_VERSIONS, "optional": True},
    {"name": "yearFrom", "type": "number", "min": -9999, "max": 9999, "optional": True},
    {"name": "yearTo", "type": "number", "min": -9999, "max": 9999, "optional": True},
    {"name": "source", "type": "text", "optional": True},
    {
        "name": "authors",
        "type": "list",
        "field": {
            "name": "author",
            "type": "group",
            "fields": [
                {"name": "name", "type": "text", "optional": True},
                {
                    "name": "role",
                    "type": "select",
                    "options": [{"value": v} for v in ("Author", "Editor", "Licensee", "Originator")],
                },
            ],
        },
    },
    {"name": "licenseExtras", "type": "text", "optional": True},
    {
        "name": "changes",
        "type": "list",
        "field": {
            "name": "change",
            "type": "group",
            "fields": [{"name": n, "type": "text", "optional": True} for n in ("date", "author", "log")],
        },
    },
    {"name": "authorComments", "type": "text", "optional": True},
    {"name": "contentType", "type": "text"},
    {"name": "defaultLanguage", "type": "text"},
]
METADATA_FIELDS = frozenset(field["name"] for field in METADATA_SEMANTICS)

COPYRIGHT_SEMANTICS = {
    "name": "copyright",
    "type": "group",
    "fields": [
        {"name": "title", "type": "text", "optional": True},
        {"name": "author", "type": "text", "optional": True},
        {"name": "year", "type": "text", "optional": True},
        {"name": "source", "type": "text", "optional": True, "regexp": {"pattern": "^http[s]?://.+", "modifiers": "i"}},
        {
            "name": "license",
            "type": "select",
            "options": [
                {"value": v}
                for v in ("U", "CC BY", "CC BY-SA", "CC BY-ND", "CC BY-NC", "CC BY-NC-SA", "CC BY-NC-ND", "GNU GPL")
            ]
            + [{"value": "PD"}, {"value": "C"}],
        },
        {"name": "version", "type": "select", "options": []},
    ],
}

# --- files -----------------------------------------------------------------------------------------

# _validateFilelike's keys per type, beyond path, mime and copyright.
FILE_KEYS = {
    "file": (),
    "image": ("width", "height", "originalImage"),
    "video": ("width", "height", "codecs", "quality", "bitrate"),
    "audio": (),
}
# PHP keeps any mime (escaped). We keep the types that H5P's editor produces: its upload allow-lists
# (h5peditor-file.class.php) and, for a web address, "<field type>/<extension or provider>" as in
# h5peditor-av.js. Anything else was not made by an H5P editor; SVG, which can carry script, is not
# an image here, as it is not a content file in package.py.
_AV_SUFFIXES = "webm mp4 ogv m4a mp3 ogg oga wav youtube panopto vimeo echo360 unknown".split()
MIME_TYPES = {
    "image": frozenset({"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/tiff"}),
    "video": frozenset({f"video/{s}" for s in _AV_SUFFIXES}),
    "audio": frozenset({f"audio/{s}" for s in _AV_SUFFIXES} | {"audio/mpeg", "audio/x-wav"}),
}
# H5PCore::$relativePathRegExp: a path copied from another content ("../content/12/images/a.png").
_OTHER_CONTENT_PATH = re.compile(r"^((\.\./){1,2})(.*content/)?(\d+|editor)/(.+)$", re.DOTALL)
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SUB_CONTENT_ID = re.compile(r"^\{?[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\}?$")
_LIBRARY_NAME = re.compile(r"^([\w0-9\-.]{1,255})[\- ]([0-9]{1,5})\.([0-9]{1,5})$")

# --- HTML ------------------------------------------------------------------------------------------

# Tags no semantics can allow: semantics come from uploaded packages, and these run script, load
# other documents or forms, or change how the rest of the page is parsed. PHP allows whatever is listed.
NEVER_TAGS = frozenset(
    "script style iframe frame frameset object embed applet template noscript noembed noframes xmp plaintext "
    "svg math form input button textarea select option base link meta title html head body".split()
)
# Cleaned away with their content, which is code or another document, not text.
_DROP_CONTENT_TAGS = frozenset("script style iframe noscript noembed noframes xmp plaintext template svg math".split())
# Raw-text elements: html5ever writes their content out unescaped.
_RAW_TEXT_TAGS = frozenset("script style iframe noscript noembed noframes xmp plaintext template".split())
_TABLE_PARTS = frozenset("tr td th colgroup col thead tbody tfoot caption".split())
# PHP (_filter_xss_attributes) keeps every attribute except style and on*; an allow-list cannot say
# "all but", so these are the attributes of rich text: everything CKEditor writes and the harmless
# rest. id and name are left out: they can shadow globals that H5P's scripts read (DOM clobbering).
ATTRIBUTES = {
    "*": {"title", "lang", "dir", "class"},
    "a": {"href", "target", "rel", "hreflang", "type"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing", "summary", "align", "width"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "td": {"colspan", "rowspan", "headers", "align", "valign"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr", "align", "valign"},
    "ol": {"start", "reversed", "type"},
    "ul": {"type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
}
# _strip_dangerous_protocols' schemes. PHP cuts a bad scheme off every attribute value (so
# href="javascript:alert(1)" becomes "alert(1)", and title="Note: x" loses "Note:"); ammonia removes
# a URL attribute with a bad scheme and leaves other attributes alone.
URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})
_URL_ATTRIBUTES = frozenset("href src cite action formaction data poster background longdesc xlink:href".split())
STYLEABLE_TAGS = frozenset("span p div h1 h2 h3 table col figure td th li".split())  # $allowed_styleable_tags

# validateText's style patterns, by the semantics that switch them on. Each is matched against one
# declaration, as PHP does; this is an allow-list of CSS values, the HTML itself is left to nh3.
_LENGTH = r"[0-9.]+(em|px|%)"
_COLOR = r"(#[a-f0-9]{3}[a-f0-9]{3}?|rgba?\([0-9, ]+\)|hsla?\([0-9,.% ]+\))"
_BORDER_STYLE = r"(none|solid|dotted|dashed|double|groove|ridge|inset|outset)"
STYLE_PATTERNS = {
    "size": [rf"^font-size: *{_LENGTH} *;?$"],
    "family": [r"^font-family: *[-a-z0-9,'&; ]+;?$"],
    "color": [rf"^color: *{_COLOR} *;?$"],
    "background": [rf"^background-color: *{_COLOR} *;?$"],
    "spacing": [rf"^letter-spacing: *{_LENGTH} *;?$"],
    "height": [r"^line-height: *[0-9.]+(em|px|%|) *;?$"],
    "table": [
        rf"^border: *[0-9.]+(em|px|%|) *{_BORDER_STYLE} *{_COLOR} *;?$",
        rf"^border-style: *{_BORDER_STYLE} *;?$",
        r"^border-width: *[0-9.]+(em|px|%|) *;?$",
        rf"^border-color: *{_COLOR} *;?$",
        r"^vertical-align: *(middle|top|bottom);?$",
        r"^padding: *[0-9.]+(em|px|%|) *;?$",
        r"^width: *[0-9.]+(em|px|%|) *;?$",
        r"^height: *[0-9.]+(em|px|%|) *;?$",
        r"^float: *(right|left|none) *;?$",
        r"^border-collapse: *collapse *;?$",
        rf"^background-color: *{_COLOR} *;?$",
    ],
    "align": [r"^text-align: *(center|left|right);?$"],
}
_HTML_TAG_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")

# For reporting only: everything the input may hold, so that the comparison sees it.
_EVERY_TAG = frozenset(
    (
        "a abbr acronym address applet area article aside audio b basefont bdi bdo bgsound big blink blockquote br "
        "button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt "
        "em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr i "
        "image img input ins isindex kbd keygen label legend li link listing main map mark marquee math menu "
        "menuitem meta meter nav nobr object ol optgroup option output p param picture pre progress q rb rp "
        "rt rtc ruby s samp search section select slot small source spacer span strike strong sub summary sup svg "
        "table tbody td textarea tfoot th thead time title tr track tt u ul var video wbr "
        "animate animatemotion animatetransform set use foreignobject"
    ).split()
)
_EVERY_SCHEME = frozenset(nh3.ALLOWED_URL_SCHEMES) | {
    "javascript",
    "vbscript",
    "livescript",
    "data",
    "file",
    "blob",
    "filesystem",
    "about",
    "view-source",
    "jar",
    "intent",
    "chrome",
    "ws",
    "wss",
}
_SEEN = "data-kyky-seen"
_URL_IGNORED = {9: None, 10: None, 13: None}  # browsers drop tabs and newlines from URLs


# --- the walk --------------------------------------------------------------------------------------

_DROP = object()


class _Walker:
    """One filtering run: the removals found so far and the semantics already looked up."""

    def __init__(self, semantics_for: SemanticsLookup, prefix: str = ""):
        self.semantics_for = semantics_for
        self.prefix = prefix
        self.removals: list[Removal] = []
        self._semantics: dict[tuple[str, int, int], list | None] = {}
        self.html_allowance = MAX_HTML_TOTAL
        self.unreported = 0
        self.handlers = {
            "text": self.text,
            "number": self.number,
            "boolean": self.boolean,
            "select": self.select,
            "list": self.list,
            "group": self.group,
            "file": self.file,
            "image": self.file,
            "video": self.media,
            "audio": self.media,
            "library": self.library,
        }

    def remove(self, path: str, what: str) -> None:
        if self.prefix:
            path = f"{self.prefix}: {path}" if path else self.prefix
        removal = Removal(path, what)
        if removal in self.removals[-20:]:
            return
        if len(self.removals) >= MAX_REMOVALS:
            self.unreported += 1
        else:
            self.removals.append(removal)

    def report(self) -> list[Removal]:
        if not self.unreported:
            return self.removals
        return [
            *self.removals,
            Removal(
                "",
                ngettext("and %(count)d more change", "and %(count)d more changes", self.unreported)
                % {"count": self.unreported},
            ),
        ]

    def semantics(self, ref: tuple[str, int, int]) -> list | None:
        if ref not in self._semantics:
            try:
                found = self.semantics_for(*ref)
            except Exception:  # a broken lookup is the same as an unknown library
                found = None
            self._semantics[ref] = found if isinstance(found, list) else None
        return self._semantics[ref]

    def value(self, value, field, path: str, depth: int):
        if depth > MAX_DEPTH:
            self.remove(path, _("nested deeper than %(max)d levels; dropped") % {"max": MAX_DEPTH})
            return _DROP
        if value is None:
            # Absent: PHP turns null into '' or 0, which adds nothing; dropping it loses nothing either.
            return _DROP
        kind = field.get("type")
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            self.remove(path, _('unknown field type "%(type)s" in the semantics; dropped') % {"type": _short(kind)})
            return _DROP
        return handler(value, field, path, depth)

    def wrong_type(self, path: str, value, kind: str):
        self.remove(path, _wrong_type(value, kind))
        return _DROP

    def clean_chars(self, text: str, path: str) -> str:
        """Drop NUL and lone surrogates: browsers ignore the one, UTF-8 cannot hold the other.

        PHP strips NUL in rich text only and empties a string that is not valid UTF-8; either can
        reach a database that refuses them, so every kept string loses them, reported.
        """
        cleaned = _BAD_CHARS.sub("", text)
        if cleaned != text:
            self.remove(path, _("removed invalid characters (NUL or broken Unicode)"))
        return cleaned

    # -- text ---------------------------------------------------------------------------------------

    def text(self, value, field, path, depth):
        if not isinstance(value, str):
            return self.wrong_type(path, value, "text")
        text = self.clean_chars(value, path)
        rich = field.get("tags") is not None
        text = self.rich_text(text, field, path) if rich else self.plain_text(text, path)
        limit = _whole_number(field.get("maxLength"))
        if limit is not None and limit >= 0 and len(text) > limit:
            text = self.shorten(text, limit, field)
            self.remove(path, _("shortened to %(max)d characters") % {"max": limit})
        if not (text == "" and field.get("optional")) and not _matches(text, field.get("regexp")):
            if text:
                self.remove(path, _("does not match the pattern the field requires; emptied"))
            text = ""
        return text

    def plain_text(self, text: str, path: str) -> str:
        if "<" in text:
            markup = _markup_found(text) if self.afford(text) else None
            if markup is None:
                self.remove(path, _("escaped HTML markup: this field takes plain text"))
            for tag in dict.fromkeys(tag for tag, _attrs in markup or ()):
                self.remove(path, _("escaped %(markup)s: this field takes plain text") % {"markup": f"<{tag[:40]}>"})
        return _escape(text)

    def rich_text(self, text: str, field, path: str) -> str:
        if len(text) > MAX_HTML_LENGTH:
            self.remove(path, _("text longer than %(max)d characters; dropped") % {"max": MAX_HTML_LENGTH})
            return ""
        if not self.afford(text):
            self.remove(path, _("more rich text than one content may hold; dropped"))
            return ""
        if _nesting_depth(text) > MAX_HTML_DEPTH:
            self.remove(path, _("HTML nested deeper than %(max)d levels; text dropped") % {"max": MAX_HTML_DEPTH})
            return ""
        tags = _allowed_tags(field.get("tags"))
        cleaner = _cleaner(tags, _style_switches(field))
        cleaned = _settle(cleaner, text)
        if "<" in text:
            for markup in _markup_removed(text, cleaned, tags):
                self.remove(path, _("removed %(markup)s") % {"markup": markup})
        return cleaned

    def shorten(self, text: str, limit: int, field) -> str:
        """mb_substr as PHP does, without cutting an entity in two; rich text is cleaned again after the cut."""
        if field.get("tags") is None:
            return _cut(text, limit)
        cleaner = _cleaner(_allowed_tags(field.get("tags")), _style_switches(field))
        cut = limit
        for _attempt in range(10):  # closing tags that the cut needs make the text longer again
            shortened = _settle(cleaner, _cut(text, cut))
            if len(shortened) <= limit or cut <= 0:
                return shortened
            cut -= len(shortened) - limit
        return ""

    def afford(self, text: str) -> bool:
        """Charge ``text`` to the run's allowance of rich text; False once it is spent."""
        if len(text) > self.html_allowance:
            return False
        self.html_allowance -= len(text)
        return True

    # -- number, boolean, select --------------------------------------------------------------------

    def number(self, value, field, path, depth):
        """validateNumber: clamp to min and max, snap to the step, round to the decimals.

        PHP sets a non-number to 0; that invents a value (a pass mark of 0), so it is dropped and the
        content type falls back to its default. A numeric string becomes a number: content types do
        arithmetic with it, and "5" + 1 is "51" in JavaScript.
        """
        number = _number(value)
        if number is None:
            return self.wrong_type(path, value, "number")
        minimum, maximum = _number(field.get("min")), _number(field.get("max"))
        if minimum is not None and number < minimum:
            number = minimum
            self.remove(
                path, _("%(value)s raised to the minimum %(min)s") % {"value": _fmt(value), "min": _fmt(minimum)}
            )
        if maximum is not None and number > maximum:
            number = maximum
            self.remove(
                path, _("%(value)s lowered to the maximum %(max)s") % {"value": _fmt(value), "max": _fmt(maximum)}
            )
        step = _number(field.get("step"))
        if step:
            snapped = _snap(number, step, minimum or 0)
            if snapped != number:
                self.remove(
                    path, _("%(value)s moved to a step of %(step)s") % {"value": _fmt(number), "step": _fmt(step)}
                )
                number = snapped
        decimals = _whole_number(field.get("decimals"))
        if decimals is not None:
            rounded = _round(number, decimals)
            if rounded != number:
                self.remove(
                    path,
                    _("%(value)s rounded to %(decimals)d decimals") % {"value": _fmt(number), "decimals": decimals},
                )
                number = rounded
        return number

    def boolean(self, value, field, path, depth):
        # PHP's validateBoolean only returns is_bool($bool), which validateGroup ignores: any value,
        # an object full of HTML included, passes. Here a non-boolean is dropped.
        if not isinstance(value, bool):
            return self.wrong_type(path, value, "boolean")
        return value

    def select(self, value, field, path, depth):
        """validateSelect: a value outside the options becomes the first option (multiple: is dropped).

        PHP turns every kept value into an escaped string; numbers and booleans stay as they are here,
        since escaping cannot change them and content types compare them strictly. A multiple select
        comes back as a list; PHP's unset() leaves gaps in the keys, which JSON writes as an object.
        """
        options = field.get("options")
        allowed = None
        if isinstance(options, list) and options:
            allowed = set()
            for option in options:
                if not isinstance(option, dict):
                    continue
                if option.get("type") == "optgroup" and isinstance(option.get("options"), list):
                    allowed.update(_option_key(o.get("value")) for o in option["options"] if isinstance(o, dict))
                elif option.get("value") is not None:
                    allowed.add(_option_key(option["value"]))
        strict = allowed is not None and not field.get("optional")
        if field.get("multiple"):
            chosen = []
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                item_path = f"{path}[{index}]"
                if item is None:
                    continue
                if not _is_scalar(item):
                    self.wrong_type(item_path, item, "text")
                elif strict and _option_key(item) not in allowed:
                    self.remove(item_path, _('"%(value)s" is not among the options; dropped') % {"value": _short(item)})
                else:
                    chosen.append(self.escape_scalar(item, item_path))
            return chosen
        if isinstance(value, list):
            value = value[0] if value else None  # PHP: "If we get an array in here, we chop off the first element"
        if strict and (not _is_scalar(value) or _option_key(value) not in allowed):
            first = options[0].get("value") if isinstance(options[0], dict) else None
            first = first if _is_scalar(first) else ""
            if value != first:
                self.remove(
                    path,
                    _('"%(value)s" is not among the options; set to "%(default)s"')
                    % {"value": _short(value), "default": _short(first)},
                )
            value = first
        if not _is_scalar(value):
            return self.wrong_type(path, value, "text")
        return self.escape_scalar(value, path)

    def escape_scalar(self, value, path):
        return _escape(self.clean_chars(value, path)) if isinstance(value, str) else value

    # -- list, group --------------------------------------------------------------------------------

    def list(self, value, field, path, depth):
        """validateList: cut to max items, filter each, and drop the list when nothing is left.

        PHP does not enforce min: items cannot be invented, and content types cope with fewer.
        """
        item_field = field.get("field")
        if not isinstance(item_field, dict):
            self.remove(path, _("the semantics give this list no item field; dropped"))
            return _DROP
        if not isinstance(value, list):
            return self.wrong_type(path, value, "list")
        maximum = _whole_number(field.get("max"))
        if maximum is not None and 0 <= maximum < len(value):
            self.remove(path, _("list shortened to %(max)d items") % {"max": maximum})
            value = value[:maximum]
        items = []
        for index, item in enumerate(value):
            filtered = self.value(item, item_field, f"{path}[{index}]", depth + 1)
            if filtered is not _DROP:
                items.append(filtered)
        return items or _DROP

    def group(self, value, field, path, depth, flatten=True):
        """validateGroup: a group of one field is stored as that field's value (the editor compresses it)."""
        fields = field.get("fields")
        fields = fields if isinstance(fields, list) else []
        sub_content = field.get("isSubContent") is True
        if len(fields) == 1 and flatten and not sub_content:
            if not isinstance(fields[0], dict):
                self.remove(path, _("the semantics of this group are broken; dropped"))
                return _DROP
            return self.value(value, fields[0], path, depth + 1)
        if not isinstance(value, dict):
            return self.wrong_type(path, value, "group")
        by_name = {}
        for child in fields:
            if isinstance(child, dict) and isinstance(child.get("name"), str):
                by_name.setdefault(child["name"], child)
        filtered = {}
        for key, item in value.items():
            item_path = _key_path(path, key)
            if sub_content and key == "subContentId":
                # PHP keeps it unchecked here; it gets validateLibrary's check instead.
                kept = _DROP if item is None else self.sub_content_id(item, item_path)
                if kept is not _DROP:
                    filtered[key] = kept
                continue
            child = by_name.get(key) if isinstance(key, str) else None
            if child is None:
                self.remove(path, _('unknown field "%(name)s" dropped') % {"name": _short(key)})
                continue
            if field.get("optional") and not child.get("optional"):
                child = {**child, "optional": True}
            kept = self.value(item, child, item_path, depth + 1)
            if kept is not _DROP:
                filtered[key] = kept
        return filtered

    # -- files --------------------------------------------------------------------------------------

    def media(self, value, field, path, depth):
        """validateVideo, validateAudio: a list of files, the variants of one recording."""
        if not isinstance(value, list):
            return self.wrong_type(path, value, "list")
        variants = []
        for index, variant in enumerate(value):
            kept = self.file(variant, field, f"{path}[{index}]", depth + 1)
            if kept is not _DROP:
                variants.append(kept)
        return variants

    def file(self, value, field, path, depth, kind=None):
        """_validateFilelike, plus checks PHP leaves to the player: where the path points, and the type.

        H5P's player resolves a path against the content folder unless it is a web address. A file or
        image must be a file of this content; a video or audio may also be an http(s) address.
        """
        kind = kind or field.get("type")
        kind = kind if kind in FILE_KEYS else "file"
        if depth > MAX_DEPTH:
            self.remove(path, _("nested deeper than %(max)d levels; dropped") % {"max": MAX_DEPTH})
            return _DROP
        if not isinstance(value, dict):
            return self.wrong_type(path, value, "file")
        location = value.get("path")
        if not isinstance(location, str):
            self.remove(path, _("a file without a path; dropped"))
            return _DROP
        location = self.clean_chars(location, f"{path}.path")
        match = _OTHER_CONTENT_PATH.match(location)
        if match:
            location = match.group(5)
        while location.endswith("#tmp"):
            location = location[:-4]
        problem = _file_path_problem(location, web=kind in ("video", "audio"))
        if problem:
            self.remove(path, problem % {"path": _short(location)})
            return _DROP
        mime = value.get("mime")
        if mime is not None and not isinstance(mime, str):
            self.wrong_type(f"{path}.mime", mime, "text")
            mime = None
        allowed_mimes = MIME_TYPES.get(kind)
        field_mimes = field.get("mimes")
        if isinstance(mime, str) and (
            (allowed_mimes is not None and mime.lower() not in allowed_mimes)
            or (isinstance(field_mimes, list) and mime not in field_mimes)
        ):
            self.remove(path, _('a file of type "%(mime)s" is not allowed here; dropped') % {"mime": _short(mime)})
            return _DROP
        valid = {"path", "mime", "copyright", *FILE_KEYS[kind]}
        extra = field.get("extraAttributes")
        if isinstance(extra, list):
            valid.update(key for key in extra if isinstance(key, str))
        filtered = {}
        for key, item in value.items():
            item_path = _key_path(path, key)
            if key not in valid:
                self.remove(path, _('unknown field "%(name)s" dropped') % {"name": _short(key)})
                continue
            if item is None and key != "mime":
                continue
            kept = self.file_key(key, item, location, mime, field, item_path, depth)
            if kept is not _DROP:
                filtered[key] = kept
        return filtered

    def file_key(self, key, item, location, mime, field, path, depth):
        if key == "path":
            return _escape(location)
        if key == "mime":
            return _escape(self.clean_chars(mime, path)) if mime is not None else _DROP
        if key in ("width", "height", "bitrate"):
            number = _intval(item)
            return self.wrong_type(path, item, "number") if number is None else number
        if key == "codecs":
            return self.escape_scalar(item, path) if _is_scalar(item) else self.wrong_type(path, item, "text")
        if key == "quality":
            if not isinstance(item, dict) or item.get("level") is None or not _is_scalar(item.get("label")):
                self.remove(path, _("an incomplete video quality; dropped"))
                return _DROP
            level = _intval(item["level"])
            return {"level": level or 0, "label": self.escape_scalar(item["label"], f"{path}.label")}
        if key == "copyright":
            return self.group(item, COPYRIGHT_SEMANTICS, path, depth + 1)
        if key == "originalImage":
            # PHP keeps the editor's pre-crop original unchecked; it is a path like any other.
            return self.file(item, {"type": "image"}, path, depth + 1, kind="image")
        copied = self.copy(item, path, depth + 1)  # an extraAttribute: PHP keeps it as it is
        if key == "metadata" and isinstance(copied, dict) and isinstance(copied.get("qualityName"), str):
            copied["qualityName"] = _escape(copied["qualityName"])
        return copied

    # -- library ------------------------------------------------------------------------------------

    def library(self, value, field, path, depth):
        """validateLibrary: the library must be one of the field's options; its params follow its semantics."""
        if not isinstance(value, dict):
            return self.wrong_type(path, value, "library")
        name = value.get("library")
        if name is None:
            return _DROP  # the editor leaves such empty entries; PHP drops them without a word
        if not isinstance(name, str):
            return self.wrong_type(f"{path}.library", name, "text")
        options = field.get("options")
        allowed = [
            option.get("name") if isinstance(option, dict) else option
            for option in (options if isinstance(options, list) else [])
        ]
        if name not in allowed:
            machine_name = name.split(" ")[0]
            other = next((a for a in allowed if isinstance(a, str) and a.split(" ")[0] == machine_name), None)
            if other:
                message = _("%(library)s is not the version this field takes (%(expected)s); dropped") % {
                    "library": _short(name),
                    "expected": _short(other),
                }
            else:
                message = _("the library %(library)s is not allowed here; dropped") % {"library": _short(name)}
            self.remove(path, message)
            return _DROP
        ref = _library_ref(name)
        semantics = self.semantics(ref) if ref else None
        valid = {"library", "params", "subContentId", "metadata"}
        extra = field.get("extraAttributes")
        if isinstance(extra, list):
            valid.update(key for key in extra if isinstance(key, str))
        filtered = {}
        for key, item in value.items():
            item_path = _key_path(path, key)
            if key not in valid:
                self.remove(path, _('unknown field "%(name)s" dropped') % {"name": _short(key)})
                continue
            if item is None:
                continue
            if key == "library":
                kept = name
            elif key == "params":
                if semantics is None:
                    # PHP 7 walks the params with no fields and so removes every one of them.
                    if item:
                        self.remove(
                            item_path,
                            _("the semantics of %(library)s are unknown; its content was dropped") % {"library": name},
                        )
                    kept = {}
                elif not isinstance(item, dict):
                    kept = self.wrong_type(item_path, item, "group")
                else:
                    kept = self.group(item, {"fields": semantics}, item_path, depth + 1, flatten=False)
            elif key == "metadata" and isinstance(item, dict):
                kept = self.metadata(item, item_path, depth + 1)
            elif key == "metadata":
                kept = _DROP if item is None else self.wrong_type(item_path, item, "group")
            elif key == "subContentId":
                kept = self.sub_content_id(item, item_path)
            else:
                kept = self.copy(item, item_path, depth + 1)
            if kept is not _DROP:
                filtered[key] = kept
        return filtered

    def sub_content_id(self, value, path):
        if isinstance(value, str) and _SUB_CONTENT_ID.match(value):
            return value
        self.remove(path, _("not a valid sub-content id; dropped"))
        return _DROP

    def metadata(self, value: dict, path: str, depth: int) -> dict:
        """validateMetadata, including its default license "U" for content that has none."""
        if value.get("license") is None:
            value = {**value, "license": "U"}
        filtered = self.group(value, {"type": "group", "fields": METADATA_SEMANTICS}, path, depth, flatten=False)
        return filtered if isinstance(filtered, dict) else {}

    # -- values the semantics do not describe -------------------------------------------------------

    def copy(self, value, path, depth):
        """A JSON value kept as it is (extraAttributes, h5p.json's own keys), bounded and cleaned."""
        if depth > MAX_DEPTH:
            self.remove(path, _("nested deeper than %(max)d levels; dropped") % {"max": MAX_DEPTH})
            return _DROP
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            number = _number(value)
            return self.wrong_type(path, value, "number") if number is None else number
        if isinstance(value, str):
            return self.clean_chars(value, path)
        if isinstance(value, list):
            items = (self.copy(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
            return [item for item in items if item is not _DROP]
        if isinstance(value, dict):
            copied = {}
            for key, item in value.items():
                kept = self.copy(item, _key_path(path, key), depth + 1) if isinstance(key, str) else _DROP
                if kept is not _DROP:
                    copied[key] = kept
            return copied
        return self.wrong_type(path, value, "text")


# --- helpers ---------------------------------------------------------------------------------------

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_PHP_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*\Z")
_PHP_INT_PREFIX = re.compile(r"[ \t\n\r\v\f]*[+-]?\d+")
_ENTITY_OR_SPECIAL = re.compile(r"&(?:#([0-9]+);|#[xX]([0-9a-fA-F]+);|([A-Za-z0-9]+);)?|[<>\"']")
_ENTITY_TAIL = re.compile(r"&[#A-Za-z0-9]{0,40}\Z")
_FORMATTING_TAGS = frozenset("a b big code em font i nobr s small strike strong tt u".split())
_SCOPE_TAGS = frozenset("table caption td th marquee object applet template html svg math select".split())
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_VOID_OR_SELF_CLOSING = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option optgroup rb rt rp rtc thead tbody tfoot caption colgroup".split()
)


def _wrong_type(value, kind: str) -> str:
    expected = {
        "text": _("text"),
        "number": _("a number"),
        "boolean": _("true or false"),
        "list": _("a list"),
        "group": _("a group of fields"),
        "file": _("a file"),
        "library": _("content of a library"),
    }[kind]
    if isinstance(value, bool):
        found = _("true or false")
    elif isinstance(value, float) and not math.isfinite(value):
        found = _("a number that is not finite")
    elif isinstance(value, int) and _number(value) is None:
        found = _("a number too large")
    elif isinstance(value, int | float):
        found = _("a number")
    elif isinstance(value, str):
        found = _("text")
    elif isinstance(value, list):
        found = _("a list")
    elif isinstance(value, dict):
        found = _("an object")
    else:
        found = _("nothing")
    return _("expected %(expected)s, found %(found)s; dropped") % {"expected": expected, "found": found}


def _short(value, limit: int = 60) -> str:
    if isinstance(value, list | tuple):
        text = "[…]"
    elif isinstance(value, dict):
        text = "{…}"
    elif value is None or isinstance(value, bool):
        text = json.dumps(value)
    elif isinstance(value, int) and value.bit_length() > 200:
        text = "…"
    else:
        text = _BAD_CHARS.sub("", str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def _key_path(path: str, key) -> str:
    if isinstance(key, str) and _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(_short(str(key)))}]"


def _library_ref(name) -> tuple[str, int, int] | None:
    """H5PCore::libraryFromString: "H5P.Text 1.1" (or "H5P.Text-1.1")."""
    match = _LIBRARY_NAME.match(name) if isinstance(name, str) else None
    return (match.group(1), int(match.group(2)), int(match.group(3))) if match else None


def _is_scalar(value) -> bool:
    return isinstance(value, str | bool) or _number(value) is not None


def _option_key(value):
    """The key PHP's array would use for a select value: "1" and 1 are the same option."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str) and re.fullmatch(r"0|-?[1-9][0-9]{0,17}", value):
        return int(value)
    if value is None:
        return ""
    return value if isinstance(value, str | int) else None


def _number(value):
    """A finite number, from a number or a PHP numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # PHP holds 64-bit integers and turns larger ones into floats; Python's ints have no end,
        # and one of thousands of digits cannot even be written back as JSON.
        return value if value.bit_length() < 64 else _finite(float(value)) if value.bit_length() < 1024 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and len(value) < 400 and _PHP_NUMERIC.match(value):
        stripped = value.strip(" \t\n\r\v\f")
        try:
            return int(stripped) if re.fullmatch(r"[+-]?\d+", stripped) else _finite(float(stripped))
        except ValueError:
            return None
    return None


def _finite(number: float):
    return number if math.isfinite(number) else None


def _whole_number(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _intval(value) -> int | None:
    """PHP's intval for the scalars a file's width, height and bitrate may hold; None for the rest."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        number = _number(value)
        return int(number) if number is not None and abs(number) < 2**63 else 0
    if isinstance(value, str):
        number = _number(value)
        if number is not None:
            return int(number)
        match = _PHP_INT_PREFIX.match(value)
        return int(match.group()) if match else 0
    return None


def _snap(number, step, base):
    """The step check of validateNumber, in exact decimals.

    PHP's % casts both sides to integers, so a fractional step divides by zero (PHP 8 stops) and a
    fractional value ignores its fraction. Here the remainder is exact; it keeps the dividend's sign,
    as PHP's does.
    """
    try:
        value, step_d, base_d = Decimal(repr(number)), Decimal(repr(step)), Decimal(repr(base))
        rest = (value - base_d) % step_d
    except (InvalidOperation, ArithmeticError):
        return number
    if rest == 0:
        return number
    return _to_number(value - rest, number)


def _round(number, decimals: int):
    """PHP's round(): half away from zero."""
    try:
        rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ArithmeticError):
        return number
    return _to_number(rounded, number)


def _to_number(value: Decimal, like):
    if isinstance(like, int) and value == value.to_integral_value():
        return int(value)
    return float(value)


def _fmt(number) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return _short(number, 30)


def _escape(text: str) -> str:
    """htmlspecialchars($text, ENT_QUOTES, 'UTF-8', FALSE): escape, but leave valid entities alone."""

    def replace(match):
        char = match.group()
        if char[0] != "&":
            return {"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"}[char]
        decimal, hexadecimal, name = match.groups()
        digits, base = (decimal, 10) if decimal is not None else (hexadecimal, 16)
        if digits is not None:
            digits = digits.lstrip("0") or "0"
            if len(digits) <= 7 and int(digits, base) <= 0x10FFFF:
                return char
            return "&amp;" + char[1:]
        if name is not None and name in name2codepoint:  # PHP's HTML 4.01 table, which has no &apos;
            return char
        return "&amp;" + char[1:]

    return _ENTITY_OR_SPECIAL.sub(replace, text)


def _cut(text: str, limit: int) -> str:
    cut = text[: max(limit, 0)]
    tail = _ENTITY_TAIL.search(cut[-41:])
    if tail:
        cut = cut[: len(cut) - len(tail.group())]
    return cut


def _file_path_problem(location: str, *, web: bool) -> str | None:
    """Why a file path is refused, as a message with %(path)s; None if it is fine."""
    if not location:
        return _("a file without a path; dropped")
    scheme = _URL_SCHEME.match(location)
    if scheme:
        web_address = scheme.group(1).lower() in ("http", "https") and location[scheme.end() :].startswith("//")
        if web_address and web:
            return None
        if web_address:
            return _('the web address "%(path)s" is not allowed here, only a file of this content; dropped')
        return _('the file path "%(path)s" is not allowed; dropped')
    parts = location.split("/")
    if location.startswith("/") or "\\" in location or any(part in ("..", ".") for part in parts):
        return _('the file path "%(path)s" points outside the content; dropped')
    if any(ord(char) < 32 for char in location):
        return _('the file path "%(path)s" is not allowed; dropped')
    return None


def _matches(text: str, regexp) -> bool:
    """The semantics regexp of a text field; True when it cannot be tried, as PHP keeps the text then."""
    if not isinstance(regexp, dict) or not isinstance(regexp.get("pattern"), str):
        return True
    modifiers = regexp.get("modifiers") if isinstance(regexp.get("modifiers"), str) else ""
    if len(text) > MAX_REGEXP_SUBJECT:
        return True
    compiled = _compile(regexp["pattern"], modifiers)
    return compiled is None or compiled.search(text) is not None


@lru_cache(maxsize=256)
def _compile(pattern: str, modifiers: str) -> re.Pattern | None:
    flags = 0
    for modifier in modifiers:
        if modifier not in "imsxu":
            return None  # PHP warns about an unknown modifier and preg_match returns FALSE
        flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}[modifier]
    if len(pattern) > 1000 or not _safe_pattern(pattern, flags):
        return None
    try:
        return re.compile(pattern, flags)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def _safe_pattern(pattern: str, flags: int) -> bool:
    """No repetition inside a repetition, no alternative under one, at most two unbounded repeats.

    Those are what make backtracking explode (catastrophic or polynomial); patterns in H5P semantics
    (URLs, colours, numbers) have none of them.
    """
    try:
        from re import _constants, _parser  # the parser re itself uses; there is no public one

        tree = _parser.parse(pattern, flags)
    except Exception:
        return False
    repeats = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, getattr(_constants, "POSSESSIVE_REPEAT", None))
    unbounded = 0

    def walk(items, inside_repeat: bool) -> bool:
        nonlocal unbounded
        for op, av in items:
            if op in repeats:
                _low, high, sub = av
                if high > 1 and inside_repeat:
                    return False
                if high == _constants.MAXREPEAT:
                    unbounded += 1
                if not walk(sub, inside_repeat or high > 1):
                    return False
            elif op is _constants.BRANCH:
                if inside_repeat:
                    return False
                if not all(walk(branch, inside_repeat) for branch in av[1]):
                    return False
            elif op is _constants.SUBPATTERN:
                if not walk(av[-1], inside_repeat):
                    return False
            elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
                if not walk(av[1], inside_repeat):
                    return False
            elif op is getattr(_constants, "ATOMIC_GROUP", None):
                if not walk(av, inside_repeat):
                    return False
            elif op is _constants.GROUPREF_EXISTS:
                return False
        return True

    return walk(tree, False) and unbounded <= 2


# --- HTML helpers ----------------------------------------------------------------------------------


def _allowed_tags(semantic_tags) -> frozenset[str]:
    """validateText's tags: the semantics' own, div span p br, and the tags PHP implies.

    PHP adds strong for b and em for i; the reverse is added too (as Lumi does), since they render
    alike and a paste may bring either. A table brings caption too, which PHP forgets. Table parts
    come only with table: html5ever drops a lone <td>, so allowing one would make filtering twice
    differ from filtering once.
    """
    tags = {"div", "span", "p", "br"}
    for tag in semantic_tags if isinstance(semantic_tags, list) else []:
        if isinstance(tag, str) and _HTML_TAG_NAME.match(tag.lower()):
            tags.add(tag.lower())
    if "table" in tags:
        tags |= {"tr", "td", "th", "colgroup", "col", "thead", "tbody", "tfoot", "caption", "figure", "figcaption"}
    else:
        tags -= _TABLE_PARTS
    for pair in ({"b", "strong"}, {"i", "em"}):
        if tags & pair:
            tags |= pair
    if tags & {"ul", "ol"}:
        tags.add("li")
    if tags & {"del", "strike"}:
        tags.add("s")
    return frozenset(tags - NEVER_TAGS)


def _style_switches(field) -> tuple[str, ...]:
    font = field.get("font")
    switches = [
        name
        for name in ("size", "family", "color", "background", "spacing", "height")
        if isinstance(font, dict) and font.get(name)
    ]
    tags = field.get("tags")
    if isinstance(tags, list) and "table" in tags:
        switches.append("table")
    switches.append("align")  # "Alignment is allowed for all wysiwyg texts"
    return tuple(switches)


@lru_cache(maxsize=128)
def _cleaner(tags: frozenset[str], switches: tuple[str, ...]) -> nh3.Cleaner:
    patterns = [re.compile(p, re.IGNORECASE) for switch in switches for p in STYLE_PATTERNS[switch]]

    def keep_styles(tag: str, attribute: str, value: str) -> str | None:
        # PHP writes the kept declarations in the order of its patterns and leaves style=";" when none
        # is kept; here they keep their order and an empty style goes.
        if attribute != "style":
            return value
        declarations = _declarations(value)
        kept = [d for d in declarations if any(p.match(d) for p in patterns)]
        if len(kept) == len(declarations) and '"' not in value:
            return value
        return "; ".join(kept) or None

    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items() if tag == "*" or tag in tags}
    for tag in STYLEABLE_TAGS & tags:
        attributes.setdefault(tag, set()).add("style")
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags=set(_DROP_CONTENT_TAGS),
        attributes=attributes,
        attribute_filter=keep_styles,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
    )


def _declarations(style: str) -> list[str]:
    """A style attribute's declarations, as PHP splits them; font-family's quotes as PHP rewrites them."""
    declarations = []
    for declaration in style.split(";"):
        declaration = declaration.strip()
        if declaration.lower().startswith("font-family"):
            declaration = declaration.replace('"', "'")
        if declaration:
            declarations.append(declaration)
    return declarations


def _settle(cleaner: nh3.Cleaner, text: str) -> str:
    """Clean until nothing changes: a tree html5ever built from broken markup can serialise into
    markup that parses into another tree (a <p> held in a stripped <button> inside a <p>)."""
    cleaned = cleaner.clean(text)
    if "<" not in text:
        return cleaned  # text alone serialises to text that parses back the same
    for _attempt in range(3):
        again = cleaner.clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def _nesting_depth(text: str) -> int:
    """How deep html5ever will nest the elements of ``text``, estimated in one linear pass.

    Only a guard on html5ever's work, so it errs high. An end tag closes up to its start tag unless
    a table or cell lies between (html5ever ignores it then); elements closed by their next sibling
    (p, li, td, …) do not count. Formatting elements (b, a, font, …) stay counted until their own end
    tag: html5ever rebuilds them after a block closes, so they nest again however they were closed.
    """
    stack: list[str] = []
    formatting: list[str] = []
    for match in _TAG_TOKEN.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID_OR_SELF_CLOSING:
            continue
        if name in _FORMATTING_TAGS:
            if not closing:
                formatting.append(name)
            elif name in formatting:
                del formatting[len(formatting) - 1 - formatting[::-1].index(name)]
        elif not closing:
            stack.append(name)
        else:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index] == name:
                    del stack[index:]
                    break
                if stack[index] in _SCOPE_TAGS:
                    break
        if len(stack) + len(formatting) > MAX_HTML_DEPTH:
            return len(stack) + len(formatting)
    return len(stack) + len(formatting)


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes: dict[str, str] = {}
        for name, value in attrs:
            attributes.setdefault(name, value or "")
        self.found.append((tag, attributes))


def _start_tags(serialised: str) -> list[tuple[str, dict[str, str]]]:
    parser = _StartTags()
    with contextlib.suppress(Exception):  # it asserts on some declarations; what it read so far counts
        parser.feed(serialised)
        parser.close()
    return parser.found


_EVERYTHING = nh3.Cleaner(
    tags=set(_EVERY_TAG - _RAW_TEXT_TAGS),
    clean_content_tags=set(_RAW_TEXT_TAGS),
    attributes={},
    generic_attribute_prefixes={""},
    strip_comments=True,
    link_rel=None,
    url_schemes=set(_EVERY_SCHEME),
)


def _markup_found(text: str) -> list[tuple[str, dict[str, str]]] | None:
    """The elements in ``text`` with their attributes, in order; None if it is too big to read safely."""
    if len(text) > MAX_HTML_LENGTH or _nesting_depth(text) > MAX_HTML_DEPTH:
        return None
    found = _start_tags(_EVERYTHING.clean(text))
    lowered = text.lower()
    if any(f"<{tag}" in lowered for tag in _RAW_TEXT_TAGS):
        found += _raw_text_elements(text)
    return found


def _raw_text_elements(text: str) -> list[tuple[str, dict[str, str]]]:
    """Script, style, iframe and the like, which html5ever writes out with their content unescaped.

    Their content may be anything (html.parser would read it as markup), so they are collected from
    nh3's attribute callback instead, each closed by a marker attribute that nh3 sets on every one.
    """
    elements: list[tuple[str, dict[str, str]]] = []
    attributes: dict[str, str] = {}

    def record(tag: str, attribute: str, value: str) -> None:
        nonlocal attributes
        if tag not in _RAW_TEXT_TAGS:
            return None
        if attribute == _SEEN:
            elements.append((tag, attributes))
            attributes = {}
        else:
            attributes.setdefault(attribute, value)
        return None

    nh3.clean(
        text,
        tags=set(_RAW_TEXT_TAGS),
        clean_content_tags=set(),
        attributes={},
        generic_attribute_prefixes={""},
        attribute_filter=record,
        set_tag_attribute_values={tag: {_SEEN: "1"} for tag in _RAW_TEXT_TAGS},
        strip_comments=True,
        link_rel=None,
        url_schemes=set(_EVERY_SCHEME),
    )
    return elements


def _markup_removed(source: str, cleaned: str, allowed: frozenset[str]) -> list[str]:
    """What cleaning took away, as markup a trainer recognises: '<img onerror>', '<a href="javascript:…">'.

    Elements are matched by tag name, in order: cleaning keeps the order of the elements it keeps.
    """
    found = _markup_found(source)
    if found is None:
        return []
    kept_by_tag: dict[str, deque] = defaultdict(deque)
    for tag, attributes in _start_tags(cleaned):
        kept_by_tag[tag].append(attributes)
    removed = []
    for tag, attributes in found:
        short_tag = tag[:40]
        if tag not in allowed or not kept_by_tag[tag]:
            handlers = [name[:40] for name in attributes if name.startswith("on")]
            removed.append("<" + " ".join([short_tag, *handlers]) + ">")
            continue
        kept = kept_by_tag[tag].popleft()
        for name, value in attributes.items():
            if name == "style":
                left = set(_declarations(kept.get("style", "")))
                properties = [d.split(":")[0].strip().lower()[:40] for d in _declarations(value) if d not in left]
                if properties:
                    removed.append(f'<{short_tag} style="{", ".join(dict.fromkeys(properties))}">')
            elif name not in kept:
                scheme = _URL_SCHEME.match(value.strip().translate(_URL_IGNORED))
                if name in _URL_ATTRIBUTES and scheme:
                    removed.append(f'<{short_tag} {name[:40]}="{scheme.group(1).lower()[:20]}:…">')
                else:
                    removed.append(f"<{short_tag} {name[:40]}>")
    return list(dict.fromkeys(removed))
