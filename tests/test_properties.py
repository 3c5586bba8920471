"""Property tests: whatever labels and finite values a matrix holds, writing it and reading
it back (directly or through ``attrmap convert``) gives back exactly the same matrix.

Labels may hold any Unicode scalar value that UTF-8 can encode: control characters (NUL,
CR, NEL, U+2028, ...), quotes, commas, YAML syntax and YAML 1.1 words. Only surrogate code
points are excluded: no UTF-8 file can hold them (``AttributionMatrix`` refuses them).
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import attrmap
from attrmap import AttributionMatrix, GridError, load_matrix, save_matrix
from attrmap.formats import WriteOptions

# Words and fragments that YAML (1.1 or 1.2) or CSV would love to reinterpret.
TRICKY_LABELS = [
    "",
    " ",
    "no",
    "No",
    "NO",
    "yes",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "007",
    "0o17",
    "0x1F",
    "1_000",
    "~",
    "null",
    "Null",
    "1e3",
    ".5",
    "+1",
    "-1",
    ".inf",
    "-.inf",
    ".nan",
    "nan",
    "-",
    "--",
    "---",
    "...",
    ": x",
    "a: b",
    "# c",
    "a #b",
    "[a]",
    "{a: b}",
    "&a",
    "*a",
    "!tag",
    "!!str",
    "%YAML 1.1",
    "? q",
    "|",
    ">",
    "@",
    "`",
    "'",
    "''",
    '"',
    '""',
    ",",
    '","',
    "$35 ($85 - $50)",
    "8 x 48 = 384",
    "_x",
    "a\nb",
    "\n",
    "\r",
    "\r\n",
    "a\rb",
    "\t",
    " lead",
    "trail ",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\xa0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufeffBOM",
    "\ufffe",
    "\uffff",
    "\U0001f600",
    "ünï",
    "1,2",
    "=SUM(A1)",
]

# Characters that matter to the CSV or YAML syntax, plus control and line-break characters.
SPECIAL_CHARS = (
    " ,\"'$:#[]{}&*!|>%@`-?~\\/\n\r\t\x00\x01\x0b\x0c\x1c\x1f\x7f\x85\xa0\u2028\u2029\ufeff"
)

# Any Unicode scalar value: every code point except the surrogates (category Cs).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))

labels = st.one_of(
    st.sampled_from(TRICKY_LABELS),
    st.text(ANY_CHAR, max_size=12),
    st.text(st.sampled_from(SPECIAL_CHARS), max_size=8),
    st.builds(
        lambda pad1, word, pad2: pad1 + word + pad2,
        st.sampled_from(["", " ", "  ", "\t", "\n"]),
        st.sampled_from(TRICKY_LABELS),
        st.sampled_from(["", " ", "  ", "\t", "\n"]),
    ),
)

# Finite float64s, including -0.0, subnormals and values near the largest double.
finite_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from(
        [
            0.0,
            -0.0,
            5e-324,
            -5e-324,
            2.2250738585072014e-308,
            1e308,
            -1.7976931348623157e308,
            1e16,
            0.1,
            1 / 3,
        ]
    ),
)


@st.composite
def matrices(draw, with_title: bool) -> AttributionMatrix:
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    tokens = draw(st.lists(labels, min_size=rows, max_size=rows))
    expressions = draw(st.lists(labels, min_size=cols, max_size=cols))
    values = draw(
        st.lists(
            st.lists(finite_floats, min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
    title = draw(st.one_of(st.none(), labels)) if with_title else None
    return AttributionMatrix(tokens, expressions, np.array(values, dtype=np.float64), title=title)


def one(label: str, *, title: str | None = None) -> AttributionMatrix:
    """A 1x1 matrix with ``label`` as token and expression (an explicit example)."""
    return AttributionMatrix([label], [label], [[-0.0]], title=title)


def assert_same(loaded: AttributionMatrix, expected: AttributionMatrix) -> None:
    assert loaded.tokens == expected.tokens
    assert loaded.expressions == expected.expressions
    assert loaded.title == expected.title
    assert loaded.values.dtype == np.float64
    # Bit-exact: -0.0 stays -0.0, subnormals stay subnormal.
    assert loaded.values.tobytes() == expected.values.tobytes()
    assert loaded == expected


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


def fresh_dir(base: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=base))


@settings(max_examples=250, deadline=None)
@given(matrix=matrices(with_title=False))
@example(matrix=one("\r"))
@example(matrix=one("a\rb"))
@example(matrix=one("\x00"))
@example(matrix=one(""))
def test_csv_round_trip(workdir, matrix):
    path = fresh_dir(workdir) / "m.csv"
    save_matrix(matrix, path)
    assert_same(load_matrix(path), matrix)


@settings(max_examples=250, deadline=None)
@given(matrix=matrices(with_title=True))
@example(matrix=one("\x00", title="\x00"))
@example(matrix=one("\r", title="\r\n"))
@example(matrix=one("\x85\u2028\u2029", title="\ufeff"))
@example(matrix=one("no", title="~"))
@example(matrix=one("", title=""))
def test_yaml_round_trip_including_title(workdir, matrix):
    path = fresh_dir(workdir) / "m.yaml"
    save_matrix(matrix, path)
    assert_same(load_matrix(path), matrix)


@settings(max_examples=60, deadline=None)
@given(matrix=matrices(with_title=False))
@example(matrix=one("\r"))
def test_cli_convert_csv_to_yaml_to_csv(workdir, matrix, run_cli):
    folder = fresh_dir(workdir)
    first, middle, last = folder / "a.csv", folder / "b.yaml", folder / "c.csv"
    save_matrix(matrix, first)
    for source, target in ((first, middle), (middle, last)):
        result = run_cli("convert", source, target)
        assert result.exit_code == 0, (result.output, result.exception)
    assert_same(load_matrix(middle), matrix)
    assert_same(load_matrix(last), matrix)
    assert last.read_bytes() == first.read_bytes()  # the writer is deterministic


@settings(max_examples=30, deadline=None)
@given(matrix=matrices(with_title=True))
def test_cli_convert_yaml_to_csv_drops_only_the_title(workdir, matrix, run_cli):
    folder = fresh_dir(workdir)
    source, target = folder / "a.yaml", folder / "b.csv"
    save_matrix(matrix, source)
    result = run_cli("convert", source, target)
    assert result.exit_code == 0, (result.output, result.exception)
    without_title = AttributionMatrix(matrix.tokens, matrix.expressions, matrix.values)
    assert_same(load_matrix(target), without_title)


@pytest.mark.parametrize("label", ["\ud800", "a\udfffb"])
def test_surrogates_cannot_be_labels(label):
    """The one restriction on labels: a lone surrogate cannot be written as UTF-8."""
    with pytest.raises(GridError, match="cannot be encoded as UTF-8"):
        AttributionMatrix([label], ["e"], [[1.0]])
    with pytest.raises(attrmap.AttrmapError):
        AttributionMatrix(["t"], [label], [[1.0]])


# --------------------------------------------------------------------------- the other formats


def distinct_expressions(matrix: AttributionMatrix) -> bool:
    return len(set(matrix.expressions)) == len(matrix.expressions)


def npz_safe(matrix: AttributionMatrix) -> bool:
    """NumPy's fixed-width strings cannot end in NUL (the writer refuses those labels)."""
    labels = (*matrix.tokens, *matrix.expressions, matrix.title or "")
    return not any(label.endswith("\0") for label in labels)


@pytest.mark.parametrize(
    ("suffix", "long", "titled", "keep"),
    [
        (".json", False, True, None),
        (".tsv", False, False, None),
        (".csv", True, False, distinct_expressions),
        (".tsv", True, False, distinct_expressions),
        (".npz", False, True, npz_safe),
    ],
    ids=["json", "tsv", "long-csv", "long-tsv", "npz"],
)
def test_every_writer_round_trips_exactly(workdir, suffix, long, titled, keep):
    @settings(max_examples=120, deadline=None)
    @given(matrix=matrices(with_title=titled))
    @example(matrix=one("\r", title="\r\n" if titled else None))
    @example(matrix=one("", title="" if titled else None))
    @example(matrix=one("Value"))
    def check(matrix):
        assume(keep is None or keep(matrix))
        path = fresh_dir(workdir) / f"m{suffix}"
        save_matrix(matrix, path, options=WriteOptions(long=long))
        assert_same(load_matrix(path), matrix)

    check()


@settings(max_examples=40, deadline=None)
@given(matrix=matrices(with_title=True), data=st.data())
def test_missing_cells_round_trip_through_every_format(workdir, matrix, data):
    assume(npz_safe(matrix))
    mask = data.draw(
        st.lists(st.booleans(), min_size=matrix.values.size, max_size=matrix.values.size)
    )
    assume(not all(mask))
    values = matrix.values.copy()
    values[np.array(mask).reshape(values.shape)] = np.nan
    holey = AttributionMatrix(
        matrix.tokens, matrix.expressions, values, title=matrix.title, allow_missing=True
    )
    untitled = AttributionMatrix(matrix.tokens, matrix.expressions, values, allow_missing=True)
    folder = fresh_dir(workdir)
    for suffix in (".csv", ".tsv", ".yaml", ".json", ".npz"):
        path = folder / f"m{suffix}"
        save_matrix(holey, path)
        loaded = load_matrix(path, options=attrmap.InputOptions(allow_missing=True))
        assert_same(loaded, holey if suffix in (".yaml", ".json", ".npz") else untitled)
        if any(mask) and suffix in (".yaml", ".json"):  # they record allow_missing
            assert_same(load_matrix(path), holey)
        elif any(mask):
            with pytest.raises(GridError, match="allow_missing=True"):
                load_matrix(path)


@settings(max_examples=30, deadline=None)
@given(matrix=matrices(with_title=True))
def test_cli_convert_through_every_format_and_back(workdir, matrix, run_cli):
    assume(npz_safe(matrix))
    folder = fresh_dir(workdir)
    chain = [folder / name for name in ("a.yaml", "b.json", "c.npz", "d.yaml")]
    save_matrix(matrix, chain[0])
    for source, target in itertools.pairwise(chain):
        result = run_cli("convert", source, target)
        assert result.exit_code == 0, (result.output, result.exception)
        assert_same(load_matrix(target), matrix)
    assert chain[-1].read_bytes() == chain[0].read_bytes()  # deterministic writers


def test_npz_refuses_labels_it_cannot_keep(tmp_path):
    with pytest.raises(attrmap.OutputError, match="ends with a NUL"):
        save_matrix(one("a\0"), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_long_form_refuses_repeated_expressions(tmp_path):
    matrix = AttributionMatrix(["t"], ["e", "e"], [[1.0, 2.0]])
    with pytest.raises(attrmap.OutputError, match="'e' appears twice"):
        save_matrix(matrix, tmp_path / "m.csv", options=WriteOptions(long=True))
