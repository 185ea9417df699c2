"""parse_json: every hostile or broken body is a clean JSONBodyError, never a crash or a stored 500."""

import json
import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.jsonbody import JSONBodyError, has_nul_or_surrogate, parse_json

LIMIT = 64 * 1024


def refusal(body: bytes, **kwargs) -> JSONBodyError:
    with pytest.raises(JSONBodyError) as caught:
        parse_json(body, max_bytes=kwargs.pop("max_bytes", LIMIT), **kwargs)
    return caught.value


# --- size -----------------------------------------------------------------------------------------


def test_body_over_the_limit_is_413_before_it_is_even_decoded():
    error = refusal(b"\xff" * 11, max_bytes=10)
    assert error.status == 413
    assert error.message == str(error)


def test_body_exactly_at_the_limit_is_parsed():
    body = json.dumps("x" * 8).encode()
    assert parse_json(body, max_bytes=len(body)) == "x" * 8


def test_limit_counts_bytes_not_characters():
    body = json.dumps("ä" * 10, ensure_ascii=False).encode()  # 12 characters, 22 bytes
    assert refusal(body, max_bytes=20).status == 413


# --- encoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'"\xe4"', id="latin-1"),
        pytest.param(b'"\xed\xa0\x80"', id="utf-8-encoded-surrogate"),
        pytest.param(b'"\xc0\xaf"', id="overlong-utf-8"),
        pytest.param(b'"\xf4\x90\x80\x80"', id="beyond-u10ffff"),
        pytest.param('"x"'.encode("utf-16"), id="utf-16-with-bom"),
        pytest.param('"x"'.encode("utf-32"), id="utf-32-with-bom"),
    ],
)
def test_body_that_is_not_utf8_is_refused(body):
    assert refusal(body).status == 400


def test_one_leading_utf8_bom_from_a_windows_tool_is_skipped():
    assert parse_json(b'\xef\xbb\xbf{"a": 1}', max_bytes=LIMIT) == {"a": 1}


def test_a_second_bom_is_not_json():
    assert refusal(b'\xef\xbb\xbf\xef\xbb\xbf{"a": 1}').status == 400


def test_bom_inside_a_string_is_just_a_character():
    assert parse_json('"\ufeffa"'.encode(), max_bytes=LIMIT) == "\ufeffa"


# --- syntax ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"{",
        b'{"a": 1,}',
        b"[1 2]",
        b"{'a': 1}",
        b'{"a": 1}{"b": 2}',
        b"undefined",
        b'"raw\ttab in a string"',
        b'"raw\nnewline in a string"',
        b'"a string that never ends',
        b"]",
        b"[]]",
        b"01",
        b'"\\x41"',
    ],
)
def test_malformed_json_is_refused(body):
    assert refusal(body).status == 400


# --- nesting --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000, id="100k-unclosed-brackets"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100k-balanced-brackets"),
        pytest.param(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, id="100k-objects"),
        pytest.param(b'[{"a":' * 50_000, id="mixed"),
    ],
)
def test_deep_nesting_is_a_clean_400_not_a_recursion_error(body):
    started = time.monotonic()
    error = refusal(body, max_bytes=len(body))
    assert error.status == 400
    assert "nested" in error.message
    assert time.monotonic() - started < 2


def test_nesting_exactly_at_max_depth_is_accepted_and_one_more_is_refused():
    assert parse_json(b"[" * 32 + b"]" * 32, max_bytes=LIMIT) is not None
    assert refusal(b"[" * 33 + b"]" * 33).status == 400
    assert parse_json(b"[[[1]]]", max_bytes=LIMIT, max_depth=3) == [[[1]]]
    assert refusal(b"[[[1]]]", max_depth=2).status == 400


def test_many_brackets_side_by_side_are_not_nesting():
    body = b"[" + b",".join([b"[]"] * 5000) + b"]"
    assert len(parse_json(body, max_bytes=LIMIT)) == 5000


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert parse_json(json.dumps(["[" * 1000, "{" * 1000]).encode(), max_bytes=LIMIT) == ["[" * 1000, "{" * 1000]


def test_escaped_quote_does_not_end_a_string_for_the_depth_count():
    value = ['a \\" [[[[ "', '\\\\"[[[[']
    assert parse_json(json.dumps(value).encode(), max_bytes=LIMIT, max_depth=1) == value


def test_string_with_ten_thousand_escapes_is_scanned_in_linear_time():
    body = b'"' + b"\\n" * 30_000 + b'"'
    started = time.monotonic()
    assert parse_json(body, max_bytes=LIMIT) == "\n" * 30_000
    assert time.monotonic() - started < 1


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b'{"raw": NaN}', b"[1, Infinity]"])
def test_nan_and_infinity_literals_are_refused(literal):
    error = refusal(literal)
    assert error.status == 400
    assert "not a JSON number" in error.message


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"1.5E999", b'{"score": {"raw": 1e309}}'])
def test_numbers_that_overflow_to_infinity_are_refused(literal):
    assert refusal(literal).status == 400


def test_tiny_numbers_that_underflow_are_zero_not_an_error():
    assert parse_json(b"1e-400", max_bytes=LIMIT) == 0.0


@pytest.mark.parametrize("literal", [b"1" * 4301, b"-" + b"9" * 4301, b"[" + b"1" * 10_000 + b"]"])
def test_integers_with_more_digits_than_python_converts_are_refused(literal):
    error = refusal(literal)
    assert error.status == 400
    assert "digits" in error.message


def test_integers_up_to_pythons_digit_limit_are_exact():
    assert parse_json(b"9" * 4300, max_bytes=LIMIT) == int("9" * 4300)


# --- text the database cannot store ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(rb'"a\u0000b"', id="nul-in-value"),
        pytest.param(rb'{"a\u0000": 1}', id="nul-in-key"),
        pytest.param(rb'[[["\u0000"]]]', id="nul-nested"),
        pytest.param(rb'"\ud800"', id="lone-high-surrogate"),
        pytest.param(rb'"\udc00"', id="lone-low-surrogate"),
        pytest.param(rb'"\udc00\ud800"', id="pair-in-wrong-order"),
        pytest.param(rb'{"\ud83d": "key"}', id="surrogate-in-key"),
        pytest.param(rb'{"a": [1, {"b": "x\udfffy"}]}', id="surrogate-nested"),
    ],
)
def test_nul_and_lone_surrogates_that_postgres_cannot_store_are_refused(body):
    error = refusal(body)
    assert error.status == 400
    assert "stored" in error.message


def test_correctly_paired_surrogate_escapes_are_one_character():
    assert parse_json(rb'{"emoji": "\ud83d\ude00"}', max_bytes=LIMIT) == {"emoji": "\U0001f600"}


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("", False),
        ("tavallinen teksti, åäö €", False),
        ("\U0001f600", False),
        ("\ufeff\uffff", False),
        ("a\x00b", True),
        ("\ud800", True),
        ("x\udfff", True),
    ],
)
def test_has_nul_or_surrogate_finds_what_form_fields_must_not_store(value, bad):
    assert has_nul_or_surrogate(value) is bad


def test_ordinary_h5p_statement_body_parses():
    body = json.dumps(
        {
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "result": {"score": {"min": 0, "max": 1, "raw": 0.5, "scaled": 0.5}, "response": ""},
        }
    ).encode()
    assert parse_json(body, max_bytes=LIMIT)["result"]["score"]["raw"] == 0.5


# --- properties -----------------------------------------------------------------------------------

TOKENS = [
    "[", "]", "{", "}", '"', "\\", ":", ",", " ", "\n", "\t", "0", "1", "-", ".", "e", "E", "+",
    "1e400", "NaN", "Infinity", "-Infinity", "true", "false", "null", "9" * 4400,
    '"a"', '"k":', "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\n", '\\"',
    "\x00", "\ud800", "\ufeff", "ä", "\U0001f600",
]  # fmt: skip

token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map(
    lambda tokens: "".join(tokens).encode("utf-8", "surrogatepass")
)
DANGEROUS_CHARACTERS = ["a", "\x00", "\ud800", "\udbff", "\udc00", "\udfff", "\U0001f600", "ä", '"', "\\", "\ufeff"]
any_text = st.text(st.sampled_from(DANGEROUS_CHARACTERS) | st.characters(exclude_categories=()), max_size=20)
RAW = "@@raw@@"  # a string replaced by a literal that json.dumps would never write
RAW_LITERALS = ["1e400", "-1E+999", "NaN", "-Infinity", "9" * 4400, "-0", "1e-400", "123456789012345678901234567890"]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**4200, max_value=10**4299)  # json.dumps cannot write more digits
    | st.floats()
    | any_text
    | st.just(RAW)
)
structures = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4), max_leaves=20
)


@st.composite
def nested_documents(draw):
    value = draw(structures)
    for _level in range(draw(st.integers(min_value=0, max_value=40))):
        value = draw(st.sampled_from([[value], {"k": value}]))
    text = json.dumps(value, allow_nan=True, ensure_ascii=draw(st.booleans()))
    text = text.replace(json.dumps(RAW), draw(st.sampled_from(RAW_LITERALS)))
    return text.encode("utf-8", "surrogatepass")


def assert_refused_cleanly_or_storable(body: bytes) -> None:
    try:
        value = parse_json(body, max_bytes=LIMIT)
    except JSONBodyError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert refused.status in {400, 413}
        assert refused.message
        return
    # Whatever is accepted can be stored: finite numbers, text PostgreSQL and psycopg accept.
    for item in walk(value):
        assert not isinstance(item, float) or math.isfinite(item)
        assert not isinstance(item, str) or not has_nul_or_surrogate(item)
    json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")


@settings(max_examples=200, deadline=None, database=None)
@given(body=st.binary(max_size=200) | token_soup, prefix_bom=st.booleans())
def test_arbitrary_bytes_only_ever_raise_jsonbodyerror(body, prefix_bom):
    assert_refused_cleanly_or_storable(b"\xef\xbb\xbf" + body if prefix_bom else body)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=nested_documents())
def test_nested_documents_with_hostile_values_only_ever_raise_jsonbodyerror(body):
    assert_refused_cleanly_or_storable(body)


def walk(value):
    """Every value, key and item in ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


clean_text = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20)
clean_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | clean_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(clean_text, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, database=None)
@given(value=clean_values)
def test_storable_json_comes_back_unchanged(value):
    body = json.dumps(value).encode()
    if depth(value) > 32:
        assert refusal(body).status == 400
    else:
        assert parse_json(body, max_bytes=len(body)) == value
