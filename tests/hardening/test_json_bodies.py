"""``kernel.jsonbody.load_json``: size and depth bounded before anything is parsed. Pure."""

from __future__ import annotations

import sys
import time

import pytest

from kernel.jsonbody import JsonRefused, JsonTooDeep, JsonTooLarge, load_json, nesting_depth


def test_a_body_nested_100000_deep_is_refused_without_recursing():
    body = "[" * 100_000 + "]" * 100_000
    started = time.monotonic()
    with pytest.raises(JsonTooDeep, match="deeper than 64 levels"):
        load_json(body)
    assert time.monotonic() - started < 1
    assert sys.getrecursionlimit() < 100_000  # json.loads itself would raise RecursionError


def test_objects_count_as_levels_too():
    with pytest.raises(JsonTooDeep):
        load_json('{"a":' * 65 + "1" + "}" * 65)
    assert load_json('{"a":' * 64 + "1" + "}" * 64) is not None


def test_the_depth_bound_is_inclusive_and_adjustable():
    assert isinstance(load_json("[" * 64 + "]" * 64), list)
    with pytest.raises(JsonTooDeep, match="deeper than 3 levels"):
        load_json('{"a": [[[1]]]}', max_depth=3)
    assert load_json('{"a": [[1]]}', max_depth=3) == {"a": [[1]]}


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": "[[[[{{{{"}', 1),  # brackets inside a string do not count
        ('["\\"[[[[", []]', 2),  # nor after an escaped quote inside the string
        ('"an unterminated [[[[', 0),
        ('[1, [2, {"a": [3]}]]', 4),
    ],
)
def test_nesting_depth_ignores_brackets_inside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_a_body_over_the_size_bound_is_refused_before_it_is_read():
    body = b'{"snapshots": [' + b"1," * 600 + b"1]}"
    with pytest.raises(JsonTooLarge, match="at most 1000 are accepted"):
        load_json(body, max_bytes=1000)
    assert len(load_json(body, max_bytes=len(body))["snapshots"]) == 601


def test_the_size_of_text_is_counted_in_utf8_bytes():
    body = '["' + "星" * 400 + '"]'  # 404 characters, 1,204 bytes
    with pytest.raises(JsonTooLarge):
        load_json(body, max_bytes=1000)


@pytest.mark.parametrize("body", ["NaN", "[Infinity]", '{"views": -Infinity}'])
def test_nan_and_infinity_are_not_json(body):
    with pytest.raises(JsonRefused, match="is not a JSON value"):
        load_json(body)


@pytest.mark.parametrize("body", ["{", b"\xff", '"\x00"', "1" * 5000, '{"a": 1} [[['])
def test_every_other_refusal_is_a_value_error(body):
    with pytest.raises(ValueError):
        load_json(body)


def test_a_pathological_string_is_scanned_in_linear_time():
    body = '"\\"' * 500_000  # a million quotes, every other one escaped: one long string
    started = time.monotonic()
    assert nesting_depth(body) == 0
    assert time.monotonic() - started < 2


def test_bytes_are_decoded_as_json_loads_would():
    assert load_json('{"名": "星推宝"}'.encode("utf-16")) == {"名": "星推宝"}
    assert load_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
