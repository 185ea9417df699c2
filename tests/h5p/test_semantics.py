"""Content filtering against semantics.json: real packages stay intact, attacks are stopped and reported."""

import copy
import json
import time
from pathlib import Path

import pytest

from lms.h5p.package import LibraryRef, read_package
from lms.h5p.semantics import (
    MAX_DEPTH,
    MAX_HTML_LENGTH,
    Removal,
    filter_content,
    filter_metadata,
)
from tests.conftest import SHARED, shared_files

H5P_DIR = SHARED / "h5p"
REAL_PACKAGES = shared_files("h5p", "*.h5p")
needs_shared = pytest.mark.shared("h5p")

# Small semantics shaped like the real ones (QuestionSet holding MultiChoice, an image, a video).
RICH_TAGS = ["strong", "em", "sub", "sup", "h2", "h3", "a"]
SEMANTICS = {
    ("H5P.QuestionSet", 1, 17): [
        {"name": "introduction", "type": "text", "tags": RICH_TAGS},
        {
            "name": "questions",
            "type": "list",
            "max": 3,
            "field": {"name": "question", "type": "library", "options": ["H5P.MultiChoice 1.16", "H5P.Unknown 1.0"]},
        },
        {"name": "passPercentage", "type": "number", "min": 0, "max": 100, "default": 50},
        {"name": "backgroundImage", "type": "image", "optional": True},
        {"name": "endVideo", "type": "video", "optional": True},
        {"name": "jingle", "type": "audio", "optional": True},
        {"name": "handout", "type": "file", "optional": True},
        {"name": "randomQuestions", "type": "boolean", "default": False},
        {
            "name": "texts",
            "type": "group",
            "fields": [
                {"name": "prevButton", "type": "text", "default": "Previous"},
                {"name": "nextButton", "type": "text", "maxLength": 10},
                {
                    "name": "colour",
                    "type": "text",
                    "optional": True,
                    "regexp": {"pattern": "^#[0-9a-f]{6}$", "modifiers": "i"},
                },
                {"name": "risky", "type": "text", "regexp": {"pattern": "^(a+)+$"}},
            ],
        },
        {
            "name": "tips",
            "type": "list",
            "field": {"name": "tip", "type": "group", "fields": [{"name": "tip", "type": "text"}]},
        },
    ],
    ("H5P.MultiChoice", 1, 16): [
        {"name": "question", "type": "text", "tags": [*RICH_TAGS, "table"], "font": {"color": True}},
        {
            "name": "answers",
            "type": "list",
            "field": {
                "name": "answer",
                "type": "group",
                "fields": [
                    {"name": "text", "type": "text", "tags": ["strong", "em"]},
                    {"name": "correct", "type": "boolean"},
                ],
            },
        },
        {
            "name": "behaviour",
            "type": "group",
            "fields": [
                {
                    "name": "type",
                    "type": "select",
                    "options": [{"value": "auto"}, {"value": "multi"}, {"value": "single"}],
                },
                {
                    "name": "show",
                    "type": "select",
                    "multiple": True,
                    "options": [{"value": "solutions"}, {"type": "optgroup", "options": [{"value": "retry"}]}],
                },
                {"name": "delay", "type": "number", "min": 0, "max": 10, "step": 0.5, "decimals": 1},
                {"name": "tries", "type": "number", "step": 2},
            ],
        },
        {"name": "nested", "type": "library", "optional": True, "options": ["H5P.MultiChoice 1.16"]},
    ],
}
MAIN = "H5P.QuestionSet 1.17"
UUID = "0b2e7b43-6a9e-4e29-b3c4-3a1f5a7c2d10"


def lookup(machine_name, major, minor):
    return copy.deepcopy(SEMANTICS.get((machine_name, major, minor)))


def question(**params):
    return {"library": "H5P.MultiChoice 1.16", "params": params, "subContentId": UUID}


def run(params, library=MAIN):
    """Filter; check that the input is untouched and that a second run changes nothing."""
    before = copy.deepcopy(params)
    filtered, removals = filter_content(params, library=library, semantics_for=lookup)
    assert params == before
    json.dumps(filtered, allow_nan=False).encode()  # JSON a database takes: no NaN, no lone surrogates
    assert filter_content(filtered, library=library, semantics_for=lookup) == (filtered, [])
    return filtered, [str(r) for r in removals]


def run_question(**params):
    filtered, removals = run({"questions": [question(**params)]})
    return filtered["questions"][0]["params"], removals


# --- real packages ---------------------------------------------------------------------------------


def package_lookup(package):
    def semantics_for(machine_name, major, minor):
        library = package.libraries.get(LibraryRef(machine_name, major, minor))
        if library is None or "semantics.json" not in library.files:
            return None
        return json.loads(package.read(library.files["semantics.json"]))

    return semantics_for


MISSING = object()


def differences(before, after, path=""):
    """Where two JSON values differ, as (path, before, after); MISSING for a key one side lacks."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before.keys() | after.keys():
            yield from differences(before.get(key, MISSING), after.get(key, MISSING), f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            yield from differences(b, a, f"{path}[{index}]")
    elif before != after or type(before) is not type(after):
        yield path, before, after


@needs_shared
@pytest.mark.parametrize("path", REAL_PACKAGES, ids=lambda p: Path(p).name)
def test_real_package_passes_intact(path):
    package = read_package(path)
    before = copy.deepcopy(package.content)
    semantics_for = package_lookup(package)

    filtered, removals = filter_content(package.content, library=str(package.main_library), semantics_for=semantics_for)

    assert removals == []
    assert package.content == before
    # The only change is PHP's: an empty list goes (lumi-valid3-3-images has empty lists of authors
    # and changes in its images' metadata). Every text, number, option and file comes through as it was.
    changed = list(differences(before, filtered))
    assert all(old == [] and new is MISSING for _path, old, new in changed), changed
    assert filter_content(filtered, library=str(package.main_library), semantics_for=semantics_for) == (filtered, [])


@needs_shared
@pytest.mark.parametrize("path", REAL_PACKAGES, ids=lambda p: Path(p).name)
def test_real_package_metadata_passes_intact(path):
    package = read_package(path)

    filtered, removals = filter_metadata(package.h5p)

    assert removals == []
    assert filtered == package.h5p
    assert filter_metadata(filtered) == (filtered, [])


# --- script in rich text ---------------------------------------------------------------------------


def test_img_onerror_is_removed():
    params, removals = run_question(question="<p>Hi <img src=x onerror=alert(1)></p>")

    assert params["question"] == "<p>Hi </p>"
    assert removals == ["questions[0].params.question: removed <img onerror>"]


def test_javascript_link_loses_its_href():
    params, removals = run_question(
        question='<a href="javascript:alert(1)">x</a> <a href="https://h5p.org" target="_blank">ok</a>'
    )

    assert params["question"] == '<a>x</a> <a href="https://h5p.org" target="_blank">ok</a>'
    assert removals == ['questions[0].params.question: removed <a href="javascript:…">']


def test_obfuscated_javascript_link_loses_its_href():
    params, removals = run_question(question='<a href="jav&#x09;asCRipt:alert(1)">x</a><a href="mailto:a@b.fi">m</a>')

    assert params["question"] == '<a>x</a><a href="mailto:a@b.fi">m</a>'
    assert removals == ['questions[0].params.question: removed <a href="javascript:…">']


def test_data_url_link_loses_its_href():
    params, removals = run_question(question='<a href="data:text/html,<script>alert(1)</script>">x</a>')

    assert params["question"] == "<a>x</a>"
    assert removals == ['questions[0].params.question: removed <a href="data:…">']


def test_svg_onload_is_removed_with_its_content():
    params, removals = run_question(question="<svg onload=alert(1)><circle r=5 /></svg>ok")

    assert params["question"] == "ok"
    assert removals == ["questions[0].params.question: removed <svg onload>"]


def test_style_element_is_removed_with_its_content():
    params, removals = run_question(question="<style>body { display: none }</style><p>ok</p>")

    assert params["question"] == "<p>ok</p>"
    assert removals == ["questions[0].params.question: removed <style>"]


def test_script_element_is_removed_with_its_content():
    params, removals = run_question(question="<p>a<script>alert(1)</script>b</p>")

    assert params["question"] == "<p>ab</p>"
    assert removals == ["questions[0].params.question: removed <script>"]


def test_iframe_is_removed():
    params, removals = run_question(question='<iframe src="https://evil.example" onload="x()"></iframe><p>ok</p>')

    assert params["question"] == "<p>ok</p>"
    assert removals == ["questions[0].params.question: removed <iframe onload>"]


def test_css_url_with_javascript_is_removed_from_style():
    params, removals = run_question(
        question='<span style="background:url(javascript:alert(1)); color: #ff0000">x</span>'
    )

    assert params["question"] == '<span style="color: #ff0000">x</span>'
    assert removals == ['questions[0].params.question: removed <span style="background">']


def test_style_the_semantics_do_not_allow_is_removed():
    # font.color is on for the question, font.size is not; text-align is always allowed, but only
    # with PHP's values (justify is not among them).
    params, removals = run_question(
        question='<p style="text-align: center">a</p><p style="font-size: 80px; text-align: justify">b</p>'
        '<em style="color: #ff0000">c</em>'
    )

    assert params["question"] == '<p style="text-align: center">a</p><p>b</p><em>c</em>'
    assert removals == [
        'questions[0].params.question: removed <p style="font-size, text-align">',
        'questions[0].params.question: removed <em style="color">',
    ]


def test_event_handlers_go_but_the_element_stays():
    params, removals = run_question(question='<strong onclick="steal()" title="t">bold</strong>')

    assert params["question"] == '<strong title="t">bold</strong>'
    assert removals == ["questions[0].params.question: removed <strong onclick>"]


def test_ids_that_could_clobber_h5p_globals_are_removed():
    params, removals = run_question(question='<p id="H5PIntegration">x</p>')

    assert params["question"] == "<p>x</p>"
    assert removals == ["questions[0].params.question: removed <p id>"]


def test_tags_the_semantics_do_not_list_are_unwrapped():
    params, removals = run_question(answers=[{"text": "<h2>Big</h2> <u>under</u> <em>fine</em>", "correct": True}])

    assert params["answers"] == [{"text": "Big under <em>fine</em>", "correct": True}]
    assert removals == [
        "questions[0].params.answers[0].text: removed <h2>",
        "questions[0].params.answers[0].text: removed <u>",
    ]


def test_semantics_cannot_allow_script(monkeypatch):
    # Semantics come from the uploaded package; PHP would allow whatever they list.
    evil = [{"name": "text", "type": "text", "tags": ["script", "iframe", "strong"]}]
    monkeypatch.setitem(SEMANTICS, ("H5P.Evil", 1, 0), evil)

    filtered, removals = run({"text": "<script>alert(1)</script><strong>ok</strong>"}, library="H5P.Evil 1.0")

    assert filtered == {"text": "<strong>ok</strong>"}
    assert removals == ["text: removed <script>"]


def test_implied_tags_come_with_their_partners():
    # b with strong, i with em (PHP's pairs, both ways); tables bring their parts.
    params, removals = run_question(
        question="<b>b</b><i>i</i><table><tr><th scope=col>h</th></tr><tr><td colspan=2>d</td></tr></table>"
    )

    assert params["question"] == (
        '<b>b</b><i>i</i><table><tbody><tr><th scope="col">h</th></tr><tr><td colspan="2">d</td></tr></tbody></table>'
    )
    assert removals == []


def test_harmless_rewriting_is_not_reported():
    params, removals = run_question(question="<p>Tom &amp; Jerry&nbsp;<br/>a &lt; b</p><p>\u00e4</p><!-- note -->")

    assert params["question"] == "<p>Tom &amp; Jerry&nbsp;<br>a &lt; b</p><p>\u00e4</p>"
    assert removals == []


# --- plain text ------------------------------------------------------------------------------------


def test_script_in_plain_text_field_ends_escaped():
    filtered, removals = run({"texts": {"prevButton": "<script>alert('x')</script> & Tom's &amp;"}})

    assert filtered["texts"]["prevButton"] == (
        "&lt;script&gt;alert(&#039;x&#039;)&lt;/script&gt; &amp; Tom&#039;s &amp;"
    )
    assert removals == ["texts.prevButton: escaped <script>: this field takes plain text"]


def test_plain_text_is_escaped_without_double_encoding():
    filtered, removals = run({"texts": {"prevButton": "&lt;b&gt; &#039; &#x27; &copy; &apos; &bogus; &#99999999;"}})

    # htmlspecialchars(..., double_encode: FALSE): valid entities of HTML 4.01 stay, the rest is escaped.
    assert filtered["texts"]["prevButton"] == "&lt;b&gt; &#039; &#x27; &copy; &amp;apos; &amp;bogus; &amp;#99999999;"
    assert removals == []


# --- structure -------------------------------------------------------------------------------------


def test_unknown_field_is_dropped():
    filtered, removals = run({"introduction": "<p>Hi</p>", "onLoad": "alert(1)", "texts": {"evil": 1}})

    assert filtered == {"introduction": "<p>Hi</p>", "texts": {}}
    assert removals == ['unknown field "onLoad" dropped', 'texts: unknown field "evil" dropped']


def test_select_value_outside_options_becomes_the_first_option():
    params, removals = run_question(behaviour={"type": "<img src=x onerror=alert(1)>", "show": ["retry", "evil", None]})

    assert params["behaviour"] == {"type": "auto", "show": ["retry"]}
    assert removals == [
        'questions[0].params.behaviour.type: "<img src=x onerror=alert(1)>" is not among the options; set to "auto"',
        'questions[0].params.behaviour.show[1]: "evil" is not among the options; dropped',
    ]


def test_library_not_among_the_field_options_is_dropped():
    filtered, removals = run(
        {
            "questions": [
                {"library": "H5P.Evil 1.0", "params": {}},
                {"library": "H5P.MultiChoice 1.2", "params": {}},
                question(question="ok"),
            ]
        }
    )

    assert filtered == {"questions": [question(question="ok")]}
    assert removals == [
        "questions[0]: the library H5P.Evil 1.0 is not allowed here; dropped",
        "questions[1]: H5P.MultiChoice 1.2 is not the version this field takes (H5P.MultiChoice 1.16); dropped",
    ]


def test_sub_content_with_unknown_semantics_loses_its_params():
    filtered, removals = run({"questions": [{"library": "H5P.Unknown 1.0", "params": {"html": "<script>x</script>"}}]})

    # PHP walks such params with no fields, so every one of them goes.
    assert filtered == {"questions": [{"library": "H5P.Unknown 1.0", "params": {}}]}
    assert removals == ["questions[0].params: the semantics of H5P.Unknown 1.0 are unknown; its content was dropped"]


def test_unknown_main_library_drops_everything():
    filtered, removals = filter_content({"a": 1}, library="H5P.Nothing 1.0", semantics_for=lookup)

    assert filtered == {}
    assert [str(r) for r in removals] == ["the semantics of H5P.Nothing 1.0 are unknown; content dropped"]


def test_sub_content_keys_are_limited_and_checked():
    filtered, removals = run(
        {
            "questions": [
                {
                    "library": "H5P.MultiChoice 1.16",
                    "params": {"question": "q"},
                    "subContentId": "javascript:alert(1)",
                    "metadata": {"title": "<b>T</b>", "license": "EVIL", "authors": [{"name": "A", "role": "x"}]},
                    "onload": "x",
                }
            ]
        }
    )

    assert filtered == {
        "questions": [
            {
                "library": "H5P.MultiChoice 1.16",
                "params": {"question": "q"},
                "metadata": {
                    "title": "&lt;b&gt;T&lt;/b&gt;",
                    "license": "U",
                    "authors": [{"name": "A", "role": "Author"}],
                },
            }
        ]
    }
    assert removals == [
        "questions[0].subContentId: not a valid sub-content id; dropped",
        "questions[0].metadata.title: escaped <b>: this field takes plain text",
        'questions[0].metadata.license: "EVIL" is not among the options; set to "U"',
        'questions[0].metadata.authors[0].role: "x" is not among the options; set to "Author"',
        'questions[0]: unknown field "onload" dropped',
    ]


def test_list_is_cut_to_its_maximum():
    filtered, removals = run({"questions": [question(question=str(n)) for n in range(5)]})

    assert [q["params"]["question"] for q in filtered["questions"]] == ["0", "1", "2"]
    assert removals == ["questions: list shortened to 3 items"]


def test_group_of_one_field_is_stored_as_its_value():
    filtered, removals = run({"tips": ["<b>one</b>", {"tip": "two"}]})

    assert filtered == {"tips": ["&lt;b&gt;one&lt;/b&gt;"]}
    assert removals == [
        "tips[0]: escaped <b>: this field takes plain text",
        "tips[1]: expected text, found an object; dropped",
    ]


def test_empty_list_and_null_values_go_silently():
    filtered, removals = run({"questions": [], "introduction": None, "tips": [None]})

    assert filtered == {}
    assert removals == []


# --- files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../../../etc/passwd", 'the file path "../../../etc/passwd" points outside the content; dropped'),
        ("images/../../secret.png", 'the file path "images/../../secret.png" points outside the content; dropped'),
        ("/etc/passwd", 'the file path "/etc/passwd" points outside the content; dropped'),
        ("C:\\Windows\\win.ini", 'the file path "C:\\Windows\\win.ini" is not allowed; dropped'),
        ("images\\..\\..\\x.png", 'the file path "images\\..\\..\\x.png" points outside the content; dropped'),
        ("javascript:alert(1)", 'the file path "javascript:alert(1)" is not allowed; dropped'),
        (
            "data:image/png;base64,iVBORw0KGgo=",
            'the file path "data:image/png;base64,iVBORw0KGgo=" is not allowed; dropped',
        ),
        ("//evil.example/x.png", 'the file path "//evil.example/x.png" points outside the content; dropped'),
        (
            "https://evil.example/x.png",
            'the web address "https://evil.example/x.png" is not allowed here, only a file of this content; dropped',
        ),
    ],
)
def test_image_path_outside_the_content_folder_is_dropped(path, problem):
    filtered, removals = run({"backgroundImage": {"path": path, "mime": "image/png"}})

    assert filtered == {}
    assert removals == [f"backgroundImage: {problem}"]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("javascript:alert(1)", 'the file path "javascript:alert(1)" is not allowed; dropped'),
        ("data:video/mp4;base64,AAAA", 'the file path "data:video/mp4;base64,AAAA" is not allowed; dropped'),
        ("file:///etc/passwd", 'the file path "file:///etc/passwd" is not allowed; dropped'),
        ("https:evil.example/a.mp4", 'the file path "https:evil.example/a.mp4" is not allowed; dropped'),
        ("/videos/a.mp4", 'the file path "/videos/a.mp4" points outside the content; dropped'),
    ],
)
def test_video_source_outside_content_or_web_is_dropped(path, problem):
    filtered, removals = run(
        {"endVideo": [{"path": path, "mime": "video/mp4"}, {"path": "https://youtu.be/abc", "mime": "video/YouTube"}]}
    )

    assert filtered == {"endVideo": [{"path": "https://youtu.be/abc", "mime": "video/YouTube"}]}
    assert removals == [f"endVideo[0]: {problem}"]


def test_media_file_of_a_type_no_h5p_editor_makes_is_dropped():
    filtered, removals = run(
        {
            "backgroundImage": {"path": "images/a.svg", "mime": "image/svg+xml"},
            "jingle": [{"path": "audios/a.html", "mime": "text/html"}, {"path": "audios/a.mp3", "mime": "audio/mpeg"}],
        }
    )

    assert filtered == {"jingle": [{"path": "audios/a.mp3", "mime": "audio/mpeg"}]}
    assert removals == [
        'backgroundImage: a file of type "image/svg+xml" is not allowed here; dropped',
        'jingle[0]: a file of type "text/html" is not allowed here; dropped',
    ]


def test_file_keys_are_limited_and_cleaned_as_php_does():
    filtered, removals = run(
        {
            "backgroundImage": {
                "path": "../content/12/images/a&b.png#tmp",  # copied from another content, still uploading
                "mime": "image/png",
                "width": "640px",
                "height": 480.7,
                "onerror": "alert(1)",
                "copyright": {"title": "<i>Mona</i>", "license": "CC BY", "source": "javascript:alert(1)", "x": 1},
            },
            "endVideo": [
                {
                    "path": "videos/a.mp4",
                    "mime": "video/mp4",
                    "quality": {"level": "2", "label": "<b>HD</b>", "extra": 1},
                    "codecs": 'avc1"',
                    "bitrate": "x",
                }
            ],
            "handout": {"path": "files/notes.pdf", "mime": "application/pdf"},
        }
    )

    assert filtered == {
        "backgroundImage": {
            "path": "images/a&amp;b.png",
            "mime": "image/png",
            "width": 640,
            "height": 480,
            "copyright": {"title": "&lt;i&gt;Mona&lt;/i&gt;", "license": "CC BY", "source": ""},
        },
        "endVideo": [
            {
                "path": "videos/a.mp4",
                "mime": "video/mp4",
                "quality": {"level": 2, "label": "&lt;b&gt;HD&lt;/b&gt;"},
                "codecs": "avc1&quot;",
                "bitrate": 0,
            }
        ],
        "handout": {"path": "files/notes.pdf", "mime": "application/pdf"},
    }
    assert removals == [
        'backgroundImage: unknown field "onerror" dropped',
        "backgroundImage.copyright.title: escaped <i>: this field takes plain text",
        "backgroundImage.copyright.source: does not match the pattern the field requires; emptied",
        'backgroundImage.copyright: unknown field "x" dropped',
    ]


# --- numbers, booleans, text limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "removal"),
    [
        (150, 100, "passPercentage: 150 lowered to the maximum 100"),
        (-5, 0, "passPercentage: -5 raised to the minimum 0"),
        ("75", 75, None),
        (" 7.5e1 ", 75.0, None),
        ("fifty", None, "passPercentage: expected a number, found text; dropped"),
        (True, None, "passPercentage: expected a number, found true or false; dropped"),
        (float("nan"), None, "passPercentage: expected a number, found a number that is not finite; dropped"),
        (float("inf"), None, "passPercentage: expected a number, found a number that is not finite; dropped"),
        ({"$gt": 0}, None, "passPercentage: expected a number, found an object; dropped"),
        (10**20, 100, "passPercentage: 100000000000000000000 lowered to the maximum 100"),
        pytest.param(10**400, None, "passPercentage: expected a number, found a number too large; dropped", id="huge"),
    ],
)
def test_number_out_of_range_or_not_a_number(value, expected, removal):
    filtered, removals = run({"passPercentage": value})

    assert filtered.get("passPercentage") == expected
    assert removals == ([removal] if removal else [])


def test_number_snaps_to_step_and_decimals():
    params, removals = run_question(behaviour={"delay": 3.3, "tries": 7})

    # Exact remainders: PHP's % would cast 0.5 to 0 and fail on the delay.
    assert params["behaviour"] == {"delay": 3.0, "tries": 6}
    assert removals == [
        "questions[0].params.behaviour.delay: 3.3 moved to a step of 0.5",
        "questions[0].params.behaviour.tries: 7 moved to a step of 2",
    ]


def test_boolean_field_holding_anything_else_is_dropped():
    params, removals = run_question(answers=[{"text": "a", "correct": "<script>alert(1)</script>"}])

    # PHP keeps any value here; a content type would test it for truth.
    assert params["answers"] == [{"text": "a"}]
    assert removals == ["questions[0].params.answers[0].correct: expected true or false, found text; dropped"]


def test_text_longer_than_max_length_is_shortened_without_breaking_an_entity():
    filtered, removals = run({"texts": {"nextButton": "Tom and & Jerry"}})

    # Escaped it is "Tom and &amp; Jerry"; its first ten characters end in half an entity, "&a".
    assert filtered["texts"]["nextButton"] == "Tom and "
    assert removals == ["texts.nextButton: shortened to 10 characters"]


def test_text_not_matching_the_semantics_regexp_is_emptied():
    filtered, removals = run({"texts": {"colour": "#ABCDEF"}})
    assert (filtered, removals) == ({"texts": {"colour": "#ABCDEF"}}, [])

    filtered, removals = run({"texts": {"colour": "red; background: url(x)"}})
    assert filtered == {"texts": {"colour": ""}}
    assert removals == ["texts.colour: does not match the pattern the field requires; emptied"]


def test_regexp_that_could_backtrack_forever_is_not_run():
    started = time.monotonic()
    filtered, removals = run({"texts": {"risky": "a" * 40 + "!"}})

    # PHP's preg_match gives up at its backtrack limit and keeps the text; so do we, at once.
    assert filtered == {"texts": {"risky": "a" * 40 + "!"}}
    assert removals == []
    assert time.monotonic() - started < 2


# --- hostile shapes --------------------------------------------------------------------------------


def test_wrong_types_everywhere_are_dropped_and_reported():
    filtered, removals = run(
        {
            "introduction": ["<script>"],
            "questions": {"0": question()},
            "texts": "hello",
            "backgroundImage": "images/a.png",
            "endVideo": {"path": "videos/a.mp4"},
            "randomQuestions": 1,
        }
    )

    assert filtered == {}
    assert removals == [
        "introduction: expected text, found a list; dropped",
        "questions: expected a list, found an object; dropped",
        "texts: expected a group of fields, found text; dropped",
        "backgroundImage: expected a file, found text; dropped",
        "endVideo: expected a list, found an object; dropped",
        "randomQuestions: expected true or false, found a number; dropped",
    ]


def test_params_that_are_not_an_object_are_dropped():
    filtered, removals = filter_content(["x"], library=MAIN, semantics_for=lookup)

    assert filtered == {}
    assert [str(r) for r in removals] == ["expected a group of fields, found a list; dropped"]


def test_deep_nesting_is_reported_not_a_recursion_error():
    content = {"question": "bottom"}
    for _level in range(300):
        content = {"nested": {"library": "H5P.MultiChoice 1.16", "params": content}}

    filtered, removals = filter_content(content, library="H5P.MultiChoice 1.16", semantics_for=lookup)

    depth = 0
    while "nested" in filtered:
        filtered = filtered["nested"]["params"]
        depth += 1
    assert depth < MAX_DEPTH
    assert [str(r) for r in removals] == [
        ".".join(["nested.params"] * depth) + f".nested: nested deeper than {MAX_DEPTH} levels; dropped"
    ]


def test_deeply_nested_html_is_dropped_not_parsed():
    started = time.monotonic()
    params, removals = run_question(question="<em>" * 20_000 + "x", answers=[{"text": "<div>" * 30_000}])

    assert params == {"question": "", "answers": [{"text": ""}]}
    assert removals == [
        "questions[0].params.question: HTML nested deeper than 100 levels; text dropped",
        "questions[0].params.answers[0].text: HTML nested deeper than 100 levels; text dropped",
    ]
    assert time.monotonic() - started < 5


def test_huge_strings_are_handled_in_bounded_time():
    started = time.monotonic()
    filtered, removals = run(
        {
            "introduction": "&" * (MAX_HTML_LENGTH + 1),
            "texts": {"prevButton": "<a " * 100_000},  # quadratic for html.parser on Python 3.11
        }
    )

    assert filtered == {"introduction": "", "texts": {"prevButton": "&lt;a " * 100_000}}
    assert removals == [
        f"introduction: text longer than {MAX_HTML_LENGTH} characters; dropped",
        "texts.prevButton: escaped HTML markup: this field takes plain text",
    ]
    assert time.monotonic() - started < 10


def test_nul_bytes_and_lone_surrogates_are_removed():
    params, removals = run_question(question="<p>a\x00b\ud800c</p>", answers=[{"text": "\udfff"}])

    assert params == {"question": "<p>abc</p>", "answers": [{"text": ""}]}
    assert removals == [
        "questions[0].params.question: removed invalid characters (NUL or broken Unicode)",
        "questions[0].params.answers[0].text: removed invalid characters (NUL or broken Unicode)",
    ]


def test_hostile_semantics_do_not_break_the_filter(monkeypatch):
    broken = [
        "not a field",
        {"name": "noType"},
        {"name": "weird", "type": "<script>"},
        {"name": "list", "type": "list"},
        {"name": "group", "type": "group", "fields": "nope"},
        {"name": "select", "type": "select", "options": ["x", {"value": ["y"]}]},
        {"name": "number", "type": "number", "min": "abc", "max": [], "step": 0, "decimals": "x"},
        {"name": "lib", "type": "library", "options": [{"name": 5}, None]},
    ]
    monkeypatch.setitem(SEMANTICS, ("H5P.Broken", 1, 0), broken)

    filtered, removals = run(
        {
            "noType": 1,
            "weird": 1,
            "list": [1],
            "group": {"a": 1},
            "select": "x",
            "number": 5,
            "lib": {"library": "H5P.Text 1.0"},
        },
        library="H5P.Broken 1.0",
    )

    assert filtered == {"group": {}, "select": "", "number": 5}
    assert removals == [
        'noType: unknown field type "null" in the semantics; dropped',
        'weird: unknown field type "<script>" in the semantics; dropped',
        "list: the semantics give this list no item field; dropped",
        'group: unknown field "a" dropped',
        'select: "x" is not among the options; set to ""',
        "lib: the library H5P.Text 1.0 is not allowed here; dropped",
    ]


def test_a_failing_lookup_counts_as_unknown_semantics():
    def broken(*_ref):
        raise OSError("disk gone")

    filtered, removals = filter_content({"a": 1}, library=MAIN, semantics_for=broken)

    assert filtered == {}
    assert [str(r) for r in removals] == [f"the semantics of {MAIN} are unknown; content dropped"]


def test_many_removals_are_counted_past_a_thousand():
    filtered, removals = filter_content({f"f{n}": n for n in range(1500)}, library=MAIN, semantics_for=lookup)

    assert filtered == {}
    assert len(removals) == 1001
    assert removals[-1] == Removal("", "and 500 more changes")


# --- h5p.json metadata -----------------------------------------------------------------------------


def test_metadata_is_filtered_as_php_validate_metadata():
    h5p = {
        "title": "Tom's <script>alert(1)</script>",
        "mainLibrary": "H5P.MultiChoice",
        "language": "fi",
        "preloadedDependencies": [{"machineName": "H5P.MultiChoice", "majorVersion": 1, "minorVersion": 16}],
        "embedTypes": ["iframe"],
        "authors": [{"name": "<b>Ann</b>", "role": "Hacker", "evil": 1}],
        "license": "CC BY",
        "licenseVersion": "4.0",
        "yearFrom": "2020",
        "yearTo": 123456,
        "changes": [],
        "source": "https://example.org",
    }

    filtered, removals = filter_metadata(h5p)

    # The empty list of changes goes, as every empty list does in PHP.
    assert filtered == {
        **{k: v for k, v in h5p.items() if k != "changes"},
        "title": "Tom&#039;s &lt;script&gt;alert(1)&lt;/script&gt;",
        "authors": [{"name": "&lt;b&gt;Ann&lt;/b&gt;", "role": "Author"}],
        "yearFrom": 2020,
        "yearTo": 9999,
    }
    assert [str(r) for r in removals] == [
        "h5p.json: title: escaped <script>: this field takes plain text",
        "h5p.json: authors[0].name: escaped <b>: this field takes plain text",
        'h5p.json: authors[0].role: "Hacker" is not among the options; set to "Author"',
        'h5p.json: authors[0]: unknown field "evil" dropped',
        "h5p.json: yearTo: 123456 lowered to the maximum 9999",
    ]


def test_metadata_without_license_gets_phps_default():
    filtered, removals = filter_metadata({"title": "T", "mainLibrary": "H5P.X"})

    assert filtered == {"title": "T", "mainLibrary": "H5P.X", "license": "U"}
    assert removals == []


def test_metadata_of_the_wrong_shape_is_dropped():
    filtered, removals = filter_metadata({"title": ["x"], "authors": "me", "embedTypes": [{"a": float("nan")}]})

    assert filtered == {"embedTypes": [{}], "license": "U"}
    assert [str(r) for r in removals] == [
        "h5p.json: title: expected text, found a list; dropped",
        "h5p.json: authors: expected a list, found text; dropped",
        "h5p.json: embedTypes[0].a: expected a number, found a number that is not finite; dropped",
    ]
