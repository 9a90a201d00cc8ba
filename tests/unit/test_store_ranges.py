"""Name prefixes as ranges (app.store.keys) and page cursors (api.cursor): every string with the prefix is in
the range and no other, in the order MongoDB and SQLite compare strings (UTF-8 bytes)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.cursor import decode_cursor, encode_cursor
from api.errors import ApiError
from app.store.keys import name_key, prefix_range

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6)


def _in(value: str, rng: dict) -> bool:
    b = value.encode()
    return b >= rng["$gte"].encode() and ("$lt" not in rng or b < rng["$lt"].encode())


@given(text, text)
def test_a_prefix_range_holds_exactly_the_strings_with_the_prefix(prefix, value):
    assert _in(value, prefix_range(prefix)) == value.startswith(prefix)
    assert _in(prefix + value, prefix_range(prefix))


def test_prefix_ranges_at_the_edges_of_unicode():
    assert prefix_range("tap") == {"$gte": "tap", "$lt": "taq"}
    assert prefix_range("a\ud7ff")["$lt"] == "a\ue000"       # past the surrogates, which no string holds
    assert prefix_range("a\U0010ffff") == {"$gte": "a\U0010ffff", "$lt": "b"}
    assert prefix_range("\U0010ffff") == {"$gte": "\U0010ffff"}


def test_names_are_looked_up_lower_cased_and_a_missing_name_has_an_empty_key():
    assert name_key("Host-1 TAP") == {"_name_lc": "host-1 tap"}
    assert name_key(None) == {"_name_lc": ""} and name_key(7) == {"_name_lc": ""}


@given(st.text(max_size=40))
def test_a_cursor_names_its_key_back(key):
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("bad", ["%%%", "a b", "x" * 3000, "_w"])
def test_anything_else_is_a_clear_bad_request(bad):
    with pytest.raises(ApiError) as err:
        decode_cursor(bad)
    assert err.value.status == 400 and "after" in err.value.message
