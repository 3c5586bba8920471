"""The documentation's pictures, drawn by attrmap's own commands from the examples.

``python scripts/gallery.py OUT`` writes ``OUT/gallery.md`` (one section per option: what it
does, the command, its picture), the pictures under ``OUT/gallery/``, which the other pages show
too. The MkDocs build runs it (``scripts/mkdocs_hooks.py``),
so the pictures always show what this version of attrmap draws and none is committed.

Every picture comes from running the very command the page shows, through attrmap's console
entry point in this process (one interpreter, so the build stays fast).
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # this checkout's attrmap, whatever is installed
REFERENCE = "examples/token_attribution.csv"


@dataclass(frozen=True)
class Entry:
    """One gallery section: ``command`` run in the work folder writes ``outputs``; a
    command that is not ``attrmap ...`` is Python code (``language`` python)."""

    title: str
    text: str
    command: str
    outputs: tuple[str, ...] = field(default=())

    @property
    def language(self) -> str:
        return "bash" if self.command.startswith("attrmap ") else "python"

    def figures(self) -> tuple[str, ...]:
        if self.outputs:
            return self.outputs
        words = shlex.split(self.command)
        return (words[words.index("-o") + 1],)


GALLERY: tuple[tuple[str, tuple[Entry, ...]], ...] = (
    (
        "Colours and scale",
        (
            Entry(
                "The default",
                "The reference matrix as `attrmap render` draws it without options: "
                "`RdYlGn` from -1 to 1, centred on 0, every cell annotated with `.4f`.",
                f"attrmap render {REFERENCE} -o gallery/default.png",
            ),
            Entry(
                "`--cmap RdBu`",
                "Any matplotlib colormap; a diverging one keeps 0 neutral. `RdBu` (red, "
                "white, blue) is safe for colour-blind readers, unlike red to green: "
                "`--config configs/colorblind.yaml` sets it too.",
                f"attrmap render {REFERENCE} -o gallery/cmap.png --cmap RdBu",
            ),
            Entry(
                "`--vmin -0.5 --vmax 0.5`",
                "A narrower fixed range: values beyond it take the end colour, their "
                "annotation keeps the true value and the colorbar grows an arrow.",
                f"attrmap render {REFERENCE} -o gallery/vmin_vmax.png --vmin -0.5 --vmax 0.5",
            ),
            Entry(
                "Small raw values on the default scale",
                "Integrated gradients of a real model: a few hundredths, flat on -1..1 "
                "(attrmap warns and suggests `--range auto`).",
                "attrmap render tests/data/small_values.csv -o gallery/range_fixed.png",
            ),
            Entry(
                "`--range auto`",
                "Symmetric around 0 at the largest |value| rounded up to a round number.",
                "attrmap render tests/data/small_values.csv -o gallery/range_auto.png --range auto",
            ),
            Entry(
                "One outlier with `--range auto`",
                "`outlier.csv` is `long_sequence.csv` with one cell set to 5: the "
                "automatic range reaches 5 and every other cell looks pale.",
                "attrmap render outlier.csv -o gallery/outlier_auto.png --shape any "
                "--transpose --annotate never --cell-size 0.15x0.2 --range auto",
            ),
            Entry(
                "`--range p99`",
                "The ends at the 99th percentile of |value|: the outlier saturates (an "
                "arrow on the colorbar) and the rest keeps its contrast.",
                "attrmap render outlier.csv -o gallery/range_p99.png --shape any "
                "--transpose --annotate never --cell-size 0.15x0.2 --range p99",
            ),
            Entry(
                "`--normalize column`",
                "Each expression divided by its largest |value| (inseq's per-token view); "
                "annotations and colorbar label follow.",
                f"attrmap render {REFERENCE} -o gallery/normalize_column.png --normalize column",
            ),
            Entry(
                "`--normalize row`",
                "Each token divided by its largest |value|.",
                f"attrmap render {REFERENCE} -o gallery/normalize_row.png --normalize row",
            ),
        ),
    ),
    (
        "Text",
        (
            Entry(
                "`--title` and `--colorbar-label`",
                "A title above the heatmap and your own colorbar label.",
                f"attrmap render {REFERENCE} -o gallery/title.png "
                '--title "Layer 12, integrated gradients" --colorbar-label "IG attribution"',
            ),
            Entry(
                "`--fmt .2f`",
                "Any Python format spec for the annotations.",
                f"attrmap render {REFERENCE} -o gallery/fmt.png --fmt .2f",
            ),
            Entry(
                "`--font-size 13 --annotation-font-size 7`",
                "Label and number sizes in points; the figure grows to fit the labels.",
                f"attrmap render {REFERENCE} -o gallery/font_size.png "
                "--font-size 13 --annotation-font-size 7",
            ),
            Entry(
                "`--annotate never`",
                "No numbers in the cells: colour only, and cells may be compact.",
                f"attrmap render {REFERENCE} -o gallery/annotate_never.png --annotate never",
            ),
            Entry(
                "`--tokens clean`",
                "Tokenizer pieces (here GPT-2 byte-level: `Ġcat`, `Ċ`) drawn as the text "
                "they stand for; `raw` (the default for CSV) draws them as written.",
                "attrmap render pieces.csv -o gallery/tokens_clean.png --shape any --tokens clean",
            ),
            Entry(
                "`--allow-missing`",
                "Empty cells become missing cells: neutral grey, no annotation, left out "
                "of computed ranges.",
                "attrmap render missing.csv -o gallery/allow_missing.png --allow-missing",
            ),
        ),
    ),
    (
        "Size and layout",
        (
            Entry(
                "`--width 4`",
                "At most 4 inches wide: cells narrow, then fonts shrink, and expression "
                "labels turn.",
                f"attrmap render {REFERENCE} -o gallery/width.png --width 4",
            ),
            Entry(
                "`--cell-size 0.6x0.3`",
                "Cell width and height in inches.",
                f"attrmap render {REFERENCE} -o gallery/cell_size.png --cell-size 0.6x0.3",
            ),
            Entry(
                "`--transpose`",
                "Tokens across the top, expressions down the side: for long sequences "
                "with few expressions.",
                "attrmap render tests/data/long_sequence.csv -o gallery/transpose.png "
                "--shape any --transpose --annotate never --range auto --cell-size 0.15x0.2",
            ),
            Entry(
                "`--rows-per-page 30`",
                "A long sequence split into pages of 30 tokens (`NAME-1.png`, "
                "`NAME-2.png`; one PDF holds them all): every page repeats the labels and "
                "the colorbar on one scale.",
                "attrmap render tests/data/long_sequence.csv -o gallery/pages.png "
                "--shape any --rows-per-page 30 --range auto",
                ("gallery/pages-1.png", "gallery/pages-2.png"),
            ),
            Entry(
                "`--layout text`",
                "A long document as running text: each token on a box of its value's "
                "colour, one block per expression, one colorbar.",
                "attrmap render examples/long_document.csv -o gallery/layout_text.png "
                "--shape any --tokens clean --layout text",
            ),
            Entry(
                "`--page a5`",
                "Pages of a paper size, margins included, each marked with the tokens it "
                "holds; here a grid.",
                "attrmap render tests/data/long_sequence.csv -o gallery/page.png "
                "--shape any --page a5",
                ("gallery/page-1.png", "gallery/page-2.png"),
            ),
        ),
    ),
    (
        "From Python",
        (
            Entry(
                "`attrmap.heatmap(matrix, ax=ax)` beside another plot",
                "The heatmap drawn into an Axes of one's own, seaborn-style, its colorbar "
                "taken from that Axes' right side ([Python](python.md)).",
                """import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import attrmap

matrix = attrmap.load_matrix("examples/token_attribution.csv")
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), width_ratios=[3, 2], layout="constrained")
attrmap.heatmap(matrix, ax=left, range="auto")
right.plot(np.abs(matrix.values).sum(axis=0), marker="o")
right.set_xticks(range(5), matrix.expressions, rotation=45, ha="right")
right.set_ylabel("sum of |attribution|")
fig.savefig("gallery/heatmap_ax.png", dpi=100)
plt.close(fig)""",
                ("gallery/heatmap_ax.png",),
            ),
        ),
    ),
    (
        "Comparing matrices: `attrmap compare`",
        (
            Entry(
                "Side by side, one scale",
                "Panels in the order given, token labels once, one colorbar.",
                f"attrmap compare {REFERENCE} variant.csv -o gallery/compare.png "
                '--titles "IG,Variant"',
            ),
            Entry(
                "`--diff`",
                "A third panel of B - A on its own symmetric scale and colormap "
                "(`--diff-cmap`, default `PuOr`).",
                f"attrmap compare {REFERENCE} variant.csv -o gallery/compare_diff.png "
                '--titles "IG,Variant" --diff',
            ),
            Entry(
                "`--diff-only --diff-cmap BrBG`",
                "The difference alone.",
                f"attrmap compare {REFERENCE} variant.csv -o gallery/compare_diff_only.png "
                "--diff-only --diff-cmap BrBG",
            ),
            Entry(
                "`--layout column`",
                "Panels stacked; their rows line up and they share the colorbar.",
                f"attrmap compare {REFERENCE} variant.csv -o gallery/compare_column.png "
                '--titles "IG,Variant" --layout column',
            ),
        ),
    ),
)


def write_inputs(folder: Path) -> None:
    """The inputs the gallery draws besides the repository's examples."""
    from attrmap import AttributionMatrix, load_matrix, save_matrix

    reference = load_matrix(ROOT / REFERENCE)
    ramp = np.linspace(-0.2, 0.2, reference.values.size).reshape(reference.values.shape)
    variant = np.round(reference.values * 0.5 + ramp, 4)
    save_matrix(
        AttributionMatrix(reference.tokens, reference.expressions, variant), folder / "variant.csv"
    )
    holes = reference.values.copy()
    holes[[1, 4, 9], [2, 0, 4]] = np.nan
    missing = AttributionMatrix(reference.tokens, reference.expressions, holes, allow_missing=True)
    save_matrix(missing, folder / "missing.csv")
    pieces = ["The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", ".", "Ċ", "ĠMÃ¼nchen"]
    rng = np.random.default_rng(0)
    values = np.round(rng.uniform(-1, 1, (len(pieces), 3)), 4)
    save_matrix(AttributionMatrix(pieces, ["Ġit", "Ġwas", "Ġhappy"], values), folder / "pieces.csv")
    long = load_matrix(ROOT / "tests/data/long_sequence.csv")
    spiked = long.values.copy()
    spiked[20, 1] = 5.0
    save_matrix(AttributionMatrix(long.tokens, long.expressions, spiked), folder / "outlier.csv")


@contextlib.contextmanager
def working_folder(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run(command: str) -> None:
    """Run an ``attrmap ...`` command line through the console entry point."""
    from attrmap.cli import main

    words = shlex.split(command)
    assert words[0] == "attrmap", command
    argv = sys.argv
    sys.argv = words
    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            main()
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise RuntimeError(f"{command!r} exited with {stop.code}:\n{said.getvalue()}") from None
    finally:
        sys.argv = argv


def page(sections: tuple[tuple[str, tuple[Entry, ...]], ...]) -> str:
    lines = [
        "# Gallery",
        "",
        "What each option does to the figure, drawn by the command (or code) above each picture.",
        "Generated by `scripts/gallery.py` during the documentation build, from",
        f"`{REFERENCE}`, `tests/data/` and four inputs the script writes: `variant.csv` (the",
        "reference halved plus a ramp), `missing.csv` (three cells empty), `pieces.csv`",
        "(GPT-2 tokenizer pieces) and `outlier.csv` (`long_sequence.csv` with one cell at 5).",
        "",
    ]
    for heading, entries in sections:
        lines += [f"## {heading}", ""]
        for entry in entries:
            lines += [f"### {entry.title}", "", entry.text, "", f"```{entry.language}"]
            lines += [entry.command, "```", ""]
            figures = entry.figures()
            size = "" if len(figures) == 1 else '{ width="45%" }'
            lines += [f"![{entry.title.strip('`')}]({name}){size}" for name in figures]
            lines.append("")
    return "\n".join(lines)


def build(out: Path) -> list[Path]:
    """Write the gallery page and every picture under ``out``; return the files written."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    for name in ("examples", "configs", "tests/data"):
        target = out / name
        if not target.exists():
            shutil.copytree(ROOT / name, target)
    write_inputs(out)
    entries = [entry for _, section in GALLERY for entry in section]
    with working_folder(out):
        for entry in entries:
            if entry.language == "bash":
                run(entry.command)
            else:
                exec(compile(entry.command, entry.title, "exec"), {"__name__": "__gallery__"})
    (out / "gallery.md").write_text(page(GALLERY), encoding="utf-8")
    written = [out / "gallery.md"]
    written += [out / name for entry in entries for name in entry.figures()]
    missing = [path for path in written if not path.is_file()]
    if missing:
        raise RuntimeError(f"the gallery did not write {', '.join(map(str, missing))}")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/gallery.py OUT_DIR")
    for path in build(Path(sys.argv[1]).resolve()):
        print(path)
