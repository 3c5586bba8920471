"""The number grammar every text format reads cells with (formats/cells.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attrmap.formats.cells import parse_number, parse_plain_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1.0),
        ("-1", -1.0),
        (".5", 0.5),
        ("+0.5", 0.5),
        ("1e-3", 0.001),
        ("1.0E+05", 1e5),
        (" 0.25 ", 0.25),
        ("-0.0000", -0.0),
        ("5.", 5.0),
    ],
)
def test_parse_number_accepts_what_users_write(text, expected):
    value = parse_number(text)
    assert value == expected
    assert np.signbit(value) == np.signbit(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("nan", "not finite"),
        ("-inf", "not finite"),
        (".inf", "not finite"),
        ("Infinity", "not finite"),
        ("1e999", "overflows"),
        ("abc", "not a number"),
        ("1_000", "not a number"),
        ("0x10", "not a number"),
        ("1,5", "not a number"),
        ("--1", "not a number"),
    ],
)
def test_parse_number_refuses_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text)


_PLAIN = st.from_regex(
    r" ?[+-]?(\d{1,4}(\.\d{0,3})?|\.\d{1,3})([eE][+-]?\d{1,3})? ?", fullmatch=True
)
_ODD = st.sampled_from(
    ["nan", "inf", "1e999", "", " ", "1_000", "0x10", "1\x002", "\u0661", ".0\x1f"]
)


@given(st.lists(st.one_of(_PLAIN, _ODD, st.text(max_size=6)), min_size=1, max_size=6))
def test_a_row_at_once_never_disagrees_with_cell_by_cell(cells):
    """The fast path for a whole row (``batch --check`` reads thousands of files) takes a
    row only if every cell parses, to the same numbers; otherwise cell by cell decides."""
    fast = parse_plain_numbers(cells)
    if fast is not None:
        assert fast == [parse_number(cell) for cell in cells]


@given(st.lists(_PLAIN.filter(lambda t: math.isfinite(float(t))), min_size=1, max_size=6))
def test_plain_rows_take_the_fast_path(cells):
    assert parse_plain_numbers(cells) == [parse_number(cell) for cell in cells]
