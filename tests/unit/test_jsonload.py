"""app.jsonload reads every JSON text to the value the standard library reads, orjson or not."""

from __future__ import annotations

import json
import math

import pytest

from app.jsonload import loads

TEXTS = ['{"a": [1, 2.5, "x", null, true], "b": {"c": {}}}', '[{"mtu": 1450}, {"mtu": 9000}]',
         '{"big": 123456789012345678901234567890}', '[18446744073709551615, -9223372036854775808]',
         '{"f": 1e400, "g": -1e400}', '"\\u00fc-\\u2713"', '{"dup": 1, "dup": 2}', ' 18446744073709551616',
         '[1,-18446744073709551616]', '{"n":\n  99999999999999999999}', '{"s": "12345678901234567890", "n": 1}']


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_value_as_the_standard_library(text):
    assert loads(text) == json.loads(text) and loads(text.encode()) == json.loads(text)


def test_digits_inside_strings_keep_the_fast_path(monkeypatch):
    """A thousand Nova servers' hex `hostId`s hold 19 digits in a row somewhere: that is no big integer."""
    import app.jsonload
    text = '{"servers": [{"hostId": "5ead8ef40132507137178523714d3", "id": "x"}]}'
    monkeypatch.setattr(app.jsonload.json, "loads", lambda *_: pytest.fail("read by the standard library"))
    assert loads(text)["servers"][0]["hostId"] == "5ead8ef40132507137178523714d3"


def test_what_orjson_refuses_is_still_read():
    assert math.isnan(loads('{"x": NaN}')["x"]) and loads('[Infinity]') == [math.inf]
    assert loads('{"n": 1}'.encode("utf-16")) == {"n": 1}
    assert loads('"\\ud800"') == "\ud800"          # a lone surrogate, as json reads it


def test_text_that_is_not_json_is_a_value_error():
    with pytest.raises(ValueError):
        loads("{'not': json}")
