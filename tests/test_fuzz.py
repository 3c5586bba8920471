"""Seeded mutation fuzzing of the readers: CSV (wide and long), TSV, YAML, JSON and NPZ.

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


def cases(fmt: str) -> int:
    return max(1, int(CASES_PER_FORMAT * SHARE[fmt]))


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
    print(f"\nfuzz inseq: {INSEQ_CASES} cases, {outcomes}, slowest {slowest[0]:.3f} s")
    assert not failures, f"{len(failures)} of {INSEQ_CASES} failed:\n" + "\n".join(failures[:5])
    assert slowest[0] < MAX_SECONDS_PER_CASE, f"case {slowest[1]} took {slowest[0]:.2f} s"
    assert outcomes["matrices"] > INSEQ_CASES // 10 and outcomes["error"] > INSEQ_CASES // 10
