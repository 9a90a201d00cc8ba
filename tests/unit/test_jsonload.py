"""app.jsonload reads every JSON text to the value the standard library reads, orjson or not."""

from __future__ import annotations

import json
import math

import pytest

from app.jsonload import loads

TEXTS = ['{"a": [1, 2.5, "x", null, true], "b": {"c": {}}}', '[{"mtu": 1450}, {"mtu": 9000}]',
         '{"big": 123456789012345678901234567890}', '[18446744073709551615, -9223372036854775808]',
         '{"f": 1e400, "g": -1e400}', '"\\u00fc-\\u2713"', '{"dup": 1, "dup": 2}']


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_value_as_the_standard_library(text):
    assert loads(text) == json.loads(text) and loads(text.encode()) == json.loads(text)


def test_what_orjson_refuses_is_still_read():
    assert math.isnan(loads('{"x": NaN}')["x"]) and loads('[Infinity]') == [math.inf]
    assert loads('{"n": 1}'.encode("utf-16")) == {"n": 1}
    assert loads('"\\ud800"') == "\ud800"          # a lone surrogate, as json reads it


def test_text_that_is_not_json_is_a_value_error():
    with pytest.raises(ValueError):
        loads("{'not': json}")
