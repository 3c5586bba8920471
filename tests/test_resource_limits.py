"""Resource bombs: each is refused quickly, with a clear one-line error naming the file,
without exhausting memory; and the limits can be raised where a real user needs it.

Every bomb is loaded in a child process whose address space is capped (``RLIMIT_AS``), so a
regression shows up as a ``MemoryError`` or a timeout here instead of taking the machine
down; the child reports the outcome, the time ``load_matrix`` took and its peak-RSS growth.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from attrmap import AttributionMatrix, AttrmapError, LimitError, Limits, load_matrix

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE = 1536 * 2**20  # 1.5 GB for the child, interpreter and numpy included
MAX_SECONDS = 15.0  # per refusal in the child: a hang guard, generous for a loaded CI box
CHILD_TIMEOUT = MAX_SECONDS + 5  # startup and slack; beyond this the child is a hang
MB = 2**20

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
    import attrmap
    path, limits = sys.argv[2], attrmap.Limits(**json.loads(sys.argv[3]))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        matrix = attrmap.load_matrix(path, limits=limits)
        outcome = {"error": None, "shape": list(matrix.shape)}
    except attrmap.AttrmapError as error:
        outcome = {"error": type(error).__name__, "message": str(error)}
    except BaseException as error:
        outcome = {"error": "UNEXPECTED " + type(error).__name__, "message": repr(error)[:300]}
    outcome["seconds"] = time.perf_counter() - started
    outcome["rss_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps(outcome))
    """
)


def child_env() -> dict[str, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def load_in_child(path: Path, **limits: int) -> dict:
    """Load ``path`` in a memory-capped child; return what happened."""
    command = [sys.executable, "-c", CHILD, str(ADDRESS_SPACE), str(path), json.dumps(limits)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CHILD_TIMEOUT, env=child_env()
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: no answer within {CHILD_TIMEOUT:.0f} s (hang)")
    assert done.returncode == 0, f"child died ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_refused(
    outcome: dict, path: Path, *fragments: str, kinds=("LimitError",), max_rss_mb: float = 100
) -> str:
    summary = f"{path.name}: {outcome}"
    assert outcome["error"] in kinds, summary
    message = outcome["message"]
    assert message.startswith(str(path)), summary
    assert "\n" not in message, summary
    for fragment in fragments:
        assert fragment in message, summary
    assert outcome["seconds"] < MAX_SECONDS, summary
    assert outcome["rss_mb"] < max_rss_mb, summary
    return message


ANY_INPUT_ERROR = ("LimitError", "GridError", "InputError")


# --------------------------------------------------------------------------- alias bombs

LOL = '["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'


def laughs(indent: str = "") -> str:
    """Nine levels of ten aliases each: 10**9 "lol"s if anything expanded them."""
    lines = [f"{indent}a: &a {LOL}"]
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{indent}{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def laughs_in_list(last_alias: str) -> str:
    """The same nine levels as a flow list whose last item aliases the top level."""
    items = [f"&a {LOL}"]
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        items.append(f"&{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    return "[" + ", ".join([*items, last_alias]) + "]"


TEN = "[" + ", ".join(f"t{i}" for i in range(10)) + "]"
ALIAS_BOMBS = {
    "classic-unknown-keys": laughs(),
    "unknown-key-first": "lol:\n" + laughs("  ") + "expressions: [e]\ntokens: [t]\nvalues: [[1]]\n",
    "as-values": f"expressions: {TEN}\ntokens: {TEN}\nvalues: {laughs_in_list('*i')}\n",
    "as-values-alias": f"expressions: [e]\ntokens: [t]\nvalues: &v {laughs_in_list('*v')}\n",
    "as-tokens": f"expressions: [e]\ntokens: {laughs_in_list('*i')}\nvalues: [[1]]\n",
    "as-expressions": f"expressions: {laughs_in_list('*i')}\ntokens: [t]\nvalues: [[1]]\n",
    "as-title": f"title: {laughs_in_list('*i')}\nexpressions: [e]\ntokens: [t]\nvalues: [[1]]\n",
    # Structurally valid: a 1000-cell row aliased by 1000 rows, labels aliased too.
    "rows-aliased-1000x1000": (
        "expressions: &e [" + ", ".join(["e"] * 1000) + "]\n"
        "tokens: *e\n"
        "values: [&r [" + ", ".join(["0.5"] * 1000) + "], " + ", ".join(["*r"] * 999) + "]\n"
    ),
}


@pytest.mark.parametrize("name", list(ALIAS_BOMBS))
def test_yaml_alias_bombs_are_refused_quickly(tmp_path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(ALIAS_BOMBS[name], encoding="utf-8")
    assert path.stat().st_size < 20_000
    outcome = load_in_child(path)
    if name == "rows-aliased-1000x1000":
        assert_refused(outcome, path, "more than 250,000 cells", "max_cells=...")
    else:
        assert_refused(outcome, path, kinds=ANY_INPUT_ERROR)


def _label_amplifier(label: str, count: int) -> str:
    """One long label, aliased ``count`` times as tokens (with as many one-cell rows)."""
    return (
        f'expressions: [e]\ntokens: [&s "{label}", ' + ", ".join(["*s"] * (count - 1)) + "]\n"
        "values: [&r [1], " + ", ".join(["*r"] * (count - 1)) + "]\n"
    )


def _number_amplifier(digits: int, count: int) -> str:
    """One very long (but finite) number, aliased as every cell of ``count`` rows."""
    number = "0." + "0" * digits + "1"
    return (
        "expressions: [e]\ntokens: [&t t, " + ", ".join(["*t"] * (count - 1)) + "]\n"
        f"values: [&r [{number}], " + ", ".join(["*r"] * (count - 1)) + "]\n"
    )


AMPLIFIERS = {
    # ~1.4 MB on disk; 100,000 tokens of 1 MB each (100 GB of labels) if taken at face value.
    "long-label-x100000": lambda: _label_amplifier("\u00e9" * 500_000, 100_000),
    # Under the 10,000-character CSV field limit, but still 2.5 billion characters.
    "label-10000-chars-x250000": lambda: _label_amplifier("\u00e9" * 10_000, 250_000),
    # A 1 MB number parsed once per (aliased) cell.
    "long-number-x100000": lambda: _number_amplifier(1_000_000, 100_000),
}


@pytest.mark.parametrize("name", list(AMPLIFIERS))
def test_yaml_aliases_of_long_scalars_do_not_multiply_the_work(tmp_path, name):
    """Aliases share one node, but each use of a long label or number still costs work
    (UTF-8 check, number parsing): a small file must not buy minutes of CPU."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(AMPLIFIERS[name](), encoding="utf-8")
    assert path.stat().st_size < 4 * MB
    assert_refused(load_in_child(path), path, kinds=ANY_INPUT_ERROR, max_rss_mb=200)


# --------------------------------------------------------------------------- big files


@pytest.fixture(scope="module")
def gigabyte(tmp_path_factory) -> dict[str, Path]:
    """1 GB files with a valid start, sparse so nothing is written to disk."""
    folder = tmp_path_factory.mktemp("gigabyte")
    heads = {
        "csv": "token,a,b\nx,0.5,-0.25\n",
        "yaml": "expressions: [a, b]\ntokens: [x]\nvalues: [[0.5, -0.25]]\n",
    }
    paths = {}
    for fmt, head in heads.items():
        path = folder / f"huge.{fmt}"
        with open(path, "wb") as handle:
            handle.write(head.encode())
            handle.truncate(1 << 30)
        paths[fmt] = path
    return paths


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_one_gigabyte_file_is_refused_before_reading(gigabyte, fmt):
    path = gigabyte[fmt]
    assert path.stat().st_size == 1 << 30
    message = assert_refused(load_in_child(path), path, "max_bytes=...", max_rss_mb=20)
    assert "67,108,864-byte limit" in message


def test_one_gigabyte_on_stdin_reads_no_more_than_the_limit(gigabyte):
    command = [sys.executable, "-m", "attrmap", "validate", "-", "--input-format", "csv"]

    def cap_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    started = time.perf_counter()
    with open(gigabyte["csv"], "rb") as stdin:
        done = subprocess.run(
            command,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            env=child_env(),
            preexec_fn=cap_memory,
        )
    assert time.perf_counter() - started < MAX_SECONDS + 2
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("attrmap: error: <stdin>: larger than the 67,108,864-byte limit")


@pytest.fixture(scope="module")
def long_lines(tmp_path_factory) -> Iterator[dict[str, Path]]:
    """Single-line files: 100 MB (over the 64 MB default) and just under the default."""
    folder = tmp_path_factory.mktemp("lines")
    paths: dict[str, Path] = {}

    def make(name: str, head: bytes, unit: bytes, size: int) -> None:
        path = folder / name
        with open(path, "wb") as handle:
            handle.write(head)
            chunk = unit * (MB // len(unit))
            written = len(head)
            while written + len(chunk) <= size:
                handle.write(chunk)
                written += len(chunk)
            handle.write(unit * ((size - written) // len(unit)))
        paths[name] = path

    make("line100.csv", b"", b"a", 100 * MB)
    os.link(paths["line100.csv"], folder / "line100.yaml")  # the same 100 MB, as YAML
    paths["line100.yaml"] = folder / "line100.yaml"
    under = 63 * MB
    make("a-under.csv", b"", b"a", under)
    make("commas-under.csv", b"token", b",", under)
    make("wide-row-under.csv", b"token,e\nx", b",1", under)
    make("scalar-under.yaml", b"title: ", b"a", under)
    make("flow-under.yaml", b"expressions: [", b"e,", under)
    yield paths
    for path in paths.values():  # ~420 MB: do not leave it in pytest's kept temp folders
        path.unlink()


@pytest.mark.parametrize("name", ["line100.csv", "line100.yaml"])
def test_a_100_megabyte_line_is_refused_by_size(long_lines, name):
    path = long_lines[name]
    assert path.stat().st_size == 100 * MB
    assert_refused(
        load_in_child(path), path, "larger than the 67,108,864-byte limit", "max_bytes=..."
    )


def test_the_size_limit_is_the_same_code_path_at_any_size(tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(b"token," + b"a" * 2000 + b"\nx,1\n")
    with pytest.raises(
        LimitError, match=r"larger than the 1,000-byte limit .*max_bytes=\.\.\."
    ) as info:
        load_matrix(path, limits=Limits(max_bytes=1000))
    assert str(info.value).startswith(str(path))
    assert load_matrix(path, limits=Limits(max_bytes=2100)).shape == (1, 1)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("a-under.csv", "field larger than field limit (10000)"),  # one 63 MB field
        ("commas-under.csv", ""),  # a header of 66 million empty expressions
        ("wide-row-under.csv", ""),  # a row of 33 million cells
        ("scalar-under.yaml", ""),  # one 63 MB scalar
        ("flow-under.yaml", "max_cells=..."),  # 33 million expressions
    ],
)
def test_a_63_megabyte_line_under_the_size_limit_is_refused_without_exhausting_memory(
    long_lines, name, fragment
):
    path = long_lines[name]
    assert 63 * MB - 2 <= path.stat().st_size <= 63 * MB  # just under the 64 MB default
    assert_refused(load_in_child(path), path, fragment, kinds=ANY_INPUT_ERROR, max_rss_mb=1024)


# --------------------------------------------------------------------------- big grids


def grid_csv(rows: int, cols: int) -> str:
    header = "token," + ",".join(f"e{j}" for j in range(cols)) + "\n"
    return header + "".join(f"t{i}," + ",".join(["0.25"] * cols) + "\n" for i in range(rows))


def grid_yaml(rows: int, cols: int) -> str:
    row = "[" + ", ".join(["0.25"] * cols) + "]"
    return (
        "expressions: [" + ", ".join(f"e{j}" for j in range(cols)) + "]\n"
        "tokens: [" + ", ".join(f"t{i}" for i in range(rows)) + "]\n"
        "values:\n" + f"  - {row}\n" * rows
    )


def grid_json(rows: int, cols: int) -> str:
    row = "[" + ", ".join(["0.25"] * cols) + "]"
    return (
        '{"expressions": [' + ", ".join(f'"e{j}"' for j in range(cols)) + "],\n"
        '"tokens": [' + ", ".join(f'"t{i}"' for i in range(rows)) + "],\n"
        '"values": [' + ",\n".join([row] * rows) + "]}\n"
    )


def grid_tsv(rows: int, cols: int) -> str:
    return grid_csv(rows, cols).replace(",", "\t")


def grid_long_csv(rows: int, cols: int) -> str:
    return "token,expression,value\n" + "".join(
        f"t{i},e{j},0.25\n" for j in range(cols) for i in range(rows)
    )


def grid_npz(rows: int, cols: int) -> bytes:
    import numpy as np

    from attrmap.formats import dump_matrix

    tokens, expressions = [f"t{i}" for i in range(rows)], [f"e{j}" for j in range(cols)]
    values = np.full((rows, cols), 0.25)
    return dump_matrix(AttributionMatrix(tokens, expressions, values), "npz")


GRID = {
    "csv": grid_csv,
    "yaml": grid_yaml,
    "json": grid_json,
    "tsv": grid_tsv,
    "long.csv": grid_long_csv,
    "npz": grid_npz,
}


@pytest.fixture(scope="module")
def grids(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("grids")
    paths = {}
    for fmt, make in GRID.items():
        for rows, cols in [(1000, 1000), (600, 500)]:
            path = folder / f"grid{rows}x{cols}.{fmt}"
            if fmt == "npz":
                # attrmap refuses to build a matrix over the cell limit: write it by hand
                path.write_bytes(make(rows, cols) if rows * cols < 10**6 else _big_npz(rows, cols))
            else:
                path.write_text(make(rows, cols), encoding="utf-8")
            paths[f"{rows}x{cols}.{fmt}"] = path
    return paths


def _big_npz(rows: int, cols: int) -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        values=np.full((rows, cols), 0.25),
        tokens=np.array([f"t{i}" for i in range(rows)]),
        expressions=np.array([f"e{j}" for j in range(cols)]),
    )
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", list(GRID))
def test_a_million_cells_are_refused_by_the_cell_limit(grids, fmt):
    path = grids[f"1000x1000.{fmt}"]
    outcome = load_in_child(path)
    assert_refused(outcome, path, "more than 250,000 cells", "max_cells=...", max_rss_mb=300)


@pytest.mark.parametrize("fmt", list(GRID))
def test_raising_the_cell_limit_lets_a_600x500_grid_through(grids, fmt):
    path = grids[f"600x500.{fmt}"]
    with pytest.raises(LimitError, match="more than 250,000 cells"):
        load_matrix(path)
    matrix = load_matrix(path, limits=Limits(max_cells=2_000_000))
    assert matrix.shape == (600, 500)
    assert matrix.tokens[-1] == "t599" and matrix.expressions[-1] == "e499"
    assert float(matrix.values.sum()) == 0.25 * 600 * 500


# --------------------------------------------------------------------------- deep YAML

DEEP = {
    "flow-seq": "[" * 100_000,
    "flow-seq-closed": "[" * 100_000 + "]" * 100_000,
    "flow-map": "{a: " * 100_000,
    "block-seq": "".join(" " * i + "-\n" for i in range(2_000)),
    "block-map": "".join(" " * i + "k:\n" for i in range(2_000)),
    "under-values": "expressions: [e]\ntokens: [t]\nvalues: " + "[" * 100_000 + "\n",
    "under-unknown-key": "x: " + "[" * 100_000 + "\nexpressions: [e]\n",
}


@pytest.mark.parametrize("name", list(DEEP))
def test_deeply_nested_yaml_is_refused(tmp_path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(DEEP[name], encoding="utf-8")
    assert_refused(load_in_child(path), path, "nested too deeply")


DEEP_JSON = {
    "arrays": "[" * 100_000,
    "arrays-closed": "[" * 100_000 + "]" * 100_000,
    "objects": '{"a": ' * 100_000,
    "under-values": '{"expressions": ["e"], "tokens": ["t"], "values": ' + "[" * 100_000,
}


@pytest.mark.parametrize("name", list(DEEP_JSON))
def test_deeply_nested_json_is_refused(tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_text(DEEP_JSON[name], encoding="utf-8")
    assert_refused(load_in_child(path), path, "nested too deeply")


# --------------------------------------------------------------------------- compression bombs


def zip_bomb_npz(payload_mb: int, header_shape: tuple[int, ...]) -> bytes:
    """An .npz with labels whose values.npy inflates to ``payload_mb`` MB of zeros (about
    1000:1); its .npy header claims ``header_shape``."""
    import io
    import zipfile

    import numpy as np

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("tokens", "expressions"):
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, np.array(["a", "b", "c"]))
        with archive.open("values.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "<f8", "fortran_order": False, "shape": header_shape}
            )
            chunk = bytes(MB)
            for _ in range(payload_mb):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    import gzip

    folder = tmp_path_factory.mktemp("bombs")
    gz = gzip.compress(bytes(200 * MB), compresslevel=9, mtime=0)
    files = {
        "npz-honest-header.npz": zip_bomb_npz(200, (3, 200 * MB // 24)),
        "npz-lying-header.npz": zip_bomb_npz(200, (3, 3)),
        "gzip.csv": gz,
        "gzip.json": gz,
        "zip.csv": zip_bomb_npz(200, (3, 3)),
    }
    paths = {}
    for name, data in files.items():
        assert len(data) < MB  # small files ...
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


BOMB_MESSAGES = {
    "npz-honest-header.npz": ("decompress past the 67,108,864-byte limit", "max_bytes=..."),
    "npz-lying-header.npz": ("bytes more than its .npy header describes",),
    "gzip.csv": ("gzip-compressed data, not CSV text",),
    "gzip.json": ("gzip-compressed data, not JSON text",),
    "zip.csv": ("a zip archive", ".npz"),
}


@pytest.mark.parametrize("name", list(BOMB_MESSAGES))
def test_compression_bombs_are_refused_without_inflating(bombs, name):
    """... that would inflate to 200 MB: refused quickly, memory flat (nothing inflated)."""
    path = bombs[name]
    assert_refused(load_in_child(path), path, *BOMB_MESSAGES[name], kinds=ANY_INPUT_ERROR)


# --------------------------------------------------------------------------- raising limits


def test_raising_the_byte_limit_lets_a_bigger_file_through(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(grid_csv(1, 100_000), encoding="utf-8")
    assert 1 * MB < path.stat().st_size < 2 * MB
    with pytest.raises(LimitError, match="larger than the 1,048,576-byte limit"):
        load_matrix(path, limits=Limits(max_bytes=MB))
    assert load_matrix(path, limits=Limits(max_bytes=2 * MB)).shape == (1, 100_000)


def test_an_effectively_unlimited_byte_limit_works(tmp_path):
    """A generous user-chosen limit (``--max-mb 1e20``) must not break reading."""
    path = tmp_path / "m.csv"
    path.write_text(grid_csv(2, 3), encoding="utf-8")
    assert load_matrix(path, limits=Limits(max_bytes=10**26)).shape == (2, 3)


def one_line(result, path: Path, *fragments: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"attrmap: error: {path}: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_cli_max_cells(grids, fmt, run_cli):
    path = grids[f"600x500.{fmt}"]
    refused = run_cli("validate", str(path), "--shape", "any")
    assert refused.exit_code == 1
    one_line(refused, path, "more than 250,000 cells", "--max-cells")
    assert refused.stdout == ""
    raised = run_cli("validate", str(path), "--shape", "any", "--max-cells", "300000")
    assert raised.exit_code == 0, raised.stderr
    assert raised.stdout.strip() == f"ok {path} (600x500)"
    assert raised.stderr == ""


def test_cli_max_mb(tmp_path, run_cli):
    path = tmp_path / "wide.csv"
    path.write_text(grid_csv(1, 100_000), encoding="utf-8")
    assert 1 * MB < path.stat().st_size < 1.5 * MB
    refused = run_cli("validate", str(path), "--shape", "any", "--max-mb", "1")
    assert refused.exit_code == 1
    one_line(refused, path, "larger than the 1,048,576-byte limit", "--max-mb")
    raised = run_cli("validate", str(path), "--shape", "any", "--max-mb", "2")
    assert raised.exit_code == 0, raised.stderr
    assert raised.stdout.strip() == f"ok {path} (1x100000)"
    fractional = run_cli("validate", str(path), "--shape", "any", "--max-mb", "1.5")
    assert fractional.exit_code == 0, fractional.stderr


def test_cli_max_mb_far_above_any_file_size(tmp_path, run_cli):
    path = tmp_path / "m.csv"
    path.write_text(grid_csv(2, 3), encoding="utf-8")
    result = run_cli("validate", str(path), "--shape", "any", "--max-mb", "1e20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"ok {path} (2x3)"


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1", "lots"])
def test_cli_max_mb_nonsense_is_a_usage_error(tmp_path, value, run_cli):
    path = tmp_path / "m.csv"
    path.write_text(grid_csv(2, 3), encoding="utf-8")
    result = run_cli("validate", str(path), "--shape", "any", "--max-mb", value)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "--max-mb" in result.stderr


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "many"])
def test_cli_max_cells_nonsense_is_a_usage_error(tmp_path, value, run_cli):
    path = tmp_path / "m.csv"
    path.write_text(grid_csv(2, 3), encoding="utf-8")
    result = run_cli("validate", str(path), "--shape", "any", "--max-cells", value)
    assert result.exit_code == 2, result.stderr
    assert "--max-cells" in result.stderr


def test_every_refusal_is_an_attrmap_error():
    assert issubclass(LimitError, AttrmapError)


# --------------------------------------------------------------------------- inseq exports

INSEQ_HEAD = (
    b'{"__instance_type__": ["inseq.data.attribution", "FeatureAttributionOutput"], '
    b'"attributes": {"info": "'
)


def _gzip_stream(head: bytes, filler: bytes, size: int) -> bytes:
    """gzip of ``head`` then ``filler`` up to ``size`` bytes, compressed piece by piece
    (the inflated data is never held in memory here either)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = filler * (MB // len(filler))
    parts = [packer.compress(head)]
    parts += [packer.compress(chunk) for _ in range((size - len(head)) // len(chunk))]
    return b"".join([*parts, packer.flush()])


def _inseq_file(folder: Path, name: str, source_attributions: object) -> Path:
    import inseq_files

    sequence = inseq_files.sequence(["<pad>", "a", "b", "c"], None, 1, list("vwxyz"), None)
    sequence["attributes"]["source_attributions"] = source_attributions
    return inseq_files.write(folder / name, inseq_files.output([sequence]))


@pytest.fixture(scope="module")
def inseq_bombs(tmp_path_factory) -> dict[str, Path]:
    import base64

    folder = tmp_path_factory.mktemp("inseq")
    whole = folder / "bomb.json.gz"  # 256 MB of a string inside a valid start, ~1 MB packed
    whole.write_bytes(_gzip_stream(INSEQ_HEAD, b"a", 256 * MB))
    packed_array = _gzip_stream(b"", b"\0", 256 * MB)  # an array of 64 million zeros
    array = {
        "__ndarray__": "b64.gz:" + base64.b64encode(packed_array).decode(),
        "dtype": "float32",
        "shape": [5, 3],
    }
    return {"whole": whole, "array": _inseq_file(folder, "array-bomb.json", array)}


def test_inseq_gzip_bomb_is_refused_without_inflating_it(inseq_bombs):
    path = inseq_bombs["whole"]
    assert path.stat().st_size < 2 * MB
    assert_refused(load_in_child(path), path, "decompresses to more than the 67,108,864-byte limit")


def test_inseq_b64_gz_array_bomb_is_refused_without_inflating_it(inseq_bombs):
    path = inseq_bombs["array"]
    assert path.stat().st_size < 2 * MB
    message = assert_refused(load_in_child(path), path, "decompresses to more than the")
    assert "sequence 0" in message


def _safetensors_b64(dtype: str, shape: list[int], data: bytes) -> str:
    import base64

    import inseq_files

    return base64.b64encode(inseq_files.safetensors_bytes(data, dtype, shape)).decode()


INSEQ_SIZE_MISMATCHES = {
    # Claimed shapes of 10**10 and 2**62 cells over 60 bytes: refused before any allocation.
    "b64": (
        lambda: {"__ndarray__": "b64:" + "AAAA" * 20, "dtype": "float32", "shape": [10**5] * 2},
        "60 bytes of data, but float32 x [100000, 100000] needs 40,000,000,000",
    ),
    "safetensors": (
        lambda: _safetensors_b64("F16", [2**31, 2**31], b"\0" * 60),
        "60 bytes of data, but F16 x [2147483648, 2147483648] needs",
    ),
    "safetensors-short": (
        lambda: _safetensors_b64("F32", [5, 3], b"\0" * 59),
        "59 bytes of data, but F32 x [5, 3] needs 60",
    ),
}


@pytest.mark.parametrize("name", list(INSEQ_SIZE_MISMATCHES))
def test_inseq_arrays_whose_bytes_do_not_match_dtype_and_shape_are_refused(tmp_path, name):
    make, fragment = INSEQ_SIZE_MISMATCHES[name]
    path = _inseq_file(tmp_path, f"{name}.json", make())
    message = assert_refused(load_in_child(path), path, fragment, kinds=("InputError",))
    assert "sequence 0, source_attributions" in message


def test_inseq_grid_over_the_cell_limit_is_refused_before_decoding(tmp_path):
    import inseq_files

    rng = np.random.default_rng(0)
    source = [f"s{i}" for i in range(600)]
    target = ["<pad>"] + [f"t{i}" for i in range(500)]
    sequence = inseq_files.sequence(target, None, 1, source, rng.random((600, 500)))
    path = inseq_files.write(tmp_path / "big.json", inseq_files.output([sequence]))
    message = assert_refused(load_in_child(path), path, "more than 250,000 cells", "max_cells=...")
    assert "a 600 x 500 grid" in message


def test_inseq_nested_list_bomb_is_refused_before_parsing(tmp_path):
    """A ~70 kB .json.gz whose array is 60 MB of ``[1],``: 15 million one-element lists
    would take gigabytes as Python lists (a MemoryError under the cap) before any array
    is built; the lists and objects are counted against the cell limit first."""
    import inseq_files

    sequence = inseq_files.sequence(["<pad>", "a", "b", "c"], None, 1, list("vwxyz"), None)
    sequence["attributes"]["source_attributions"] = "@ARRAY@"
    head, tail = inseq_files.dumps(inseq_files.output([sequence])).split(b'"@ARRAY@"')
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    lists = b"[1]," * (MB // 4)
    parts = [packer.compress(head + b"[")]
    parts += [packer.compress(lists) for _ in range(60)]
    parts += [packer.compress(b"[1]]" + tail), packer.flush()]
    path = tmp_path / "nested-lists.json.gz"
    path.write_bytes(b"".join(parts))
    assert path.stat().st_size < 100_000
    message = assert_refused(
        load_in_child(path), path, "more than 1,001,000 JSON lists and objects", "max_cells=..."
    )
    assert "250,000 cells" in message
    # Within the limit the same kind of array is read: a 5 x 3 grid as nested lists.
    small = tmp_path / "small.json.gz"
    small.write_bytes(gzip.compress(head + json.dumps([[1, 2, 3]] * 5).encode() + tail))
    assert load_matrix(small).shape == (5, 3)


# --------------------------------------------------------------------------- settings


def run_capped(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``attrmap ARGS`` in a memory-capped child (1.5 GB), within the hang guard."""

    def cap_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "attrmap", *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=child_env(),
        cwd=cwd,
        preexec_fn=cap_memory,
    )
    assert time.perf_counter() - started < MAX_SECONDS, args
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done


SETTING_BOMBS = {
    # [tool.attrmap] of a repository: a precision of a billion digits took 2 GB in validate
    # (and so in the pre-commit hook).
    "fmt-in-pyproject": (
        {"pyproject.toml": '[tool.attrmap]\nfmt = ".999999999f"\n'},
        [],
        1,
        "[tool.attrmap]: fmt '.999999999f': a precision over 20 digits",
    ),
    # 57 s to a MemoryError traceback.
    "fmt-option": ({}, ["--fmt", ".20000000f"], 2, "a precision over 20 digits"),
    "fmt-width": ({}, ["--fmt", "1000000000.2f"], 2, "a width over 40 characters"),
    # A 1 kB config whose nested aliases grew past 2 GB (the type error repr'd it all).
    "config-aliases": (
        {"c.yaml": laughs() + "title: *i\n"},
        ["--config", "c.yaml"],
        1,
        "c.yaml:2: a YAML alias (*a); config files take none",
    ),
    # PyYAML 6.0.4's libyaml stops flow nesting past 1,000 itself: still attrmap's line.
    "config-deep": ({"c.yaml": "[" * 60_000}, ["--config", "c.yaml"], 1, "nested more than 8"),
    "config-nested": ({"c.yaml": "[" * 900}, ["--config", "c.yaml"], 1, "nested more than 8"),
    "pyproject-deep": (
        {"pyproject.toml": "[tool.attrmap]\ntitle = " + "[" * 100_000 + "]" * 100_000 + "\n"},
        [],
        1,
        "invalid TOML: nested too deeply",
    ),
    "pyproject-large": (
        {"pyproject.toml": "[tool.attrmap]\n" + "# padding\n" * 120_000},
        [],
        1,
        "pyproject.toml: a pyproject.toml of over 1,048,576 bytes",
    ),
    "config-large": (
        {"c.yaml": "title: " + "x" * 900_000 + "\n"},
        ["--config", "c.yaml"],
        1,
        "c.yaml: a config file of over 65,536 bytes",
    ),
    "config-long-title": (
        {"c.yaml": "title: " + "x" * 60_000 + "\n"},
        ["--config", "c.yaml"],
        1,
        "title is 60,000 characters, over 10,000",
    ),
    "config-long-value-of-wrong-type": (
        {"c.yaml": "dpi: [" + ", ".join(["1"] * 20_000) + "]\n"},
        ["--config", "c.yaml"],
        1,
        "dpi must be int, not [1, 1, 1, 1, 1, 1, ...]",
    ),
}


@pytest.mark.parametrize("name", list(SETTING_BOMBS))
def test_unbounded_settings_are_one_line_errors_in_bounded_memory(tmp_path, name):
    files, args, code, fragment = SETTING_BOMBS[name]
    (tmp_path / ".git").mkdir()  # no pyproject.toml above counts
    for file, text in files.items():
        (tmp_path / file).write_text(text)
    data = tmp_path / "m.csv"
    data.write_text(grid_csv(2, 3))
    done = run_capped(["render", str(data), "-o", "m.png", "--shape", "any", *args], tmp_path)
    assert done.returncode == code, done.stderr
    message = [line for line in done.stderr.splitlines() if line.strip()][-1]
    assert fragment in message, done.stderr
    assert len(message) < 400, message
    assert "invalid YAML" not in message, message  # a bound, not a syntax error
    assert not (tmp_path / "m.png").exists()


def test_an_overflowing_max_mb_is_no_limit_not_a_traceback(tmp_path):
    data = tmp_path / "m.csv"
    data.write_text(grid_csv(2, 3))
    done = run_capped(["validate", str(data), "--shape", "any", "--max-mb", "1e308"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok {data} (2x3)"


def test_the_library_refuses_an_unbounded_format_before_formatting():
    from attrmap import Style, StyleError

    started = time.perf_counter()
    for fmt in (".999999999f", "9999999999d", ".21e", "<1000000000"):
        with pytest.raises(StyleError, match="fmt"):
            Style(fmt=fmt)
    assert time.perf_counter() - started < 1
    assert Style(fmt="+08.20f").fmt == "+08.20f"  # the bounds themselves are fine
