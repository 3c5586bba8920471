"""The readers added after 1.0 (JSON, TSV, long CSV/TSV, NPZ), missing cells, the minus
sign and content sniffing. (DataFrames, long rows and captum results: test_interop.py.)"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import attrmap
from attrmap import AttributionMatrix, AttrmapError, InputOptions, load_matrix
from attrmap.batch import discover
from attrmap.formats import WriteOptions, dump_matrix
from conftest import EXAMPLES, REFERENCE_EXPRESSIONS, REFERENCE_TOKENS

EXAMPLE_FILES = [
    "token_attribution.csv",
    "token_attribution.yaml",
    "token_attribution.json",
    "token_attribution.tsv",
    "token_attribution_long.csv",
]
MISSING = InputOptions(allow_missing=True)


def error_of(path: Path, options: InputOptions | None = None) -> str:
    with pytest.raises(AttrmapError) as info:
        load_matrix(path, options=options)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------- the reference


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_is_exactly_the_reference(name, reference):
    matrix = load_matrix(EXAMPLES / name)
    assert list(matrix.tokens) == REFERENCE_TOKENS
    assert list(matrix.expressions) == REFERENCE_EXPRESSIONS
    assert matrix.values.tobytes() == reference.values.tobytes()  # -0.0 included
    assert matrix == reference


def test_the_long_example_has_65_rows_and_loads_in_any_row_order(tmp_path, reference):
    lines = (EXAMPLES / "token_attribution_long.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 65 and lines[0] == "token,expression,value"
    # With a position column the rows may come in any order, and the columns too.
    rows = [
        f"{row},{index % 13}"
        for index, row in enumerate(lines[1:])  # rows go expression by expression
    ]
    shuffled = rows[::-1][::2] + rows[::-1][1::2]
    path = tmp_path / "shuffled.csv"
    path.write_text("Token,Expression,VALUE,position\n" + "\n".join(shuffled) + "\n")
    matrix = load_matrix(path)
    assert matrix.tokens == reference.tokens
    assert sorted(matrix.expressions) == sorted(reference.expressions)
    assert matrix.expressions[0] == "$35 ($85 - $50)"  # first seen: expressions keep that order
    order = [reference.expressions.index(e) for e in matrix.expressions]
    assert np.array_equal(matrix.values, reference.values[:, order])


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".yaml", ".json", ".npz"])
@pytest.mark.parametrize("long", [False, True], ids=["wide", "long"])
def test_convert_round_trips_the_reference_bit_identically(
    tmp_path, reference, suffix, long, run_cli
):
    if long and suffix not in (".csv", ".tsv"):
        result = run_cli(
            "convert", EXAMPLES / "token_attribution.csv", tmp_path / f"x{suffix}", "--long"
        )
        assert result.exit_code == 1 and "no long form" in result.stderr
        return
    target = tmp_path / f"x{suffix}"
    args = ["--long"] if long else []
    assert run_cli("convert", EXAMPLES / "token_attribution.yaml", target, *args).exit_code == 0
    back = tmp_path / "back.yaml"
    assert run_cli("convert", target, back).exit_code == 0
    assert load_matrix(target) == reference
    assert back.read_bytes() == dump_matrix(reference, "yaml")


def test_batch_discovers_every_registered_format(tmp_path, reference, run_cli):
    folder = tmp_path / "in"
    folder.mkdir()
    for suffix in ("csv", "tsv", "yaml", "yml", "json", "npz"):
        (folder / f"m_{suffix}.{suffix.upper()}").write_bytes(
            dump_matrix(reference, suffix[:4].replace("yml", "yaml"))
        )
    assert discover(folder) == sorted(p.name for p in folder.iterdir())
    result = run_cli("batch", folder, "-o", tmp_path / "out", "--check")
    assert result.exit_code == 1 and "0 failed" in result.stderr
    assert result.stdout.count("missing:") == 6


# --------------------------------------------------------------------------- JSON

GOOD_JSON = '{"expressions": ["a", "b"], "tokens": ["x", "y"], "values": [[0.5, -0.25], [1, 0]]}'


def test_json_keeps_labels_as_written_and_a_null_title_is_none(write):
    text = (
        '{"title": null, "tokens": [1.50, true, "07"], "expressions": ["e"],\n'
        '"values": [[1], [2], ["3"]]}'
    )
    matrix = load_matrix(write("m.json", text))
    assert matrix.tokens == ("1.50", "true", "07")
    assert matrix.title is None
    assert matrix.values.ravel().tolist() == [1, 2, 3]
    assert load_matrix(write("t.json", '{"title": "null", ' + GOOD_JSON[1:])).title == "null"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", r"m\.json: the file is empty"),
        ("[1, 2]", r"m\.json:1:1: expected a mapping"),
        (
            '{"expressions": ["a"]\n "tokens": ["x"]}',
            r"m\.json:2:2: invalid JSON: Expecting ',' delimiter",
        ),
        (
            '{"expressions": ["a"], "tokens": ["x"], "values": [[1, 2]]}',
            r"m\.json:1:52: values row 1 \(token 'x'\) has 2 numbers, but there is 1 expression",
        ),
        (
            '{"expressions": ["a"],\n "tokens": ["x"],\n "values": [[ "oops"]]}',
            r"m\.json:3:15: token 'x', expression 'a': 'oops' is not a number",
        ),
        (
            '{"expressions": ["a"], "tokens": ["x"], "values": [[NaN]]}',
            r"m\.json:1:53: .*not finite.*allow_missing=True",
        ),
        (
            '{"expressions": ["a"], "tokens": ["x"], "values": [[1]], "tokens": ["y"]}',
            r"m\.json:1:58: duplicate key 'tokens'",
        ),
        (
            '{"expressions": ["a"], "tokens": ["x"], "values": [[1]], "extra": 1}',
            r"m\.json:1:58: unknown key 'extra'",
        ),
        (
            '{"expressions": ["a"], "tokens": ["x"], "values": [[1]]} x',
            r"m\.json:1:58: invalid JSON: Extra data",
        ),
        (
            '{"expressions": ["a"], "tokens": [["x"]], "values": [[1]]}',
            r"m\.json:1:35: each of tokens must be a single value",
        ),
        (
            '{"expressions": "a", "tokens": ["x"], "values": [[1]]}',
            r"m\.json:1:17: expressions must be a list",
        ),
        (
            '{"expressions": ["\\ud800"], "tokens": ["x"], "values": [[1]]}',
            r"cannot be encoded as UTF-8",
        ),
    ],
)
def test_json_errors_name_file_line_and_column(write, content, expected):
    message = error_of(write("m.json", content))
    assert re.search(expected, message), message


# --------------------------------------------------------------------------- TSV and long form


def test_tsv_reads_like_csv_with_tabs(write):
    matrix = load_matrix(write("m.tsv", 'token\ta, b\t"t\\tab"\nx\t0.5\t\u22121\n'))
    assert matrix.expressions == ("a, b", "t\\tab") and matrix.values.tolist() == [[0.5, -1.0]]
    message = error_of(write("bad.tsv", "token\ta\nx\toops\n"))
    assert message.endswith("bad.tsv:2:2: token 'x', expression 'a': 'oops' is not a number")


LONG = "token,expression,value\nx,a,1\ny,a,2\nx,b,3\ny,b,4\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "token,expression,value\nx,a,1\ny,a,2\nx,b,3\nz,b,4\n",
            r":5: expression 'b' has token 'z' at position 1, but expression 'a' has 'y' "
            r"there \(line 3\)",
        ),
        (
            "token,expression,value\nx,a,1\ny,a,2\nx,b,3\n",
            r":4: expression 'b' lists 1 token, but another lists 2",
        ),
        (
            "token,expression,value,position\nx,a,1,0\ny,a,2,1\nx,a,3,0\n",
            r":4: expression 'a' has a second value for position 0 \(token 'x'\) "
            r"\(first at line 2\)",
        ),
        (
            "token,expression,value,position\nx,a,1,0\ny,a,2,1\ny,b,2,1\n",
            r"m\.csv: no value for expression 'b' at position 0 \(token 'x'\).*allow_missing=True",
        ),
        ("token,expression,value,position\nx,a,1,0\ny,a,2,2\n", r"m\.csv: no row has position 1"),
        (
            "token,expression,value,position\nx,a,1,one\n",
            r":2:4: position 'one' is not a whole number",
        ),
        (
            "token,expression,value\nx,a\n",
            r":2: long form: this row has 2 cells, but the header has 3 columns",
        ),
        (
            "token,expression,value\nx,a,oops\n",
            r":2:3: token 'x', expression 'a': 'oops' is not a number",
        ),
        (",token,expression,value\n0,x,a,1\n", r"to_csv\(index=False\)"),
        ("token,expression,value\n", r"no rows"),
    ],
)
def test_long_form_errors_name_the_line(write, content, expected):
    message = error_of(write("m.csv", content))
    assert re.search(expected, message), message


def test_long_form_allows_absent_rows_as_missing_only_when_asked(write):
    path = write("m.csv", "position,value,expression,token\n0,1,a,x\n1,2,a,y\n1,4,b,y\n")
    matrix = load_matrix(path, options=MISSING)
    assert matrix.expressions == ("a", "b") and matrix.tokens == ("x", "y")
    assert matrix.missing.tolist() == [[False, True], [False, False]]
    assert np.isnan(matrix.values[0, 1]) and matrix.values[1, 1] == 4
    error_of(path)  # without --allow-missing: an error


# --------------------------------------------------------------------------- NPZ


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_npz_from_numpy_savez_loads(write, reference):
    data = npz(
        values=reference.values,
        tokens=np.array(reference.tokens),
        expressions=np.array(reference.expressions),
        title=np.array("Layer 3"),
    )
    matrix = load_matrix(write("m.npz", data))
    assert matrix.title == "Layer 3" and matrix.values.tobytes() == reference.values.tobytes()
    assert matrix.tokens == reference.tokens
    ints = load_matrix(
        write(
            "i.npz",
            npz(
                values=np.array([[1, 2]]), tokens=np.array(["t"]), expressions=np.array(["a", "b"])
            ),
        )
    )
    assert ints.values.dtype == np.float64 and ints.values.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        (
            {
                "values": np.zeros((1, 1)),
                "tokens": np.array(["t"], dtype=object),
                "expressions": np.array(["e"]),
            },
            "holds Python objects",
        ),
        ({"values": np.zeros((1, 1)), "tokens": np.array(["t"])}, "missing array.*expressions"),
        (
            {"values": np.zeros(1), "tokens": np.array(["t"]), "expressions": np.array(["e"])},
            "must be 2-D",
        ),
        (
            {"values": np.zeros((2, 1)), "tokens": np.array(["t"]), "expressions": np.array(["e"])},
            r"shape \(2, 1\), but there is 1 token and 1 expression",
        ),
        (
            {
                "values": np.array([["a"]]),
                "tokens": np.array(["t"]),
                "expressions": np.array(["e"]),
            },
            "must hold numbers",
        ),
        (
            {"values": np.zeros((1, 1)), "tokens": np.array([1]), "expressions": np.array(["e"])},
            "must hold strings",
        ),
        (
            {
                "values": np.zeros((1, 1)),
                "tokens": np.array(["t"]),
                "expressions": np.array(["e"]),
                "other": np.zeros(1),
            },
            "unexpected array 'other'",
        ),
        (
            {
                "values": np.full((1, 1), np.nan),
                "tokens": np.array(["t"]),
                "expressions": np.array(["e"]),
            },
            "every cell is missing|allow_missing=True",
        ),
        (
            {
                "values": np.array([[np.inf]]),
                "tokens": np.array(["t"]),
                "expressions": np.array(["e"]),
            },
            "must be finite",
        ),
    ],
)
def test_npz_errors_are_one_line(write, arrays, expected):
    message = error_of(write("m.npz", npz(**arrays)))
    assert re.search(expected, message), message


def test_npz_is_never_unpickled(write, tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    data = npz(
        values=np.zeros((1, 1)),
        tokens=np.array([Evil()], dtype=object),
        expressions=np.array(["e"]),
    )
    error_of(write("evil.npz", data))
    assert not marker.exists()


def test_npz_broken_archives_are_one_line(write, reference):
    data = dump_matrix(reference, "npz")
    for name, broken in {
        "cut.npz": data[: len(data) // 2],
        "empty.npz": b"",
        "flipped.npz": data[:60] + bytes([data[60] ^ 0xFF]) + data[61:],
        "text.npz": b"token,a\nx,1\n",
    }.items():
        message = error_of(write(name, broken))
        assert "npz" in message.lower() or "archive" in message


def test_npz_writer_is_deterministic_and_numpy_reads_it(reference):
    titled = AttributionMatrix(reference.tokens, reference.expressions, reference.values, "T")
    data = dump_matrix(titled, "npz")
    assert data == dump_matrix(titled, "npz")
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        assert arrays["tokens"].tolist() == list(reference.tokens)
        assert str(arrays["title"]) == "T"
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


# --------------------------------------------------------------------------- missing cells, minus


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.csv", "token,a,b\nx,,1\ny,nan,NULL\n"),
        ("m.tsv", "token\ta\tb\nx\t\t1\ny\tNaN\tnull\n"),
        ("m.yaml", "expressions: [a, b]\ntokens: [x, y]\nvalues: [[null, 1], [.nan, ~]]\n"),
        (
            "m.json",
            '{"expressions": ["a", "b"], "tokens": ["x", "y"], "values": [[null, 1], [NaN, null]]}',
        ),
    ],
)
def test_missing_cells_need_allow_missing(write, name, content, run_cli):
    path = write(name, content)
    assert "allow_missing=True" in error_of(path)
    matrix = load_matrix(path, options=MISSING)
    assert matrix.missing.tolist() == [[True, False], [True, True]]
    assert matrix.values.dtype == np.float64 and matrix.values[0, 1] == 1
    result = run_cli("validate", path, "--shape", "any", "--allow-missing")
    assert result.exit_code == 0 and result.stdout == f"ok {path} (2x2)\n"
    assert run_cli("validate", path, "--shape", "any").exit_code == 1


def test_allow_missing_from_a_config_file(write, tmp_path, run_cli):
    path = write("m.csv", "token,a\nx,\ny,1\n")
    config = write("c.yaml", "allow_missing: true\nshape: any\n")
    assert run_cli("validate", path, "--config", config).exit_code == 0
    bad = write("bad.yaml", "allow_missing: maybe\n")
    result = run_cli("validate", path, "--config", bad)
    assert result.exit_code == 1 and "allow_missing must be true or false" in result.stderr


def test_infinity_and_an_all_missing_grid_stay_errors(write):
    assert "not finite" in error_of(write("m.csv", "token,a\nx,inf\ny,1\n"), MISSING)
    assert "every cell is missing" in error_of(write("e.csv", "token,a\nx,\n"), MISSING)


def test_a_matrix_with_missing_cells_renders(reference):
    values = reference.values.copy()
    values[0, 0] = values[3, 2] = np.nan
    matrix = AttributionMatrix(reference.tokens, reference.expressions, values, allow_missing=True)
    figure = attrmap.render(matrix)
    annotations = [text.get_text() for text in figure.axes[0].texts if text.get_text()]
    assert len(annotations) == 13 * 5 - 2  # no annotation on a missing cell
    assert "0.3452" not in annotations and "0.0161" in annotations


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.csv", "token,a\nx,\u22120.5\n"),
        ("m.tsv", "token\ta\nx\t\u22120.5\n"),
        ("m.yaml", "expressions: [a]\ntokens: [x]\nvalues: [[\u22120.5]]\n"),
        ("m.json", '{"expressions": ["a"], "tokens": ["x"], "values": [["\u22120.5"]]}'),
        ("m.csv", "token,expression,value\nx,a,\u22125e\u22121\n"),
    ],
)
def test_the_minus_sign_is_a_minus_in_every_reader(write, name, content):
    assert load_matrix(write(name, content)).values.tolist() == [[-0.5]]


def test_plurals_are_right(write):
    assert "has 1 value, but the header has 2 expressions" in error_of(
        write("a.csv", "token,a,b\nx,1\n")
    )
    assert "has 2 values, but the header has 1 expression" in error_of(
        write("b.csv", "token,a\nx,1,2\n")
    )
    message = error_of(write("c.yaml", "expressions: [a]\ntokens: [x, y]\nvalues: [[1]]\n"))
    assert "values has 1 row, but there are 2 tokens" in message


# --------------------------------------------------------------------------- content sniffing


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "g.csv",
            b"\x1f\x8b\x08\x00" + bytes(20),
            "gzip-compressed data, not CSV text; decompress it first",
        ),
        (
            "z.csv",
            b"PK\x03\x04" + bytes(30),
            r"a zip archive \(a NumPy \.npz\?\), not CSV text; .* name it \.npz",
        ),
        (
            "n.csv",
            b"\x93NUMPY\x01\x00" + bytes(20),
            "a NumPy .npy array, not CSV text; save values, tokens and expressions",
        ),
        (
            "s.csv",
            b"token;a;b\nx;0,5;1,25\n",
            "semicolon-separated .* save it as CSV with commas and decimal points",
        ),
        (
            "d.csv",
            b"token,a,b\nx,0,5,1,25\n",
            r"has 4 values, but the header has 2 expressions \(decimal commas\? write 0\.5",
        ),
        ("q.csv", b'token,a\nx,"0,5"\n', r"'0,5' is not a number \(a decimal comma\? write 0\.5\)"),
        ("t.csv", b"token\ta\nx\t1\n", r"looks tab-separated: name it \.tsv"),
        ("c.tsv", b"token,a\nx,1\n", r"looks comma-separated: name it \.csv"),
        ("g.json", b"\x1f\x8b\x08\x00" + bytes(20), "gzip-compressed data, not JSON text"),
        ("y.npz", b"token,a\nx,1\n", "not an .npz file"),
        ("u.tsv", "token\ta\nx\t1\n".encode("utf-16"), "UTF-16 text .*save it as UTF-8"),
    ],
)
def test_content_that_does_not_match_the_name_says_what_it_is(write, name, content, expected):
    message = error_of(write(name, content))
    assert re.search(expected, message), message


def test_write_options_long_is_only_for_delimited_formats(reference):
    assert dump_matrix(reference, "tsv", WriteOptions(long=True)).startswith(
        b'"token"\t"expression"\t"value"\n'
    )
    with pytest.raises(attrmap.OutputError, match="yaml has no long form"):
        dump_matrix(reference, "yaml", WriteOptions(long=True))


@pytest.mark.parametrize(
    "text",
    [
        (EXAMPLES / "token_attribution.json").read_text(encoding="utf-8"),
        '{"title": "t", "tokens": [1.50, "07"], "expressions": ["e"], "values": [[1E5], [-0]]}',
        '{"tokens": ["\\u00e9"], "expressions": ["a", "b"], "values": [["2", " 3 "]]}',
        '{"title": null, "tokens": ["x"], "expressions": ["a"], "values": [[5e-324]]}',
    ],
)
def test_the_fast_json_path_reads_what_the_positioned_parser_reads(text):
    from attrmap.formats.document import matrix_from_document
    from attrmap.formats.json import _Parser, _read_plain

    options = InputOptions()
    fast = _read_plain(text, "m.json", options)
    slow = matrix_from_document(
        _Parser(text, "m.json", options.limits).document(), "m.json", options
    )
    assert fast is not None
    assert fast == slow and fast.values.tobytes() == slow.values.tobytes()


@pytest.mark.parametrize(
    "text",
    [
        '{"tokens": [true], "expressions": ["a"], "values": [[1]]}',
        '{"tokens": ["x"], "expressions": ["a"], "values": [[null]]}',
        '{"tokens": ["x"], "expressions": ["a"], "values": [[NaN]]}',
        '{"tokens": ["x"], "expressions": ["a"], "values": [["\\u22121"]]}',
        '{"tokens": ["x"], "tokens": ["y"], "expressions": ["a"], "values": [[1]]}',
        '{"tokens": ["x"], "expressions": ["a"], "values": [[1, 2]]}',
        '{"tokens": ["x"], "expressions": ["a"], "values": [[1]], "x": 1}',
    ],
)
def test_anything_unusual_takes_the_positioned_path(text):
    from attrmap.formats.json import _read_plain

    assert _read_plain(text, "m.json", InputOptions()) is None
