"""Alt text in every figure attrmap writes, read back from the files: PNG text chunks,
SVG ``<title>``/``<desc>``, PDF ``/Title`` and ``/Subject``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from attrmap import AttributionMatrix, Style, StyleError, load_matrix, save_matrix
from attrmap.provenance import figure_key, read_figure_key
from attrmap.views.alt_text import figure_text

SVG = "{http://www.w3.org/2000/svg}"
REFERENCE_ALT = (
    "Heatmap of token attribution, 13 tokens by 5 expressions; colour: red at -1.0, "
    'yellow at 0.0, green at 1.0. Strongest positive: "_x" for "8 x 48 = 384" (1.3714). '
    'Strongest negative: "_x" for "$35 ($85 - $50)" (-0.3675).'
)


def png_text(path) -> dict[str, str]:
    with Image.open(path) as image:
        return dict(image.text)


def svg_text(path) -> tuple[str, str, ET.Element]:
    root = ET.parse(path).getroot()
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return title.text or "", desc.text or "", root


def pdf_info(path) -> dict[str, str]:
    """The document information dictionary, found through the trailer's /Info."""
    data = path.read_bytes()
    trailer = data[data.rindex(b"trailer") :]
    number = re.search(rb"/Info (\d+) 0 R", trailer)[1]
    start = data.index(b"\n" + number + b" 0 obj") + 1
    body = data[start : data.index(b"endobj", start)]
    info, position = {}, body.index(b"<<") + 2
    while True:
        match = re.compile(rb"\s*/(\w+)\s*").match(body, position)
        if not match:
            return info
        value, position = _pdf_string(body, match.end())
        info[match[1].decode()] = value


def _pdf_string(body: bytes, at: int) -> tuple[str, int]:
    if body[at : at + 1] == b"<":  # hex string
        end = body.index(b">", at)
        raw = bytes.fromhex(body[at + 1 : end].decode())
        return _pdf_text(raw), end + 1
    assert body[at : at + 1] == b"(", body[at : at + 20]
    out, depth, i = bytearray(), 0, at + 1
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while True:
        char = body[i : i + 1]
        if char == b"\\":
            following = body[i + 1 : i + 2]
            octal = re.compile(rb"[0-7]{1,3}").match(body, i + 1)
            if octal:
                out.append(int(octal[0], 8))
                i = octal.end()
                continue
            out += escapes.get(following, following)
            i += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            if depth == 0:
                return _pdf_text(bytes(out)), i + 1
            depth -= 1
        out += char
        i += 1


def _pdf_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


@pytest.fixture(scope="module")
def reference_figures(tmp_path_factory, run_cli):
    folder = tmp_path_factory.mktemp("figures")
    from conftest import EXAMPLES

    for fmt in ("png", "svg", "pdf"):
        result = run_cli("render", EXAMPLES / "token_attribution.csv", "-o", folder / f"r.{fmt}")
        assert result.exit_code == 0, result.output
    return folder


def test_png_carries_title_and_alt_text_chunks(reference_figures):
    text = png_text(reference_figures / "r.png")
    assert text["Title"] == "Heatmap: Token Attribution"
    assert text["Description"] == REFERENCE_ALT
    assert text["attrmap"].startswith("attrmap:")


def test_svg_starts_with_title_and_desc(reference_figures):
    title, desc, _ = svg_text(reference_figures / "r.svg")
    assert (title, desc) == ("Heatmap: Token Attribution", REFERENCE_ALT)


def test_pdf_info_has_title_and_subject(reference_figures):
    info = pdf_info(reference_figures / "r.pdf")
    assert info["Title"] == "Heatmap: Token Attribution"
    assert info["Subject"] == REFERENCE_ALT
    assert info["Keywords"].startswith("attrmap:")


def test_describe_alt_prints_what_the_figures_carry(reference_csv, reference_figures, run_cli):
    assert run_cli("describe", reference_csv, "--alt").stdout == REFERENCE_ALT + "\n"


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_alt_text_option_replaces_the_generated_text_in_render_and_batch(
    tmp_path, fmt, write, run_cli
):
    data = write("in/m.csv", "token,a & b,<c>\nx,0.5,-0.25\n猫,1,0\n")
    mine = 'Scores for "x" & 猫 <by layer>'
    single = tmp_path / f"single.{fmt}"
    args = ["--shape", "any", "--alt-text", mine]
    assert run_cli("render", data, "-o", single, *args).exit_code == 0
    assert (
        run_cli(
            "batch", tmp_path / "in", "-o", tmp_path / "out", "--format", fmt, *args, "-j", "1"
        ).exit_code
        == 0
    )
    batched = tmp_path / "out" / f"m.{fmt}"
    assert batched.read_bytes() == single.read_bytes()
    read = {
        "png": lambda p: png_text(p)["Description"],
        "svg": lambda p: svg_text(p)[1],
        "pdf": lambda p: pdf_info(p)["Subject"],
    }[fmt]
    assert read(single) == mine
    # the alt text is part of the file, so it is part of the key
    default = tmp_path / f"default.{fmt}"
    run_cli("render", data, "-o", default, "--shape", "any")
    assert read(default).startswith("Heatmap of token attribution, 2 tokens by 2 expressions")
    assert read_figure_key(default) != read_figure_key(single)
    matrix = load_matrix(data)
    assert read_figure_key(single) == figure_key(matrix, Style(alt_text=mine), fmt)


def test_batch_fast_png_path_writes_the_same_chunks_as_render(tmp_path, reference_csv, run_cli):
    (tmp_path / "in").mkdir()
    save_matrix(load_matrix(reference_csv), tmp_path / "in" / "r.csv")
    run_cli("batch", tmp_path / "in", "-o", tmp_path / "out", "-j", "1")
    run_cli("render", reference_csv, "-o", tmp_path / "r.png")
    assert (tmp_path / "out" / "r.png").read_bytes() == (tmp_path / "r.png").read_bytes()
    assert png_text(tmp_path / "r.png")["Description"] == REFERENCE_ALT


def test_figure_text_is_deterministic_and_bounded():
    long = "a label that goes on " * 40
    matrix = AttributionMatrix([long, "b"], ["c", long], [[0.3, -0.9], [0.0, 2.0]], title=long)
    text = figure_text(matrix)
    assert text == figure_text(matrix)
    assert len(text.alt_text) <= 250 and len(text.title) <= 200
    assert "Strongest negative" in text.alt_text


def test_long_alt_text_keeps_the_key_readable_and_longer_is_refused(
    tmp_path, reference_csv, run_cli
):
    svg = tmp_path / "amp.svg"
    assert run_cli("render", reference_csv, "-o", svg, "--alt-text", "&" * 1000).exit_code == 0
    assert svg_text(svg)[1] == "&" * 1000
    assert read_figure_key(svg) == figure_key(
        load_matrix(reference_csv), Style(alt_text="&" * 1000), "svg"
    )
    too_long = run_cli("render", reference_csv, "-o", tmp_path / "x.png", "--alt-text", "a" * 1001)
    assert too_long.exit_code == 2 and "at most 1000" in too_long.stderr
    with pytest.raises(StyleError):
        Style(alt_text="a" * 1001)


def test_control_characters_in_alt_text_are_escaped(tmp_path, reference_csv, run_cli):
    svg = tmp_path / "c.svg"
    assert run_cli("render", reference_csv, "-o", svg, "--alt-text", "a\x01b\nc").exit_code == 0
    assert svg_text(svg)[1] == "a\\x01b\\nc"


def test_alt_text_from_a_config_file(tmp_path, reference_csv, write, run_cli):
    config = write("alt.yaml", "alt_text: From the config\n")
    out = tmp_path / "f.png"
    assert run_cli("render", reference_csv, "-o", out, "--config", config).exit_code == 0
    assert png_text(out)["Description"] == "From the config"
    assert run_cli("describe", reference_csv, "--alt", "--config", config).stdout == (
        "From the config\n"
    )
