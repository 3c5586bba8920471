"""Token display: raw labels as written, clean labels as the text tokenizer pieces stand for."""

from __future__ import annotations

import numpy as np
import pytest

from attrmap import AttributionMatrix, Style
from attrmap.labels import clean_axes, detect_scheme, display_axes, display_label
from attrmap.prepared import prepare_data
from attrmap.provenance import figure_key
from conftest import REFERENCE_EXPRESSIONS, REFERENCE_TOKENS


def gpt2(text: str) -> str:
    """Write ``text`` as one GPT-2 byte-level piece (the tokenizer's own table)."""
    from attrmap.labels import _byte_decoder

    encoder = {byte: char for char, byte in _byte_decoder().items()}
    return "".join(encoder[byte] for byte in text.encode("utf-8"))


def clean(tokens: list[str]) -> list[str]:
    return display_axes(tokens, ["x"], "clean")[0]


def test_byte_level_pieces_show_their_text():
    assert gpt2(" cat") == "Ġcat" and gpt2("\n") == "Ċ" and gpt2(" München") == "ĠMÃ¼nchen"
    assert clean(["The", "Ġcat", "Ċ", "ĠMÃ¼nchen", "ĠĠ"]) == [
        "The",
        "␣cat",
        "\\n",
        "␣München",
        "␣␣",
    ]


def test_a_character_split_over_tokens_is_shown_on_its_first_and_continued():
    pieces = list(gpt2("中"))  # its three UTF-8 bytes, one token each
    assert clean(["Ġthe", *pieces, "Ġend"]) == ["␣the", "中", "·中²", "·中³", "␣end"]
    # A piece whose character is never completed shows its bytes.
    assert clean(["Ġthe", *pieces[:2]]) == ["␣the", "\\xe4", "\\xb8"]


def test_sentencepiece_and_wordpiece_markers():
    assert clean(["▁the", "the", "▁", "<s>"]) == ["␣the", "the", "␣", "<s>"]
    # Byte-fallback pieces merge like byte-level ones; <0x0A> is a newline.
    split = ["␣a", "中", "·中²", "·中³", "\\n"]
    assert clean(["▁a", "<0xE4>", "<0xB8>", "<0xAD>", "<0x0A>"]) == split
    assert clean(["[CLS]", "play", "##ing", "##"]) == ["[CLS]", "play", "ing", "##"]


@pytest.mark.parametrize(
    "labels",
    [
        REFERENCE_TOKENS,
        REFERENCE_EXPRESSIONS,
        ["café", "Łódka", "ÿes"],  # byte-table characters, but no byte-level evidence
        ["Ġużeppi", "żebbuġ"],  # Maltese: ż is not in the byte table
        ["a b", "Ġ"],  # a plain space is never written by a byte-level tokenizer
    ],
)
def test_plain_labels_are_not_decoded(labels):
    assert detect_scheme(labels) is None
    assert clean_axes(labels, labels) == (list(labels), list(labels))


def test_special_tokens_survive_byte_level_decoding():
    assert clean(["<|endoftext|>", "Hello", "Ġworld"]) == ["<|endoftext|>", "Hello", "␣world"]


def test_an_axis_without_evidence_follows_a_byte_level_other_axis():
    tokens, expressions = display_axes(["The", "Ġcat"], ["Ã¼"], "clean")
    assert (tokens, expressions) == (["The", "␣cat"], ["ü"])


def test_raw_keeps_labels_as_written():
    assert display_axes(["Ġcat", "▁the"], ["##x"], "raw") == (["Ġcat", "▁the"], ["##x"])


def test_joiners_inside_an_emoji_stay_invisible():
    family = "👩\u200d💻"
    assert display_label(family) == family
    assert display_label("❤\ufe0f") == "❤\ufe0f"
    flag = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    assert display_label(flag) == flag
    # Outside an emoji a joiner is an invisible surprise: named.
    assert display_label("a\u200db") == "a⟨ZWJ⟩b"
    assert display_label("\u200d👩") == "⟨ZWJ⟩👩"


def byte_pieces(text: str) -> list[str]:
    """SentencePiece byte fallback (Llama): one ``<0xNN>`` token per UTF-8 byte."""
    return [f"<0x{byte:02X}>" for byte in text.encode()]


def test_split_characters_show_on_their_first_piece_and_continue_after_it():
    tokens = ["▁a", *byte_pieces("오"), *byte_pieces("👩\u200d💻"), *byte_pieces("\ufe0f")]
    shown = display_axes(tokens, ["x"], "clean")[0]
    assert shown == [
        "␣a",
        *("오", "·오²", "·오³"),
        *("👩", "·👩²", "·👩³", "·👩⁴"),
        *("⟨ZWJ⟩", "·⟨ZWJ⟩²", "·⟨ZWJ⟩³"),
        *("💻", "·💻²", "·💻³", "·💻⁴"),
        *("⟨VS16⟩", "·⟨VS16⟩²", "·⟨VS16⟩³"),
    ]
    assert len(set(shown)) == len(shown)  # distinct where the tokens are
    # A lone variation selector or joiner is named, never an escape or nothing.
    assert display_label("\ufe0f") == "⟨VS16⟩" and display_label("\u200d") == "⟨ZWJ⟩"
    assert "\\u" not in "".join(shown)


def matrix(tokens: list[str], token_style: str | None = None) -> AttributionMatrix:
    values = np.zeros((len(tokens), 2))
    return AttributionMatrix(tokens, ["Ġis", "Ġa"], values, token_style=token_style)


def test_the_input_decides_the_default_and_the_option_overrides_it():
    pieces = ["The", "Ġcat"]
    assert prepare_data(matrix(pieces), Style()).tokens == pieces
    assert prepare_data(matrix(pieces, "clean"), Style()).tokens == ["The", "␣cat"]
    assert prepare_data(matrix(pieces, "clean"), Style(tokens="raw")).tokens == pieces
    assert prepare_data(matrix(pieces), Style(tokens="clean")).expressions == ["␣is", "␣a"]


def test_the_figure_key_follows_the_token_display():
    pieces = ["The", "Ġcat"]
    raw = figure_key(matrix(pieces), Style(), "png")
    assert figure_key(matrix(pieces), Style(tokens="raw"), "png") == raw
    assert figure_key(matrix(pieces, "clean"), Style(), "png") != raw
    assert figure_key(matrix(pieces), Style(tokens="clean"), "png") != raw


def test_a_bad_token_mode_is_refused():
    from attrmap import StyleError

    with pytest.raises(StyleError, match="tokens must be raw or clean"):
        Style(tokens="pretty")
    with pytest.raises(ValueError, match="token_style"):
        matrix(["a"], token_style="pretty")


def test_tokens_is_a_config_setting_and_an_option(tmp_path, run_cli):
    from attrmap import load_config

    config = tmp_path / "clean.yaml"
    config.write_text("tokens: clean\n")
    assert load_config(config).style.tokens == "clean"
    data = tmp_path / "pieces.yaml"
    data.write_text('expressions: ["Ġis"]\ntokens: ["The", "Ġcat"]\nvalues: [[0.1], [0.2]]\n')
    figures = []
    for options in ([], ["--tokens", "clean"], ["--config", str(config)]):
        figures.append(tmp_path / f"figure{len(figures)}.png")
        result = run_cli("render", data, "-o", figures[-1], "--shape", "any", *options)
        assert result.exit_code == 0, result.output
    raw, by_option, by_config = (path.read_bytes() for path in figures)
    assert by_option == by_config != raw
    bad = run_cli("render", data, "--tokens", "pretty")
    assert bad.exit_code == 2


def test_generated_tokens_that_end_the_rows_are_read_in_their_context():
    # Llama (byte fallback): the last generated pieces finish an emoji begun in the prompt.
    rows = ["<s>", "▁Hi", *byte_pieces("💻"), "▁ok"]
    columns = rows[-3:]  # inseq's target: prompt then generated, the columns its tail
    tokens, expressions = display_axes(rows, columns, "clean")
    assert expressions == tokens[-3:] == ["·💻³", "·💻⁴", "␣ok"]
    assert display_axes(["▁a", "▁b"], ["▁c"], "clean")[1] == ["␣c"]  # not a tail: its own
