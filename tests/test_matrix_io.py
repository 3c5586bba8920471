from __future__ import annotations

import io
import re
import sys

import numpy as np
import pytest

from attrmap import (
    AttributionMatrix,
    AttrmapError,
    GridError,
    InputError,
    LimitError,
    Limits,
    OutputError,
    load_matrix,
    save_matrix,
)
from conftest import REFERENCE_EXPRESSIONS, REFERENCE_TOKENS

GOOD_CSV = "token,a,b\nx,0.5,-0.25\ny,1,0\n"


def test_reference_csv_and_yaml_load_to_the_same_matrix(reference_csv, reference_yaml):
    from_csv = load_matrix(reference_csv)
    from_yaml = load_matrix(reference_yaml)
    assert from_csv == from_yaml
    assert list(from_csv.tokens) == REFERENCE_TOKENS
    assert list(from_csv.expressions) == REFERENCE_EXPRESSIONS
    assert from_csv.shape == (13, 5)
    assert from_csv.values[7, 0] == pytest.approx(1.3714)
    assert from_csv.values[4, 4] == 0.0 and np.signbit(from_csv.values[4, 4])  # "-0.0000"
    assert from_csv.source == str(reference_csv)


def test_csv_bom_crlf_and_quoted_fields(write):
    text = '\ufefftoken,"a, b","say ""hi"""\r\n",",1,2\r\n"multi\nline",3,4\r\n'
    matrix = load_matrix(write("m.csv", text.encode("utf-8")))
    assert matrix.expressions == ("a, b", 'say "hi"')
    assert matrix.tokens == (",", "multi\nline")
    assert matrix.values.tolist() == [[1, 2], [3, 4]]


def test_csv_keeps_labels_exactly_and_skips_blank_lines(write):
    matrix = load_matrix(write("m.csv", "token, a ,b\n\n x ,1,2\n\n"))
    assert matrix.expressions == (" a ", "b")
    assert matrix.tokens == (" x ",)


def test_yaml_labels_stay_as_written_never_yaml_1_1_types(write):
    text = (
        "title: 007\n"
        "expressions: [no, yes, ~, 0o17, 1e3]\n"
        "tokens: [on, off, null, 007, 1_000, .5, true]\n"
        "values:\n" + "".join("  - [1, -1, .5, +0.5, 1e-3]\n" for _ in range(7))
    )
    matrix = load_matrix(write("m.yaml", text))
    assert matrix.title == "007"
    assert matrix.expressions == ("no", "yes", "~", "0o17", "1e3")
    assert matrix.tokens == ("on", "off", "null", "007", "1_000", ".5", "true")
    assert matrix.values[0].tolist() == [1.0, -1.0, 0.5, 0.5, 0.001]


def test_yaml_block_style_and_yml_extension(write):
    text = "expressions:\n  - a\n  - b\ntokens:\n  - '-'\nvalues:\n  -\n    - 0.1\n    - 0.2\n"
    matrix = load_matrix(write("m.yml", text))
    assert matrix.tokens == ("-",)
    assert matrix.values.tolist() == [[0.1, 0.2]]


def test_yaml_anchors_and_aliases_are_fine_in_moderation(write):
    text = "expressions: &e [a, b]\ntokens: [x, y]\nvalues:\n  - &r [1, 2]\n  - *r\n"
    assert load_matrix(write("m.yaml", text)).values.tolist() == [[1, 2], [1, 2]]


def test_stdin_needs_a_format_and_reads_it(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD_CSV.encode())))
    matrix = load_matrix("-", input_format="csv")
    assert matrix.source == "<stdin>"
    assert matrix.shape == (2, 2)
    with pytest.raises(InputError, match="needs input_format="):
        load_matrix("-")


def _error(path, **kwargs) -> str:
    with pytest.raises(AttrmapError) as info:
        load_matrix(path, **kwargs)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert str(path) in message or "<stdin>" in message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("m.txt", GOOD_CSV, r"m\.txt: unknown extension '\.txt'"),
        ("m", GOOD_CSV, r"unknown extension '\(none\)'"),
        ("m.csv", "", "m.csv: the file is empty"),
        ("m.csv", "token\n", "m.csv:1: the header needs a corner cell"),
        ("m.csv", "token,a,b\n", "no token rows"),
        ("m.csv", "token,a,b\nx,1\n", "m.csv:2: token 'x' has 1 value, but the header has 2"),
        ("m.csv", "token,a,b\nx,1,2\ny,1,2,3\n", "m.csv:3: token 'y' has 3 values"),
        ("m.csv", "token,a,b\nx,1,oops\n", "m.csv:2:3: token 'x', expression 'b': 'oops' is not a"),
        ("m.csv", "token,a,b\nx,1,\n", "m.csv:2:3: .*empty cell"),
        ("m.csv", "token,a,b\nx,nan,1\n", "m.csv:2:2: .*not finite"),
        ("m.csv", "token,a,b\nx,1e999,1\n", "overflows"),
        ("m.csv", 'token,a,b\nx,"1,2\n', r"m.csv:\d+: malformed CSV"),
        ("m.csv", 'token,a,b\nx,1"2,3\n', "m.csv:2:2: .*'1\"2' is not a number"),
        ("m.csv", b"token,a\nx,\xff\n", "m.csv:2: not UTF-8 text"),
        ("m.yaml", "", "the file is empty"),
        ("m.yaml", "- 1\n- 2\n", "m.yaml:1: expected a mapping"),
        ("m.yaml", "tokens: [a]\nvalues: [[1]]\n", "missing key.*expressions"),
        ("m.yaml", "expressions: [a]\ntoken: [b]\n", "m.yaml:2:1: unknown key 'token'"),
        ("m.yaml", "expressions: [a]\nexpressions: [a]\n", "m.yaml:2:1: duplicate key"),
        ("m.yaml", "expressions: a\ntokens: [b]\nvalues: [[1]]\n", "m.yaml:1:14: expressions must"),
        ("m.yaml", "expressions: []\ntokens: [b]\nvalues: [[1]]\n", "expressions is empty"),
        ("m.yaml", "expressions: [[a]]\ntokens: [b]\nvalues: [[1]]\n", "single value"),
        ("m.yaml", "expressions: [a]\ntokens: [b]\nvalues: 1\n", "values must be a list"),
        ("m.yaml", "expressions: [a]\ntokens: [b, c]\nvalues: [[1]]\n", " 1 row, but there are 2"),
        ("m.yaml", "expressions: [a]\ntokens: [b]\nvalues: [1]\n", "row 1 .* must be a list"),
        (
            "m.yaml",
            "expressions: [a, b]\ntokens: [t]\nvalues:\n  - [1]\n",
            "m.yaml:4: values row 1",
        ),
        (
            "m.yaml",
            "expressions: [a]\ntokens: [t]\nvalues:\n  - [x1]\n",
            "m.yaml:4:6: token 't', expression 'a': 'x1' is not a number",
        ),
        ("m.yaml", "expressions: [a]\ntokens: [t]\nvalues: [[.nan]]\n", "not finite"),
        ("m.yaml", "expressions: [a\ntokens: [t]\n", r"m.yaml:\d+: invalid YAML"),
        ("m.yaml", "a: 1\n---\nb: 2\n", "m.yaml:2: expected one YAML document"),
        ("m.yaml", "expressions: *nope\n", "invalid YAML|unknown alias"),
        ("m.yaml", "title: [x]\nexpressions: [a]\ntokens: [t]\nvalues: [[1]]\n", "title must"),
    ],
)
def test_load_errors_name_file_and_line(write, name, content, expected):
    message = _error(write(name, content))
    assert re.search(expected, message), message


def test_missing_file_and_folder(tmp_path):
    assert "cannot read" in _error(tmp_path / "nope.csv")
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    assert "cannot read" in _error(folder)


@pytest.mark.parametrize(
    "tag_line",
    [
        "tokens: !!python/object/apply:os.system ['echo pwned > {marker}']",
        "tokens: [!!python/name:os.system x]",
        "tokens: !!binary aGVsbG8=",
        "tokens: !custom [a]",
    ],
)
def test_yaml_tags_are_refused_and_never_run(write, tmp_path, tag_line):
    marker = tmp_path / "marker"
    text = f"expressions: [a]\n{tag_line.format(marker=marker)}\nvalues: [[1]]\n"
    message = _error(write("m.yaml", text))
    assert "m.yaml:2: YAML tag" in message
    assert not marker.exists()


def test_limits_refuse_big_inputs_quickly(write):
    big = write("big.csv", "token,a\n" + "x,1\n" * 1000)
    assert "limit" in _error(big, limits=Limits(max_bytes=1000))
    with pytest.raises(LimitError, match="more than 100 cells"):
        load_matrix(big, limits=Limits(max_cells=100))
    row = "[" + ",".join("1" * 20) + "]"
    grid = f"expressions: {row}\ntokens: {row}\nvalues:\n" + f"  - {row}\n" * 20
    yaml_big = write("big.yaml", grid)
    with pytest.raises(LimitError, match="more than 100 cells"):
        load_matrix(yaml_big, limits=Limits(max_cells=100))
    long_label = write("long.csv", "token," + "a" * 20_000 + "\nx,1\n")
    assert "malformed CSV" in _error(long_label)


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_save_and_load_round_trip_exactly(tmp_path, suffix):
    matrix = AttributionMatrix(
        ["no", "007", "~", ",", '"q"', " lead", "a\nb", "$5 - $3", "ünï"],
        ["yes", "1e3", "x: y", "- dash"],
        np.random.default_rng(0).normal(size=(9, 4)) * 1e-3,
        title="null" if suffix == ".yaml" else None,
    )
    path = tmp_path / f"m{suffix}"
    save_matrix(matrix, path)
    assert load_matrix(path) == matrix


def test_save_matrix_refuses_unknown_extension(tmp_path):
    matrix = AttributionMatrix(["t"], ["e"], [[1.0]])
    with pytest.raises(OutputError, match="unknown extension"):
        save_matrix(matrix, tmp_path / "m.txt")
    assert list(tmp_path.iterdir()) == []


def test_grid_errors_are_input_errors_are_value_errors():
    assert issubclass(GridError, InputError)
    assert issubclass(InputError, AttrmapError)
    assert issubclass(AttrmapError, ValueError)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("title: null", None),
        ("title: ~", None),
        ("title:", None),
        ('title: "null"', "null"),
        ("title: 'No'", "No"),
        ("title: no", "no"),
    ],
)
def test_yaml_title_null_means_no_title_unless_quoted(write, line, title):
    path = write("m.yaml", f"{line}\nexpressions: [a]\ntokens: [t]\nvalues: [[1]]\n")
    assert load_matrix(path).title == title


def test_yaml_labels_obey_the_csv_field_limit(write):
    path = write("m.yaml", f"expressions: [{'a' * 20}]\ntokens: [t]\nvalues: [[1]]\n")
    with pytest.raises(LimitError, match=r"m\.yaml:1:15: a label in expressions is longer than 10"):
        load_matrix(path, limits=Limits(max_label_chars=10))


def test_loading_csv_leaves_the_csv_modules_field_limit_alone(write):
    import csv

    before = csv.field_size_limit()
    load_matrix(write("m.csv", GOOD_CSV))
    assert csv.field_size_limit() == before
