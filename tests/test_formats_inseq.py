"""inseq exports: files written by ``tests/inseq_files.py`` the way inseq's ``save()``
writes them, read back and checked cell by cell against NumPy computations."""

from __future__ import annotations

import base64
import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest

import inseq_files as inseq
from attrmap import AttrmapError, InputError, LimitError, labels
from attrmap.formats import AGGREGATES, InputOptions, Limits, load_matrices
from attrmap.formats import inseq as reader
from attrmap.formats.inseq_arrays import F8_E4M3

SOURCE = ["▁Hello", "▁world", ",", "▁world", "</s>"]
TARGET = ["<pad>", "▁Hallo", "▁Welt", "</s>"]
GENERATED = ["▁Hallo", "▁Welt", "</s>"]
GPT2 = ["The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", "."]
STORED = {"F32": np.float32, "F16": np.float16, "b64": np.float32, "b64.gz": np.float32}
STORED["lists"] = np.float32


def read(path: Path, **options) -> list:
    return load_matrices(path, InputOptions(**options))


def assert_same(first: list, second: list) -> None:
    """Same labels, titles and values, NaN (missing) where NaN."""
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        assert (a.tokens, a.expressions, a.title) == (b.tokens, b.expressions, b.title)
        np.testing.assert_array_equal(a.values, b.values)


def scaled(*grids: np.ndarray) -> list[np.ndarray]:
    """inseq's default: each column divided by its sum over every row (NaN ignored)."""
    totals = sum(np.nansum(grid, axis=0) for grid in grids)
    return [grid / totals for grid in grids]


def as_stored(array: np.ndarray, encoding: str) -> np.ndarray:
    """What the file holds: the array rounded to its stored dtype, back in float64."""
    return np.asarray(array, dtype=STORED[encoding]).astype(np.float64)


def encoder_decoder_file(tmp_path: Path, encoding: str, trailing=(), name="mt.json"):
    rng = np.random.default_rng(1)
    source = rng.random((5, 3, *trailing)) - 0.25
    target = inseq.target_grid(4, 3, 1, rng, *trailing)
    sequence = inseq.sequence(TARGET, target, 1, SOURCE, source, encoding)
    path = inseq.write(tmp_path / name, inseq.output([sequence], ["Hello world, world"]))
    return path, as_stored(source, encoding), as_stored(target, encoding)


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", list(STORED))
def test_every_encoding_shows_token_level_scores_as_stored(tmp_path, encoding):
    """One score per cell (occlusion, say): inseq's show() draws them unscaled."""
    path, source, target = encoder_decoder_file(tmp_path, encoding)
    [matrix] = read(path)
    assert matrix.tokens == tuple(SOURCE)  # the repeated ▁world stays two rows
    assert matrix.expressions == tuple(GENERATED)
    assert matrix.title == "Hello world, world"
    assert (source < 0).any()  # signed scores keep their sign
    np.testing.assert_array_equal(matrix.values, source)
    [both] = read(path, part="both")
    assert both.tokens == tuple(SOURCE + TARGET)
    np.testing.assert_array_equal(both.values, np.concatenate([source, target]))


@pytest.mark.parametrize("encoding", list(STORED))
def test_every_encoding_gives_inseqs_default_view_of_per_dimension_scores(tmp_path, encoding):
    path, source, target = encoder_decoder_file(tmp_path, encoding, trailing=(4,))
    norms = [np.linalg.norm(grid, axis=-1) for grid in (source, target)]
    [matrix] = read(path)
    np.testing.assert_array_equal(matrix.values, scaled(*norms)[0])
    [both] = read(path, part="both")
    assert both.tokens == tuple(SOURCE + TARGET)
    np.testing.assert_array_equal(both.values, np.concatenate(scaled(*norms)))
    # Column j generates TARGET[1 + j]: that token and later ones cannot attribute it.
    assert np.isnan(both.values[5:]).tolist() == [
        [False, False, False],
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    column_sums = np.nansum(both.values, axis=0)
    np.testing.assert_allclose(column_sums, 1.0, rtol=1e-12)


def test_f16_values_decode_from_their_bit_patterns(tmp_path):
    bits = np.array([[0x3C00, 0xC000], [0x0001, 0x7BFF], [0x3555, 0x8000]], dtype="<u2")
    raw = inseq.safetensors_bytes(bits.tobytes(), "F16", bits.shape)
    sequence = inseq.sequence(["a", "b"], None, 0, ["x", "y", "z"], None)
    sequence["attributes"]["source_attributions"] = base64.b64encode(raw).decode()
    path = inseq.write(tmp_path / "f16.json", inseq.output([sequence]))
    [matrix] = read(path, aggregate="l2")
    expected = [[1.0, -2.0], [2.0**-24, 65504.0], [0.333251953125, -0.0]]
    assert matrix.values.tolist() == expected
    assert math.copysign(1, matrix.values[2, 1]) == -1  # -0.0 keeps its sign


F8_KNOWN = {
    0x00: 0.0,
    0x01: 2.0**-9,  # smallest subnormal: 1/8 * 2**(1-7)
    0x07: 7 * 2.0**-9,  # largest subnormal
    0x08: 2.0**-6,  # smallest normal
    0x38: 1.0,
    0x3C: 1.5,
    0x40: 2.0,
    0x78: 256.0,  # exponent 15 is a normal exponent: no infinities
    0x7E: 448.0,  # the largest finite value
    0xB8: -1.0,
    0xFE: -448.0,
}


def test_f8_e4m3_table_matches_the_formats_definition():
    for byte, value in F8_KNOWN.items():
        assert F8_E4M3[byte] == value, hex(byte)
    assert math.copysign(1, F8_E4M3[0x80]) == -1 and F8_E4M3[0x80] == 0
    nan = [byte for byte in range(256) if math.isnan(F8_E4M3[byte])]
    assert nan == [0x7F, 0xFF]
    assert np.isfinite(np.delete(F8_E4M3, nan)).all()
    # Positive codes increase monotonically, and each negative code mirrors its positive.
    positive = F8_E4M3[:0x7F]
    assert (np.diff(positive) > 0).all()
    np.testing.assert_array_equal(F8_E4M3[0x80:0xFF], -positive)


def test_f8_e4m3_file_decodes_codes_and_reads_nan_codes_as_missing_cells(tmp_path):
    codes = np.array(
        [
            [0x38, 0x40, 0x7E],
            [0x01, 0x78, 0xB8],
            [0x08, 0x3C, 0x00],
            [0x7F, 0xFE, 0x07],
            [0xFF] * 3,
        ],
        dtype=np.uint8,
    )
    sequence = inseq.sequence(GPT2[:5], codes, 2, encoding="F8_E4M3")
    path = inseq.write(tmp_path / "f8.json", inseq.output([sequence]))
    [matrix] = read(path, aggregate="sum")
    assert matrix.values[:3].tolist() == [
        [1.0, 2.0, 448.0],
        [2.0**-9, 256.0, -1.0],
        [2.0**-6, 1.5, 0.0],
    ]
    assert matrix.values[3, 1:].tolist() == [-448.0, 7 * 2.0**-9]
    assert np.isnan(matrix.values).tolist() == [[False] * 3] * 3 + [
        [True, False, False],
        [True] * 3,
    ]


def test_fortran_order_ndarray_is_reshaped_in_fortran_order(tmp_path):
    source = np.asfortranarray(np.arange(15, dtype=np.float32).reshape(5, 3))
    sequence = inseq.sequence(TARGET, None, 1, SOURCE, source, "b64")
    assert sequence["attributes"]["source_attributions"]["Corder"] is False
    path = inseq.write(tmp_path / "f.json", inseq.output([sequence]))
    [matrix] = read(path, aggregate="l2")
    np.testing.assert_array_equal(matrix.values, source)


# --------------------------------------------------------------------------- 3-D scores


REDUCTIONS = {
    "l2": lambda a: np.linalg.norm(a, axis=-1),
    "sum": lambda a: a.sum(axis=-1),
    "mean": lambda a: a.mean(axis=-1),
    "max-abs": lambda a: np.take_along_axis(a, np.abs(a).argmax(-1)[..., None], -1)[..., 0],
}


def test_every_aggregate_choice_has_a_reduction():
    assert set(reader._REDUCERS) == set(AGGREGATES) == {reader.SCALED_AGGREGATE, *REDUCTIONS}


@pytest.mark.parametrize("aggregate", list(REDUCTIONS))
def test_other_aggregations_reduce_trailing_dimensions_without_scaling(tmp_path, aggregate):
    path, source, target = encoder_decoder_file(tmp_path, "F32", trailing=(2, 4))
    [matrix] = read(path, aggregate=aggregate, part="both")
    flat = [grid.reshape(*grid.shape[:2], -1) for grid in (source, target)]
    expected = np.concatenate([REDUCTIONS[aggregate](grid) for grid in flat])
    np.testing.assert_array_equal(matrix.values, expected)


def test_max_abs_keeps_the_sign_of_the_largest_magnitude(tmp_path):
    scores = np.array([[[0.5, -2.0, 1.0]], [[3.0, -1.0, 0.0]]], dtype=np.float32)
    sequence = inseq.sequence(["a", "b"], None, 1, ["x", "y"], scores)
    sequence["attributes"]["attr_pos_start"] = 1
    path = inseq.write(tmp_path / "m.json", inseq.output([sequence]))
    [matrix] = read(path, aggregate="max-abs")
    assert matrix.values.tolist() == [[-2.0], [3.0]]


def test_decoder_only_defaults_to_the_target_part_with_prompt_rows(tmp_path):
    rng = np.random.default_rng(3)
    target = inseq.target_grid(7, 3, 4, rng, 768)  # saliency: one score per dimension
    sequence = inseq.sequence(GPT2, target, 4, encoding="F16")
    path = inseq.write(tmp_path / "gpt2.json", inseq.output([sequence]), compress=True)
    [matrix] = read(path)
    assert matrix.tokens == tuple(GPT2)
    assert matrix.expressions == ("Ġthe", "Ġmat", ".")
    assert matrix.title == "The cat sat on"  # no input_texts: the text of the prompt's tokens
    assert matrix.token_style == "clean"
    [expected] = scaled(np.linalg.norm(as_stored(target, "F16"), axis=-1))
    np.testing.assert_array_equal(matrix.values, expected)
    assert np.isnan(matrix.values[:, 0]).tolist() == [False] * 4 + [True] * 3
    with pytest.raises(InputError) as error:
        read(path, part="source")
    message = str(error.value)
    assert message.startswith(f"{path}: sequence 0: no source attributions")
    assert 'part="target"' in message


def test_title_without_input_texts_is_the_text_the_prompt_spells():
    encoder = {byte: char for char, byte in labels._byte_decoder().items()}
    zhong = [encoder[byte] for byte in "中".encode()]  # one piece per byte
    gpt2 = ["<|endoftext|>", "Hello", "Ġw", "orld", "Ġ", *zhong]
    assert labels.spelled_text(gpt2) == "Hello world 中"
    assert labels.spelled_text(["▁Hallo", "▁Welt", "<0x21>", "</s>"]) == "Hallo Welt!"
    assert labels.spelled_text(["[CLS]", "un", "##believ", "##able", "[SEP]"]) == "unbelievable"
    assert labels.spelled_text(["a", "b"]) == "a b"


# --------------------------------------------------------------------------- files


def test_several_sequences_give_one_matrix_each_and_sequence_picks_one(tmp_path):
    texts = ["first input " * 3, "second", "a much longer third input text that goes on " * 3]
    sequences = [inseq.encoder_decoder(seed) for seed in range(3)]
    path = inseq.write(tmp_path / "three.json", inseq.output(sequences, texts))
    matrices = read(path)
    assert len(matrices) == 3
    assert [m.title for m in matrices[:2]] == ["first input first input first input", "second"]
    long_title = matrices[2].title
    assert len(long_title) == labels.TITLE_CHARS and long_title.endswith("…")
    assert long_title.startswith("a much longer third input text")
    [second] = read(path, sequence=1)
    assert_same([second], matrices[1:2])
    assert not np.array_equal(matrices[0].values, matrices[1].values)


def test_gzip_and_split_sequences_json_gz_names(tmp_path):
    document = inseq.output([inseq.decoder_only(7)], ["The cat sat on"])
    plain = inseq.write(tmp_path / "plain.json", document)
    for name in ("packed.json", "attr_0.json.gz"):
        packed = inseq.write(tmp_path / name, document, compress=True)
        assert_same(read(packed), read(plain))
    # Concatenated gzip members are one stream, as gzip itself reads them.
    data = inseq.dumps(document)
    members = gzip.compress(data[:100], mtime=0) + gzip.compress(data[100:], mtime=0)
    (tmp_path / "members.json.gz").write_bytes(members)
    assert_same(read(tmp_path / "members.json.gz"), read(plain))


@pytest.mark.parametrize("encoding", ["F16", "lists"])
def test_use_primitives_saves_read_like_the_others(tmp_path, encoding):
    document = inseq.output(
        [inseq.encoder_decoder(0, encoding, (3,)), inseq.encoder_decoder(1, encoding)], ["a", "b"]
    )
    full = inseq.write(tmp_path / "full.json", document)
    bare = inseq.primitives(document)
    assert "__instance_type__" not in json.dumps(bare) and "__ndarray__" not in json.dumps(bare)
    plain = inseq.write(tmp_path / "bare.json", bare)
    packed = inseq.write(tmp_path / "bare.json.gz", bare, compress=True)
    assert reader.sniff(plain.read_bytes()) and reader.sniff(packed.read_bytes())
    for path in (plain, packed):
        assert_same(read(path), read(full))
        assert_same(read(path, part="target"), read(full, part="target"))


def test_sniff_recognises_inseq_saves_only():
    document = inseq.dumps(inseq.output([inseq.decoder_only()]))
    assert reader.sniff(document[:64])
    assert reader.sniff(gzip.compress(document)[:200])
    assert not reader.sniff(b'{"tokens": ["a"], "expressions": ["e"], "values": [[1]]}')
    assert not reader.sniff(gzip.compress(b"token,a\nx,1\n"))
    assert not reader.sniff(b"\x1f\x8b\x08garbage")
    assert not reader.sniff(b"token,__instance_type__\n")


def test_source_nan_needs_allow_missing(tmp_path):
    source = np.ones((5, 3), dtype=np.float32)
    source[2, 1] = np.nan
    sequence = inseq.sequence(TARGET, None, 1, SOURCE, source)
    path = inseq.write(tmp_path / "nan.json", inseq.output([sequence]))
    with pytest.raises(InputError) as error:
        read(path)
    assert str(error.value) == (
        f"{path}: sequence 0, source_attributions: token 2 (',') has no score (NaN) for "
        "generated token 1 ('▁Welt'); pass allow_missing=True to draw such cells as missing"
    )
    [matrix] = read(path, allow_missing=True)
    assert np.isnan(matrix.values).tolist() == (source != source).tolist()


# --------------------------------------------------------------------------- errors


def _corrupt(tmp_path: Path, name: str, change) -> Path:
    document = inseq.output([inseq.encoder_decoder(0, "b64")], ["Hello"])
    change(document["attributes"]["sequence_attributions"][0]["attributes"], document)
    return inseq.write(tmp_path / f"{name}.json", document)


def _raw_safetensors(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


BROKEN = {
    "b64-size": (
        lambda seq, doc: seq["source_attributions"].update(shape=[5, 4]),
        "sequence 0, source_attributions: 60 bytes of data, but float32 x [5, 4] needs 80",
    ),
    "b64-gz-size": (
        lambda seq, doc: seq.update(
            source_attributions=inseq.ndarray(np.ones((5, 2), np.float32), "b64.gz")
            | {"shape": [5, 3]}
        ),
        "40 bytes of data, but float32 x [5, 3] needs 60",
    ),
    "safetensors-size": (
        lambda seq, doc: seq.update(
            source_attributions=_raw_safetensors(inseq.safetensors_bytes(b"\0" * 56, "F32", [5, 3]))
        ),
        "safetensors: 56 bytes of data, but F32 x [5, 3] needs 60",
    ),
    "safetensors-dtype": (
        lambda seq, doc: seq.update(
            source_attributions=_raw_safetensors(
                inseq.safetensors_bytes(b"\0" * 120, "F64", [5, 3])
            )
        ),
        "dtype 'F64' is not one inseq writes",
    ),
    "safetensors-header": (
        lambda seq, doc: seq.update(source_attributions=_raw_safetensors(b"\xff" * 8 + b"{}")),
        "safetensors: header of",
    ),
    "base64": (
        lambda seq, doc: seq.update(source_attributions="not base64!"),
        "source_attributions: invalid base64",
    ),
    "shape": (
        lambda seq, doc: seq.update(source=seq["source"][:4]),
        "source_attributions: has shape [5, 3], but there are 4 tokens and 3 generated tokens",
    ),
    "positions": (
        lambda seq, doc: seq.update(attr_pos_end=9),
        "attr_pos_start 1 and attr_pos_end 9 do not select generated tokens",
    ),
    "token": (
        lambda seq, doc: seq["source"][1]["attributes"].pop("token"),
        "sequence 0, source: token 1 has no token string",
    ),
    "top-class": (
        lambda seq, doc: doc["__instance_type__"].__setitem__(1, "Something"),
        "the file is an inseq Something, expected FeatureAttributionOutput",
    ),
    "no-sequences": (
        lambda seq, doc: doc["attributes"].update(sequence_attributions=[]),
        "without sequence_attributions",
    ),
    "lists-ragged": (
        lambda seq, doc: seq.update(
            source_attributions={"__ndarray__": [[1, 2], [3]], "dtype": "float32"}
        ),
        "the lists are not a rectangular grid of numbers",
    ),
    "dtype": (
        lambda seq, doc: seq["source_attributions"].update(dtype="object"),
        "__ndarray__ dtype 'object' is not a number type",
    ),
    "lists-strings": (
        lambda seq, doc: seq.update(
            source_attributions={"__ndarray__": [["1"] * 3] * 5, "dtype": "float32"}
        ),
        "the lists hold something other than numbers",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_inseq_files_fail_with_one_line_naming_file_and_sequence(tmp_path, case):
    change, fragment = BROKEN[case]
    path = _corrupt(tmp_path, case, change)
    with pytest.raises(InputError) as error:
        read(path)
    message = str(error.value)
    assert message.startswith(f"{path}: "), message
    assert fragment in message, message
    assert "\n" not in message


def test_invalid_json_names_line_and_column(tmp_path):
    data = inseq.dumps(inseq.output([inseq.decoder_only()]))
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(data.replace(b'"attr_pos_end"', b"attr_pos_end", 1)))
    with pytest.raises(InputError) as error:
        read(path)
    offset = data.index(b'"attr_pos_end"')
    line, column = data[:offset].count(b"\n") + 1, offset - data.rindex(b"\n", 0, offset)
    assert str(error.value).startswith(f"{path}:{line}:{column}: invalid JSON")


def test_truncated_and_corrupt_gzip(tmp_path):
    packed = inseq.dumps(inseq.output([inseq.decoder_only()]), compress=True)
    (tmp_path / "cut.json.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "bad.json.gz").write_bytes(packed[:10] + b"\xff" * 40)
    for name, fragment in (("cut", "gzip data is truncated"), ("bad", "gzip data is corrupt")):
        with pytest.raises(InputError, match=fragment) as error:
            read(tmp_path / f"{name}.json.gz")
        assert str(error.value).startswith(str(tmp_path / f"{name}.json.gz"))


def test_limits_count_decompressed_bytes_and_cells(tmp_path):
    path, _, _ = encoder_decoder_file(tmp_path, "F32")
    packed = inseq.write(tmp_path / "p.json.gz", inseq.output([inseq.decoder_only()]), True)
    inflated = len(gzip.decompress(packed.read_bytes()))
    with pytest.raises(LimitError, match="decompresses to more than the"):
        read(packed, limits=Limits(max_bytes=inflated - 1))
    assert read(packed, limits=Limits(max_bytes=inflated))
    too_many = r"a 5 x 3 grid is more than 14 cells \(raise the limit with max_cells=..."
    with pytest.raises(LimitError, match=too_many):
        read(path, limits=Limits(max_cells=14))
    with pytest.raises(LimitError, match=r"a 9 x 3 grid is more than 26 cells"):
        read(path, limits=Limits(max_cells=26), part="both")
    assert read(path, limits=Limits(max_cells=27), part="both")


def test_errors_are_attrmap_errors_for_garbage_after_sniffing(tmp_path):
    for junk in (b'{"__instance_type__": 1}', b'{"__instance_type__": ["a", "b"]}', b"[]"):
        path = tmp_path / "junk.json"
        path.write_bytes(junk)
        with pytest.raises(AttrmapError):
            read(path, input_format="inseq")


# --------------------------------------------------------------------------- command line


def test_cli_renders_every_sequence_to_its_own_png_and_batch_finds_inseq_files(tmp_path, run_cli):
    folder = tmp_path / "in"
    folder.mkdir()
    texts = ["Hello world, world", "Hello again"]
    sequences = [inseq.encoder_decoder(0, "F16", (16,)), inseq.encoder_decoder(1, "b64.gz")]
    inseq.write(folder / "mt.json", inseq.output(sequences, texts))
    inseq.write(folder / "gpt2_0.json.gz", inseq.output([inseq.decoder_only(2)]), compress=True)

    result = run_cli("render", folder / "mt.json", "-o", tmp_path / "fig.png", "--shape", "any")
    assert result.exit_code == 0, result.output
    figures = [tmp_path / "fig-0.png", tmp_path / "fig-1.png"]
    assert result.stdout.split() == ["wrote", str(figures[0]), "wrote", str(figures[1])]
    first, second = (path.read_bytes() for path in figures)
    assert first.startswith(b"\x89PNG") and second.startswith(b"\x89PNG") and first != second

    picked = tmp_path / "picked.png"
    args = ("--shape", "any", "--sequence", "1", "--part", "both", "--aggregate", "max-abs")
    assert run_cli("render", folder / "mt.json", "-o", picked, *args).exit_code == 0
    assert picked.read_bytes().startswith(b"\x89PNG") and not (tmp_path / "picked-0.png").exists()

    result = run_cli("batch", folder, "-o", tmp_path / "out", "--shape", "any", "-j", "1")
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == ["gpt2_0.png", "mt-0.png", "mt-1.png"]


def test_cli_error_for_a_missing_part_is_one_line_naming_the_file(tmp_path, run_cli):
    path = inseq.write(tmp_path / "gpt2.json", inseq.output([inseq.decoder_only()]))
    result = run_cli("validate", path, "--shape", "any", "--part", "source")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"attrmap: error: {path}: sequence 0: no source attributions in this file "
        "(it has target); use --part target"
    ]
    result = run_cli("validate", path, "--aggregate", "median")
    assert result.exit_code == 2 and "'median' is not one of" in result.stderr
