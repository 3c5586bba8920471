"""Seeded mutation fuzzing of the readers: CSV (wide and long), TSV, YAML, JSON and NPZ;
then of the other attack surfaces: config files and ``[tool.attrmap]`` tables, option
values, file names (atomic writes, the leftover sweep, and every line that prints one) and
font files.

Valid seeds (``examples/`` plus small matrices below) are mutated at random: bytes flipped,
spans cut, duplicated or deleted, quotes, brackets, BOMs, NULs, invalid UTF-8, line-ending
changes, YAML tags, anchors, aliases, deep nesting, non-finite and huge numbers. For every
case ``load_matrix`` must either return a valid matrix or raise ``AttrmapError`` naming
the file, on one line; never another exception, never run code from a YAML tag, and never
take long. Deterministic: the same seed gives the same cases. For a longer run::

    ATTRMAP_FUZZ_CASES=20000 ATTRMAP_FUZZ_SEED=7 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attrmap import AttributionMatrix, AttrmapError, load_matrix

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

SEED = int(os.environ.get("ATTRMAP_FUZZ_SEED", "20240611"))
CASES_PER_FORMAT = int(os.environ.get("ATTRMAP_FUZZ_CASES", "6000")) // 2
# The readers added after 1.0 get fewer cases each, so the suite stays fast; their seeds
# are small and their mutations the same, and ATTRMAP_FUZZ_CASES scales them too.
SHARE = {"csv": 1.0, "yaml": 1.0, "json": 0.5, "tsv": 0.25, "npz": 0.5}
MAX_SECONDS_PER_CASE = 2.0

CSV_SEEDS = [
    b"token,a,b\nx,0.5,-0.25\ny,1,0\n",
    b'\xef\xbb\xbftoken,"a, b","say ""hi"""\r\n",",1,2\r\n"multi\nline",3,4\r\n',
    b"token, a ,b\n\n x ,1e-3,+.5\n\ny,-0.0,1E+05\n",
    b'Token,no,~,007,1e3\n"#c",.5,-1,0,5e-324\n$,1,2,3,1.7976931348623157e308\n',
]

LONG_CSV_SEEDS = [
    b"token,expression,value\nx,a,0.5\ny,a,1\nx,b,-0.25\ny,b,0\n",
    b"Value,EXPRESSION,position,Token\n1,b,1,y\n0.5,a,0,x\n-1,a,1,y\n\xe2\x88\x92.5,b,0,x\n",
    b'token,expression,value\n",","say ""hi""",1e-3\n"0","say ""hi""",2\n',
]

YAML_SEEDS = [
    b"expressions: [a, b]\ntokens: [x, y]\nvalues: [[0.5, -0.25], [1, 0]]\n",
    b"title: Layer 12  # a comment\nexpressions:\n  - no\n  - '007'\ntokens:\n  - \"~\"\n"
    b"values:\n  -\n    - .5\n    - +0.5\n",
    b"expressions: &e [a, b]\ntokens: [x, y]\nvalues:\n  - &r [1, 2]\n  - *r\n",
    b'{"expressions": ["a\\n", "b\\t"], "tokens": ["\\u0000"], "values": [[1e-3, -1e3]]}\n',
    b"---\ntitle: |\n  multi\n  line\nexpressions: [\"$35 ($85 - $50)\"]\ntokens: [-, ',']\n"
    b"values:\n- [1]\n- [-0.0]\n...\n",
]

TAGS = [
    b'!!python/object/apply:os.system ["touch {marker}"]',
    b"!!python/object/apply:os.system ['touch {marker}']",
    b"!!python/name:os.system",
    b"!!python/object/new:os.system [touch {marker}]",
    b"!!binary aGVsbG8=",
    b"!!set {a, b}",
    b"!!omap [a: 1]",
    b"!!timestamp 2001-12-14",
    b"!!float 1e999",
    b"!!int 0x1F",
    b"!!str 1",
    b"!!null ''",
    b"!custom",
    b"!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    b"%TAG ! tag:yaml.org,2002:python/\n",
]

NASTY_SCALARS = [
    b"1e999",
    b"-1e999",
    b"1e309",
    b"1e-400",
    b"nan",
    b"NaN",
    b"-nan",
    b".inf",
    b"-.inf",
    b".NaN",
    b"inf",
    b"infinity",
    b"0x1F",
    b"0o17",
    b"1_000",
    b"1,5",
    b"--1",
    b"1e",
    b"e1",
    b".",
    b"+",
    b"\xd9\xa3",  # ARABIC-INDIC DIGIT THREE
    b"\xef\xbc\x91",  # FULLWIDTH DIGIT ONE
    b"9" * 400,
    b"0." + b"0" * 400 + b"1",
    b"1" + b"0" * 330,
    b"~",
    b"null",
    b"true",
    b"''",
    b'""',
    b"[]",
    b"{}",
    b"[1, 2]",
    b"{a: 1}",
    b"&a 1",
    b"*a",
    b"*nope",
    b"&a [*a]",
    b"<<: *a",
    b"? a",
    b"|\n  x\n",
    b">-\n  x\n",
]

INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x80",
]
ODD_CHARS = [
    b"\x00",
    b"\t",
    b"\x0b",
    b"\x0c",
    b"\x1b",
    b"\x7f",
    b"\xc2\x85",  # NEL
    b"\xe2\x80\xa8",  # LINE SEPARATOR
    b"\xe2\x80\xa9",  # PARAGRAPH SEPARATOR
    b"\xef\xbb\xbf",  # BOM
    b"\xef\xbf\xbe",  # U+FFFE
    b"\xf0\x9f\x98\x80",
]
YAML_SYNTAX = [
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"%YAML 9.9\n",
    b": ",
    b"- ",
    b"? ",
    b"#",
    b"|",
    b">",
]


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randint(0, len(data))


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = _pos(rng, data)
    return start, min(len(data), start + rng.choice([1, 2, 5, 20, 100]))


def _insert(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


def flip_byte(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    at = rng.randrange(len(data))
    new = data[at] ^ (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(256)
    return data[:at] + bytes([new]) + data[at + 1 :]


def truncate(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    return data[: _pos(rng, data)]


def duplicate_span(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    start, end = _span(rng, data)
    piece = data[start:end] * rng.choice([1, 2, 10])
    return _insert(data, _pos(rng, data), piece)


def delete_span(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    start, end = _span(rng, data)
    return data[:start] + data[end:]


def insert_quote(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    return _insert(data, _pos(rng, data), rng.choice([b'"', b"'", b'""', b'"""', b"\\"]))


def insert_bracket(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    piece = bytes(rng.choice(b"[]{}") for _ in range(rng.choice([1, 1, 2, 5])))
    return _insert(data, _pos(rng, data), piece)


def insert_bom(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    at = rng.choice([0, 0, 3, _pos(rng, data)])
    return _insert(data, at, b"\xef\xbb\xbf" * rng.choice([1, 2]))


def insert_odd_char(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    return _insert(data, _pos(rng, data), rng.choice(ODD_CHARS))


def insert_invalid_utf8(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    return _insert(data, _pos(rng, data), rng.choice(INVALID_UTF8))


def change_newlines(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:
        return data.replace(b"\n", b"\r\n")
    if choice == 1:
        return data.replace(b"\n", b"\r")
    if choice == 2:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"")
    if choice == 3:
        return _insert(data, _pos(rng, data), rng.choice([b"\r", b"\n", b"\r\n", b"\n\n"]))
    lines = data.split(b"\n")
    at = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines.insert(at, lines[rng.randrange(len(lines))])  # duplicate a line
    else:
        del lines[at]
    return b"\n".join(lines)


def insert_tag(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    tag = rng.choice(TAGS).replace(b"{marker}", marker)
    return (
        _replace_scalar(rng, data, tag) if rng.random() < 0.7 else _insert_at_line(rng, data, tag)
    )


def insert_anchor_or_alias(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    piece = rng.choice([b"&a ", b"*a", b"*a ", b"&b [*a, *a]", b"*zz", b"&a &b ", b"<<: *a\n"])
    if rng.random() < 0.5:
        return _replace_scalar(rng, data, piece.strip())
    return _insert(data, _pos(rng, data), piece)


def deep_nesting(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    depth = rng.choice([31, 32, 33, 100, 1000, 20_000])
    opener, closer = rng.choice([(b"[", b"]"), (b"{", b"}"), (b"{a: ", b"}"), (b"- ", b"")])
    closed = rng.random() < 0.5
    piece = opener * depth + b"1" + (closer * depth if closed else b"")
    return _replace_scalar(rng, data, piece) if rng.random() < 0.5 else _insert(data, 0, piece)


def nasty_number(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    return _replace_scalar(rng, data, rng.choice(NASTY_SCALARS))


def yaml_syntax(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    return _insert(data, _pos(rng, data), rng.choice(YAML_SYNTAX))


def long_run(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    piece = rng.choice([b"a", b",", b" ", b"9", b"\xc3\xa9"]) * rng.choice([1000, 10_001, 50_000])
    return _insert(data, _pos(rng, data), piece)


def _scalar_spans(data: bytes) -> list[tuple[int, int]]:
    """Rough spans of words (numbers, labels) between CSV/YAML punctuation."""
    spans, start = [], None
    for index, byte in enumerate(data + b"\n"):
        boundary = byte in b",[]{}:\n\r \"'"
        if start is None and not boundary:
            start = index
        elif start is not None and boundary:
            spans.append((start, index))
            start = None
    return spans


def _replace_scalar(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    spans = _scalar_spans(data)
    if not spans:
        return _insert(data, _pos(rng, data), piece)
    start, end = rng.choice(spans)
    return data[:start] + piece + data[end:]


def _insert_at_line(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    return _insert(data, rng.choice(starts), piece + rng.choice([b"\n", b" ", b""]))


Mutation = Callable[[random.Random, bytes, bytes], bytes]

BYTE_MUTATIONS: list[Mutation] = [
    flip_byte,
    truncate,
    duplicate_span,
    delete_span,
    insert_quote,
    insert_bracket,
    insert_bom,
    insert_odd_char,
    insert_invalid_utf8,
    change_newlines,
    nasty_number,
    long_run,
]
YAML_MUTATIONS: list[Mutation] = [insert_tag, insert_anchor_or_alias, deep_nesting, yaml_syntax]
JSON_SEEDS = [
    b'{"expressions": ["a", "b"], "tokens": ["x", "y"], "values": [[0.5, -0.25], [1, 0]]}',
    b'{"title": null, "tokens": ["\\u00e9", "1.50", 7], "expressions": ["e"],\n'
    b' "values": [[1e-3], [-0.0], ["2"]]}\n',
    b'{"title": "t", "expressions": ["a"], "tokens": ["x"], "values": [[NaN]]}',
    b'\xef\xbb\xbf{"expressions":["a\\n"],"tokens":["\\"q\\""],"values":[[1E+5]]}',
]


def npz_seeds() -> list[bytes]:
    """Compressed (attrmap's writer) and stored (numpy.savez: headers visible to mutation)."""
    import io

    from attrmap.formats import dump_matrix

    matrix = AttributionMatrix(["x", "ÿ", ","], ["a", "b"], [[0.5, -0.25], [1, 0], [2, 3]], "t")
    stored = io.BytesIO()
    np.savez(
        stored,
        values=matrix.values,
        tokens=np.array(matrix.tokens),
        expressions=np.array(matrix.expressions),
    )
    return [dump_matrix(matrix, "npz"), stored.getvalue()]


def npy_header(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    """Rewrite what an .npy header says: shape, type, order (a lying header)."""
    choices = [
        (b"(3, 2)", rng.choice([b"(3000000000, 2)", b"(2, 3)", b"(6,)", b"()", b"(3, 2, 1)"])),
        (b"'<f8'", rng.choice([b"'|O'", b"'<U1'", b"'<c16'", b"'<f4'", b"'>f8'", b"'V8'"])),
        (b"'<U1'", rng.choice([b"'|O'", b"'<f8'", b"'|S1'"])),
        (b"False", b"True"),
        (b"\x93NUMPY\x01", b"\x93NUMPY\x03"),
    ]
    old, new = rng.choice(choices)
    return data.replace(old, new, rng.choice([1, -1]))


MUTATIONS = {
    # YAML-specific mutations are also thrown at the CSV reader: it must treat them as text.
    "csv": BYTE_MUTATIONS * 3 + YAML_MUTATIONS,
    "tsv": BYTE_MUTATIONS * 3 + YAML_MUTATIONS,
    "yaml": BYTE_MUTATIONS * 2 + YAML_MUTATIONS * 3,
    "json": BYTE_MUTATIONS * 2 + YAML_MUTATIONS,
    "npz": [flip_byte, truncate, duplicate_span, delete_span, npy_header, npy_header],
}


def seeds(fmt: str) -> list[bytes]:
    if fmt == "npz":
        return npz_seeds()
    examples = sorted(EXAMPLES.glob(f"*.{fmt}"))
    assert examples, f"no {fmt} examples in {EXAMPLES}"
    own = {
        "csv": CSV_SEEDS + LONG_CSV_SEEDS,
        "tsv": [seed.replace(b",", b"\t") for seed in CSV_SEEDS + LONG_CSV_SEEDS],
        "yaml": YAML_SEEDS,
        "json": JSON_SEEDS,
    }[fmt]
    return [path.read_bytes() for path in examples] + own


def generate(fmt: str, count: int, marker: bytes):
    """Yield ``(index, names of mutations, bytes)``; deterministic for a given SEED."""
    rng = random.Random(f"{SEED}-{fmt}")
    pool, mutations = seeds(fmt), MUTATIONS[fmt]
    for index in range(count):
        data = rng.choice(pool)
        applied = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 5])):
            mutation = rng.choice(mutations)
            data = mutation(rng, data, marker)
            applied.append(mutation.__name__)
        yield index, applied, data


def check_matrix(matrix: object, missing_ok: bool = False) -> None:
    assert isinstance(matrix, AttributionMatrix)
    assert matrix.values.dtype == np.float64
    assert matrix.values.shape == (len(matrix.tokens), len(matrix.expressions))
    assert len(matrix.tokens) >= 1 and len(matrix.expressions) >= 1
    present = matrix.values[~np.isnan(matrix.values)] if missing_ok else matrix.values
    assert np.isfinite(present).all()
    assert all(isinstance(label, str) for label in (*matrix.tokens, *matrix.expressions))
    assert matrix.title is None or isinstance(matrix.title, str)


def _case(index: int, applied: list[str], data: bytes, problem: str) -> str:
    return f"case {index} {applied}: {problem}\n  bytes: {data[:400]!r}"


def attempt(
    load: Callable[[Path], Any], path: Path, case: tuple[int, list[str], bytes], failures: list
) -> Any:
    """``load(path)``'s result, or None after an ``AttrmapError`` (whose message must name
    the file on one line); any other exception is a bug. Problems go to ``failures``."""
    try:
        return load(path)
    except AttrmapError as error:
        message = str(error)
        if str(path) not in message or "\n" in message or "\r" in message:
            failures.append(_case(*case, f"bad message {message[:300]!r}"))
    except Exception as error:  # anything else is a bug
        failures.append(_case(*case, f"{type(error).__name__}: {str(error)[:200]}"))
    return None


def assert_clean(
    what: str, ran: int, outcomes: dict, slowest: tuple[float, int], failures: list[str]
) -> None:
    """Say what a fuzz run did; no case failed, none was slow."""
    print(f"\nfuzz {what}: {ran} cases, {outcomes}, slowest {slowest[0]:.3f} s")
    assert not failures, f"{len(failures)} of {ran} failed:\n" + "\n".join(failures[:5])
    assert slowest[0] < MAX_SECONDS_PER_CASE, f"case {slowest[1]} took {slowest[0]:.2f} s"


def cases(fmt: str) -> int:
    return max(1, int(CASES_PER_FORMAT * SHARE[fmt]))


@pytest.mark.slow  # thousands of cases
@pytest.mark.parametrize("fmt", list(SHARE), ids=[f"{f}-{cases(f)}cases" for f in SHARE])
def test_mutated_inputs_load_or_fail_cleanly(fmt, tmp_path, monkeypatch, record_property):
    calls: list[tuple] = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args) or 0)
    marker = tmp_path / "MARKER"
    path = tmp_path / f"fuzz.{fmt}"
    failures: list[str] = []
    outcomes = {"matrix": 0, "error": 0, "with a tag": 0}
    slowest = (0.0, -1)
    ran = 0
    for index, applied, data in generate(fmt, cases(fmt), str(marker).encode()):
        path.write_bytes(data)
        outcomes["with a tag"] += b"!!python" in data
        started = time.perf_counter()
        result = attempt(load_matrix, path, (index, applied, data), failures)
        if result is None:
            outcomes["error"] += 1
        else:
            outcomes["matrix"] += 1
            try:
                check_matrix(result)
            except AssertionError:
                failures.append(_case(index, applied, data, f"invalid matrix {result!r}"))
        slowest = max(slowest, (time.perf_counter() - started, index))
        ran += 1

    record_property("fuzz_cases", ran)
    print(f"\nfuzz {fmt}: {ran} cases, {outcomes}, slowest: case {slowest[1]}, {slowest[0]:.3f} s")
    assert ran == cases(fmt)
    summary = f"{len(failures)} of {ran} {fmt} cases failed; the first ones:\n"
    assert not failures, summary + "\n".join(failures[:5])
    assert not marker.exists(), "a YAML tag ran a command"
    assert not calls, calls
    assert slowest[0] < MAX_SECONDS_PER_CASE, f"case {slowest[1]} took {slowest[0]:.2f} s"
    # The mutations are neither too mild nor too wild, and tags were really tried.
    assert outcomes["matrix"] > 0 and outcomes["error"] > 0
    assert outcomes["with a tag"] > 0 or fmt == "npz"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing else was written


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0c", "\x7f", "\ufffe"])
def test_yaml_control_character_is_one_line_error_with_line_number(tmp_path, char):
    """Found by the fuzzer: PyYAML's ReaderError text spans two lines and has no line."""
    path = tmp_path / "m.yaml"
    path.write_text(f"expressions: [a]\ntokens: [t{char}]\nvalues: [[1]]\n", encoding="utf-8")
    with pytest.raises(AttrmapError) as info:
        load_matrix(path)
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}:2"), message


# --------------------------------------------------------------------------- inseq exports

INSEQ_CASES = int(os.environ.get("ATTRMAP_FUZZ_INSEQ_CASES", "600"))
INSEQ_ODD_VALUES = [
    None, 0, -1, 2**70, 10**400, 1e308, float("nan"), True, "", "b64:", "b64.gz:AAAA", "F64",
    [], [[]], {}, [1, 2], ["a"], {"__ndarray__": None}, {"__instance_type__": ["m", "C"]},
]  # fmt: skip


def _inseq_seeds() -> list[dict]:
    import inseq_files

    return [
        inseq_files.output([inseq_files.encoder_decoder(1, "F32")], ["Hello world"]),
        inseq_files.output([inseq_files.decoder_only(2, "F16", (3,))]),
        inseq_files.output(
            [inseq_files.encoder_decoder(3, "b64.gz"), inseq_files.decoder_only(4, "lists")]
        ),
        inseq_files.output([inseq_files.decoder_only(5, "b64", (2,))], ["The cat"]),
        inseq_files.primitives(inseq_files.output([inseq_files.encoder_decoder(6, "lists")])),
    ]


def _inseq_nodes(node: object, found: list) -> list:
    """Every (container, key) pair below ``node``."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        found.append((node, key))
        if isinstance(value, (dict, list)):
            _inseq_nodes(value, found)
    return found


def _mutate_safetensors(rng: random.Random, text: str) -> str:
    import base64
    import binascii

    try:
        raw = bytearray(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):  # not safetensors (b64: data, a label)
        return text[: rng.randrange(len(text))]
    if len(raw) < 8:
        return text[:-4]
    choice = rng.randrange(4)
    if choice == 0:
        raw[rng.randrange(len(raw))] = rng.randrange(256)  # header or data
    elif choice == 1:
        del raw[rng.randrange(len(raw)) :]
    elif choice == 2:
        raw[:8] = rng.choice([0, 1, 2**40, 2**64 - 1]).to_bytes(8, "little")
    else:
        header = raw[8 : 8 + int.from_bytes(raw[:8], "little")]
        swapped = header.replace(b"F32", b"F16").replace(b'"shape":[', b'"shape":[2,')
        raw[8 : 8 + len(header)] = swapped[: len(header)].ljust(len(header))
    return base64.b64encode(bytes(raw)).decode()


def mutate_inseq(rng: random.Random, document: dict) -> dict:
    """Change one node of an inseq document: its value, its type, or its safetensors bytes."""
    import copy

    document = copy.deepcopy(document)
    container, key = rng.choice(_inseq_nodes(document, []))
    value = container[key]
    if isinstance(value, str) and len(value) > 40 and rng.random() < 0.7:
        container[key] = _mutate_safetensors(rng, value)
    elif isinstance(container, dict) and rng.random() < 0.2:
        del container[key]
    elif isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.5:
        container[key] = value + rng.choice([-2, -1, 1, 2, 100])
    else:
        container[key] = copy.deepcopy(rng.choice(INSEQ_ODD_VALUES))
    return document


def test_mutated_inseq_files_load_or_fail_cleanly(tmp_path):
    import gzip

    import inseq_files
    from attrmap.formats import load_matrices

    rng = random.Random(f"{SEED}-inseq")
    pool = _inseq_seeds()
    failures: list[str] = []
    outcomes = {"matrices": 0, "error": 0}
    slowest = (0.0, -1)
    for index in range(INSEQ_CASES):
        document = rng.choice(pool)
        for _ in range(rng.choice([1, 1, 2, 3])):
            document = mutate_inseq(rng, document)
        data = inseq_files.dumps(document)
        applied = ["structure"]
        if rng.random() < 0.3:
            mutation = rng.choice(BYTE_MUTATIONS)
            data = mutation(rng, data, b"")
            applied.append(mutation.__name__)
        compress = rng.random() < 0.3
        if compress:
            data = gzip.compress(data, mtime=0)
            if rng.random() < 0.3:
                data = rng.choice([flip_byte, truncate, delete_span])(rng, data, b"")
                applied.append("gzip bytes")
        path = tmp_path / ("fuzz.json.gz" if compress else "fuzz.json")
        path.write_bytes(data)
        started = time.perf_counter()
        matrices = attempt(load_matrices, path, (index, applied, data), failures)
        if matrices is None:
            outcomes["error"] += 1
        else:
            outcomes["matrices"] += 1
            for matrix in matrices:
                try:
                    check_matrix(matrix, missing_ok=True)  # the target part has missing cells
                except AssertionError:
                    failures.append(_case(index, applied, data, f"invalid {matrix!r}"))
        path.unlink()
        slowest = max(slowest, (time.perf_counter() - started, index))
    assert_clean("inseq", INSEQ_CASES, outcomes, slowest, failures)
    assert outcomes["matrices"] > INSEQ_CASES // 10 and outcomes["error"] > INSEQ_CASES // 10


# --------------------------------------------------------------------------- settings

SETTINGS_CASES = int(os.environ.get("ATTRMAP_FUZZ_SETTINGS_CASES", "400"))
#: Pieces of number format specs, sane and not: the fmt setting is formatted per cell.
FORMAT_PIECES = [
    "", "<", ">", "^", "=", "x<", "0", "+", "-", " ", "z", "#", ",", "_", "9", "20", "21",
    "40", "41", "0000000000000000000001", "999999999", ".", ".2", ".20", ".21", ".999999999",
    "f", "e", "g", "%", "d", "s", "x", "n", "{", "}", "\n", "\x00", "\x1b[2J",
]  # fmt: skip
ODD_SETTING_VALUES = [
    None, True, False, 0, -1, 7, 2**70, 10**400, 1e308, -1e308, float("nan"), float("inf"),
    "", "auto", "any", "13x5", "0x0", "1e9x1e9", "99999999999x1", "0.6x0.3", "viridis", "RdBu",
    "\x1b]52;c;ZXZpbA==\x07", "a\u202eb", "line\nbreak", "::warning::x", "x" * 20_000,
    [], [1, 2], ["a"] * 1000, [[[[1]]]], {"a": 1}, b"\x00bytes", ["DejaVu Sans", None],
]  # fmt: skip


def fuzz_setting_value(rng: random.Random) -> object:
    if rng.random() < 0.4:
        return "".join(rng.choice(FORMAT_PIECES) for _ in range(rng.randint(1, 5)))
    return rng.choice(ODD_SETTING_VALUES)


def fuzz_settings(rng: random.Random) -> dict[str, object]:
    """A few settings, half of them odd values, the rest their defaults as files spell them."""
    from attrmap.settings import BY_NAME, SETTING_NAMES

    names = [*SETTING_NAMES, "nonsense", "x" * 5000]
    settings = {}
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(names)
        item = BY_NAME.get(name)
        odd = item is None or item.default is None or rng.random() < 0.5
        settings[name] = fuzz_setting_value(rng) if odd else item.config_value(item.default)
    return settings


def _toml(settings: dict[str, object]) -> bytes:
    """``[tool.attrmap]`` as a hand-written TOML table (JSON spellings are mostly TOML;
    where not, the reader must say so on one line)."""
    import json

    lines = ["[tool.attrmap]"]
    for key, value in settings.items():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        lines.append(f"{json.dumps(key)} = {json.dumps(value)}")
    return "\n".join(lines).encode()


@pytest.mark.slow  # thousands of cases
def test_fuzzed_config_files_and_project_tables_load_or_fail_cleanly(tmp_path):
    """Settings are an attack surface too (a repository's pyproject.toml is read by
    validate and the pre-commit hook): any value loads, or is one line naming the file,
    quickly; a loaded ``fmt`` formats a number quickly and briefly."""
    import yaml

    from attrmap import load_config
    from attrmap.project import resolve_files

    rng = random.Random(f"{SEED}-settings")
    marker = str(tmp_path / "MARKER").encode()
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    failures: list[str] = []
    outcomes = {"config": 0, "error": 0}
    slowest = (0.0, -1)
    for index in range(SETTINGS_CASES):
        settings = fuzz_settings(rng)
        as_toml = rng.random() < 0.3
        data = _toml(settings) if as_toml else yaml.safe_dump(settings, allow_unicode=True).encode()
        applied = ["toml" if as_toml else "yaml"]
        if rng.random() < 0.4:
            mutation = rng.choice(YAML_MUTATIONS + BYTE_MUTATIONS)
            data = mutation(rng, data, marker)
            applied.append(mutation.__name__)
        path = project / ("pyproject.toml" if as_toml else "config.yaml")
        path.write_bytes(data)
        load = (lambda _: resolve_files(start=project).config) if as_toml else load_config
        started = time.perf_counter()
        config = attempt(load, path, (index, applied, data), failures)
        if config is None:
            outcomes["error"] += 1
        else:
            outcomes["config"] += 1
            shown = format(-1234.5678, config.style.fmt)
            if len(shown) > 64:
                failures.append(_case(index, applied, data, f"fmt shows {len(shown)} chars"))
        path.unlink()
        slowest = max(slowest, (time.perf_counter() - started, index))
    assert_clean("settings", SETTINGS_CASES, outcomes, slowest, failures)
    assert outcomes["config"] > SETTINGS_CASES // 20 and outcomes["error"] > SETTINGS_CASES // 4
    assert not Path(marker.decode()).exists(), "a YAML tag ran a command"


def test_fuzzed_option_values_are_usage_errors_or_work(tmp_path):
    """Every setting's option with odd values: it works, or the command ends with one
    error line, never a traceback (``attrmap config`` resolves them all)."""
    from click.testing import CliRunner

    from attrmap.cli import cli
    from attrmap.settings import SETTINGS

    rng = random.Random(f"{SEED}-options")
    options = [
        (item.option, item.flag.switch) for item in SETTINGS if item.flag.stack != "figure"
    ] + [("--max-mb", False), ("--max-cells", False)]
    failures = []
    for index in range(SETTINGS_CASES // 4):
        args = ["validate", str(EXAMPLES / "token_attribution.csv")]
        for option, switch in rng.sample(options, rng.randint(1, 3)):
            if switch:
                args.append(option)
                continue
            value = fuzz_setting_value(rng)
            if isinstance(value, (list, dict)):
                value = rng.choice(FORMAT_PIECES) * rng.randint(1, 3)
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            args += [option, text.replace("\x00", "")]
        started = time.perf_counter()
        result = CliRunner().invoke(cli, args)
        seconds = time.perf_counter() - started
        lines = [line for line in result.output.splitlines() if line.strip()]
        problem = None
        if not (result.exception is None or isinstance(result.exception, SystemExit)):
            problem = f"{type(result.exception).__name__}: {str(result.exception)[:200]}"
        elif result.exit_code not in (0, 1, 2):
            problem = f"exit {result.exit_code}"
        elif result.exit_code and not lines[-1].startswith(("Error: ", "attrmap: error: ")):
            problem = f"last line {lines[-1][:200]!r}"
        elif seconds > MAX_SECONDS_PER_CASE:
            problem = f"{seconds:.2f} s"
        if problem:
            failures.append(f"case {index} {args[2:]!r}: {problem}"[:600])
    assert not failures, f"{len(failures)} failed:\n" + "\n".join(failures[:5])


# --------------------------------------------------------------------------- file names

NAME_PIECES = [
    "a", "fig", ".png", ".", "..", "-", "-1", "123", " ", "\t", "\n", "\r", "\x1b[2J",
    "\x1b]52;c;ZXZpbA==\x07", "\u202e", "\u200d", "é", "中", "😀", "::add-mask::x",
    ".attrmap-tmp", ".0123456789ab-1.", "%s", "$(touch x)", "\\", ":", "*", "?", "x" * 120,
]  # fmt: skip


def fuzz_name(rng: random.Random) -> str:
    name = "".join(rng.choice(NAME_PIECES) for _ in range(rng.randint(1, 6)))
    return name if name not in (".", "..") else name + "x"


def test_fuzzed_file_names_write_atomically_and_the_sweep_keeps_what_is_not_its_own(tmp_path):
    """Names with newlines, escapes, dots and temporary-looking parts: a write lands
    whole (or fails as an OutputError, leaving nothing); the leftover sweep removes
    only temporary files of dead writers of this host and never raises."""
    from attrmap.atomic import TEMP_SUFFIX, atomic_write, host_tag, remove_stale_temp_files
    from attrmap.errors import OutputError

    rng = random.Random(f"{SEED}-names")
    failures = []
    for index in range(SETTINGS_CASES // 2):
        folder = tmp_path / f"case{index}"
        folder.mkdir()
        name = fuzz_name(rng)
        try:
            atomic_write(folder / name, lambda handle: handle.write(b"whole"))
        except OutputError:  # a name too long, say
            if any(folder.iterdir()):
                failures.append(f"case {index} {name!r}: left {list(folder.iterdir())}")
            continue
        except Exception as error:  # anything else is a bug
            failures.append(f"case {index} {name!r}: {type(error).__name__}: {error}"[:300])
            continue
        if [p.name for p in folder.iterdir()] != [name] or (folder / name).read_bytes() != b"whole":
            failures.append(f"case {index} {name!r}: {sorted(os.listdir(folder))}")
        dead, alive = f"{host_tag()}-{2**22 + index}", f"{host_tag()}-{os.getpid()}"
        planted = {
            f".{name}.{dead}.r{TEMP_SUFFIX}": True,  # this host, a dead writer: removed
            f".{name}.{alive}.r{TEMP_SUFFIX}": False,  # still being written
            f".{fuzz_name(rng)}{TEMP_SUFFIX}": None,  # any name: removed only by its age
            f"{fuzz_name(rng)}.png": False,  # not a temporary file
        }
        for leftover in planted:
            if len(leftover.encode()) < 250:
                (folder / leftover).write_bytes(b"half")
        try:
            remove_stale_temp_files([folder], tmp_path)
        except Exception as error:
            failures.append(f"case {index} sweep: {type(error).__name__}: {error}"[:300])
            continue
        for leftover, removed in planted.items():
            written = len(leftover.encode()) < 250
            if written and removed is not None and (folder / leftover).exists() is removed:
                failures.append(f"case {index} {leftover!r}: removed is not {removed}")
        if not (folder / name).exists():
            failures.append(f"case {index} {name!r}: the sweep removed the output")
    assert not failures, f"{len(failures)} failed:\n" + "\n".join(failures[:5])


def test_fuzzed_file_names_never_reach_a_terminal_or_ci_log_raw(tmp_path, run_cli):
    """Inputs with hostile names (newlines, ``::add-mask::``, ESC sequences, U+202E),
    valid and broken, through ``validate`` and ``batch --check`` as GitHub Actions runs
    them: every line printed is one line, without raw control characters, and no line
    but attrmap's own annotations starts a workflow command."""
    rng = random.Random(f"{SEED}-printed-names")
    folder = tmp_path / "in"
    folder.mkdir()
    names = set()
    while len(names) < max(8, SETTINGS_CASES // 20):
        name = fuzz_name(rng) + ".csv"
        if len(name.encode()) < 200 and not name.startswith("."):  # batch skips hidden ones
            names.add(name)
    for number, name in enumerate(sorted(names)):
        broken = number % 3 == 0
        (folder / name).write_text("token,a\nx,oops\n" if broken else "token,a\nx,0.5\n")
    env = {"GITHUB_ACTIONS": "true"}
    files = sorted(folder.iterdir())
    runs = {
        "validate": run_cli("validate", *files, "--shape", "any", env=env),
        "batch --check": run_cli(
            "batch", folder, "-o", tmp_path / "out", "--check", "--shape", "any", env=env
        ),
    }
    failures = []
    for what, result in runs.items():
        lines = result.stdout.splitlines() + result.stderr.splitlines()
        if len(lines) < len(files):
            failures.append(f"{what}: {len(lines)} lines for {len(files)} files")
        for line in lines:
            raw = [char for char in line if not char.isprintable() and char not in " \u200d"]
            injected = line.startswith("::") and not line.startswith("::error file=")
            if raw or injected:
                failures.append(f"{what}: {line!r}"[:300])
    assert not failures, f"{len(failures)} failed:\n" + "\n".join(failures[:5])


# --------------------------------------------------------------------------- font files

FONT_CASES = int(os.environ.get("ATTRMAP_FUZZ_FONT_CASES", "80"))


def _mutate_font(rng: random.Random, data: bytes) -> bytes:
    """Damage a font where a reader looks: the table directory, a table's bytes
    (cmap, name, OS/2), the length, or the collection header."""
    import struct

    raw = bytearray(data)
    if len(raw) < 64:
        return bytes(raw)
    count = struct.unpack_from(">H", raw, 4)[0]
    tables: dict[bytes, tuple[int, int]] = {}
    for i in range(count):
        if 28 + 16 * i <= len(raw):
            start, length = struct.unpack_from(">II", raw, 20 + 16 * i)
            if start + max(length, 12) <= len(raw):
                tables[bytes(raw[12 + 16 * i : 16 + 16 * i])] = (start, length)
    choice = rng.randrange(6)
    if choice == 0 and count:  # the directory: tags, offsets, lengths
        at = 12 + rng.randrange(16 * count)
        if at < len(raw):
            raw[at] = rng.randrange(256)
    elif choice == 1 and tables:
        tag = rng.choice([b"cmap", b"name", b"OS/2", b"cmap"])
        start, length = tables.get(tag, rng.choice(list(tables.values())))
        for _ in range(rng.randint(1, 8)):
            raw[start + rng.randrange(max(1, min(length, 64)))] = rng.randrange(256)
    elif choice == 2:
        del raw[rng.randrange(len(raw)) :]
    elif choice == 3:
        struct.pack_into(">H", raw, 4, rng.choice([0, 1, min(count + 5, 0xFFFF), 0xFFFF]))
    elif choice == 4:
        raw[:4] = rng.choice([b"ttcf", b"OTTO", b"true", b"\0\0\0\0"])
    elif b"cmap" in tables:  # a subtable's offset anywhere
        start = tables[b"cmap"][0]
        struct.pack_into(">I", raw, start + 8, rng.choice([0, 2**31, 2**32 - 1, len(raw)]))
    return bytes(raw)


@pytest.mark.slow  # thousands of cases
def test_fuzzed_font_files_are_skipped_or_drawn(tmp_path, monkeypatch):
    """A font folder is input too: damaged font files (under any name) are skipped or
    drawn, never a crash, in choosing fonts and in drawing with them."""
    import warnings

    from attrmap import Style
    from attrmap.font_files import FONT_PATH_VARIABLE, installed_fonts
    from attrmap.fonts import DEJAVU_SANS, choose_fonts
    from attrmap.plotting import HeatmapCanvas, prepare

    texts = ["नमस्ते", "\U0001f408", "x"]  # Devanagari and an emoji: DejaVu Sans lacks them
    default = [f for f in installed_fonts() if any(f.covers(c) for c in "न\U0001f408")]
    seeds = sorted(default, key=lambda f: os.path.getsize(f.path))[:1]
    seed_paths = [font.path for font in seeds] or [installed_fonts()[0].path]
    pool = [Path(path).read_bytes() for path in seed_paths]
    rng = random.Random(f"{SEED}-fonts")
    folder = tmp_path / "fonts"
    monkeypatch.setenv(FONT_PATH_VARIABLE, str(folder))
    failures, drawn = [], 0
    try:
        for index in range(FONT_CASES):
            folder.mkdir()
            data = rng.choice(pool)
            for _ in range(rng.choice([1, 1, 2, 3])):
                data = _mutate_font(rng, data)
            name = fuzz_name(rng).replace("\x00", "")[:100] + rng.choice([".ttf", ".otf", ".ttc"])
            (folder / name).write_bytes(data)
            installed_fonts.cache_clear()
            try:
                choice = choose_fonts(texts)
                if choice.chain != (DEJAVU_SANS,):
                    drawn += 1
                    matrix = AttributionMatrix(texts[:2], ["a"], [[0.5], [-0.5]])
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # boxes for what is missing
                        plan = prepare(matrix, Style())
                        HeatmapCanvas(plan.layout, Style()).draw_pixels(plan)
            except AttrmapError:
                pass
            except Exception as error:
                failures.append(f"case {index} {name!r}: {type(error).__name__}: {error}"[:300])
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
    finally:
        installed_fonts.cache_clear()
    print(
        f"\nfuzz fonts: {FONT_CASES} cases from {seed_paths}, {drawn} drawn with the damaged font"
    )
    assert not failures, f"{len(failures)} failed:\n" + "\n".join(failures[:5])
