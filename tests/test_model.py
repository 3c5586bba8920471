from __future__ import annotations

import numpy as np
import pytest

from attrmap import AttributionMatrix, GridError, ShapeError, check_shape, parse_shape


def test_parse_shape():
    assert parse_shape("13x5") == (13, 5)
    assert parse_shape(" 2 X 3 ") == (2, 3)
    assert parse_shape("any") is None
    for bad in ("13", "0x5", "x5", "13x5x2", "thirteen"):
        with pytest.raises(ValueError, match="ROWSxCOLS"):
            parse_shape(bad)


def test_matrix_keeps_labels_in_order_with_duplicates():
    matrix = AttributionMatrix(["0", "0", "-"], ["a", "a"], [[1, 2], [3, 4], [5, 6]])
    assert matrix.tokens == ("0", "0", "-")
    assert matrix.expressions == ("a", "a")
    assert matrix.values.dtype == np.float64
    assert matrix.shape == (3, 2)
    assert not matrix.values.flags.writeable


def test_matrix_equality_compares_content_not_source():
    a = AttributionMatrix(["t"], ["e"], [[0.5]], source="a.csv")
    assert a == AttributionMatrix(["t"], ["e"], np.array([[0.5]]), source="b.yaml")
    assert a != AttributionMatrix(["t"], ["e"], [[0.25]])
    assert a != AttributionMatrix(["t"], ["e"], [[0.5]], title="x")


@pytest.mark.parametrize(
    ("tokens", "expressions", "values", "message"),
    [
        (["a", "b"], ["x"], [[1.0]], r"shape \(1, 1\), but 2 tokens x 1 expressions"),
        (["a"], ["x", "y"], [[1.0], [2.0]], "shape"),
        (["a"], ["x", "y"], [[1.0, 2.0], [3.0]], "rectangular grid"),
        ([], ["x"], [], "at least one token"),
        (["a"], [], [[]], "at least one token"),
        (["a"], ["x"], [[float("nan")]], "must be finite"),
        (["a"], ["x"], [[float("inf")]], "must be finite"),
        ([1], ["x"], [[1.0]], "token 1 is int, not a string"),
        (["a"], ["x"], [["one"]], "rectangular grid of numbers"),
        (["\ud800"], ["x"], [[1.0]], "UTF-8"),
    ],
)
def test_matrix_validation_errors(tokens, expressions, values, message):
    with pytest.raises(GridError, match=message) as info:
        AttributionMatrix(tokens, expressions, values, source="m.csv")
    assert str(info.value).startswith("m.csv: ")


def test_check_shape_says_what_was_expected_found_and_how_to_accept():
    matrix = AttributionMatrix(["a"], ["x", "y"], [[1, 2]], source="data.csv")
    check_shape(matrix, (1, 2))
    check_shape(matrix, None)
    with pytest.raises(ShapeError) as info:
        check_shape(matrix, (13, 5))
    message = str(info.value)
    assert message.startswith("data.csv: ")
    assert "expected a 13x5 grid" in message
    assert "found 1x2" in message
    assert '`shape="any"`' in message  # str() has the advice; the CLI gives it once
    assert "shape=" not in info.value.brief
    assert info.value.hint.closing_line(2).startswith("2 inputs are not 13x5: ")
