"""Every command and Python example in the documentation runs, as shown.

The fenced ``bash``, ``console`` and ``python`` blocks of ``docs/**/*.md`` and README.md are
run in a fresh folder per page that holds the files the examples name (the table in
docs/getting-started.md, "The files the examples use"). A ``bash`` block must exit 0; a
``console`` block's ``$ command`` lines must print what the page shows (a line ``...``
stands for any lines, ``...`` inside a line for any text; the folder's path reads
``/home/me``); a page's ``python`` blocks share one namespace, in order. A block is left
out only with a reason in a comment just above it, ``<!-- not run: why -->``, or as a
``<!-- recipe: NAME -->`` that tests/test_recipes.py runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import inseq_files
from attrmap import AttributionMatrix, load_matrix, save_matrix
from conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
RUNNABLE = {"bash", "console", "python"}
BLOCK = re.compile(
    r"(?:^<!-- (?P<marker>[^\n]*?) -->\n)?^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
HOME = "/home/me"


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str
    marker: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, m.start("body")), m["lang"], m["body"], m["marker"] or "")
        for m in BLOCK.finditer(text)
    ]


def runnable(page: Path) -> list[Block]:
    return [
        block
        for block in blocks(page)
        if block.lang in RUNNABLE and not block.marker.startswith(("not run:", "recipe:"))
    ]


# --------------------------------------------------------------------------- the folder


def _variant(matrix: AttributionMatrix, seed: int) -> AttributionMatrix:
    rng = np.random.default_rng(seed)
    values = np.round(matrix.values * 0.5 + rng.uniform(-0.2, 0.2, matrix.shape), 4)
    return AttributionMatrix(matrix.tokens, matrix.expressions, values)


def _grid(rows: int, columns: int, seed: int) -> AttributionMatrix:
    rng = np.random.default_rng(seed)
    tokens = [f"t{i}" for i in range(rows)]
    expressions = [f"e{j}" for j in range(columns)]
    return AttributionMatrix(tokens, expressions, np.round(rng.uniform(-1, 1, (rows, columns)), 4))


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """The files the examples name; see docs/getting-started.md."""
    folder = tmp_path_factory.mktemp("docs") / "me"
    folder.mkdir()
    (folder / ".git").mkdir()  # a project root: the pyproject search stops here
    for name in ("examples", "configs"):
        shutil.copytree(ROOT / name, folder / name)
    for name in ("small_values.csv", "long_sequence.csv"):
        shutil.copy(ROOT / "tests" / "data" / name, folder / name)
    reference = load_matrix(ROOT / "examples" / "token_attribution.csv")
    for name in ("data.csv", "data.yaml", "a.csv", "b.csv", "c.yaml", "scores.csv"):
        save_matrix(reference, folder / name)
    for name in ("ig.csv", "layer6.yaml"):
        save_matrix(reference, folder / name)
    for seed, name in enumerate(("saliency.csv", "shap.csv", "layer12.yaml")):
        save_matrix(_variant(reference, seed), folder / name)
    holes = reference.values.copy()
    holes[[1, 4, 9], [2, 0, 4]] = np.nan
    save_matrix(
        AttributionMatrix(reference.tokens, reference.expressions, holes, allow_missing=True),
        folder / "raw.csv",
    )
    for tree in ("figures/data", "data"):
        for i, name in enumerate(("intro.csv", "method/ig.yaml", "method/saliency.csv")):
            path = folder / tree / name
            path.parent.mkdir(parents=True, exist_ok=True)
            save_matrix(_variant(reference, 10 + i), path)
    runs = folder / "runs"
    runs.mkdir()
    names = [chr(ord("a") + i) for i in range(26)] + ["za", "zb"]
    for i, name in enumerate(names):  # a.csv ... z.csv, za.csv, zb.csv
        save_matrix(_grid(20, 8, i), runs / f"{name}.csv")
    save_matrix(_grid(6, 4, 100), runs / "small.yaml")
    save_matrix(_grid(9, 3, 101), runs / "wide.yaml")
    sequences = [inseq_files.encoder_decoder(seed) for seed in range(3)]
    inseq_files.write(folder / "out.json", inseq_files.output(sequences, ["Hello world"] * 3))
    gpt2 = inseq_files.output([inseq_files.decoder_only(0, trailing=(8,))])
    inseq_files.write(folder / "gpt2_0.json.gz", gpt2, compress=True)
    paper = folder / "paper"
    (paper / "figures").mkdir(parents=True)
    (paper / "pyproject.toml").write_text(
        '[project]\nname = "paper"\n\n[tool.attrmap]\ncmap = "RdBu"\ntokens = "clean"\n'
        'shape = "any"\n'
    )
    bin_dir = tmp_path_factory.mktemp("bin")
    (bin_dir / "attrmap").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m attrmap "$@"\n')
    (bin_dir / "attrmap").chmod(0o755)
    return folder


@pytest.fixture
def folder(template: Path, tmp_path: Path) -> Path:
    work = tmp_path / "me"
    shutil.copytree(template, work, symlinks=True)
    return work


def environment(template: Path) -> dict[str, str]:
    bin_dir = next(template.parent.parent.glob("bin*"))
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR", "CI"}}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
        PYTHONPATH=str(ROOT / "src"),
        MPLBACKEND="Agg",
        COLUMNS="80",
        TERM="dumb",
    )
    env.pop("GITHUB_ACTIONS", None)
    return env


# --------------------------------------------------------------------------- running


def simple(line: str) -> list[str] | None:
    """The words of an ``attrmap ...`` line that needs no shell (no pipe, redirection,
    glob or variable), else None."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        words = list(lexer)
    except ValueError:
        return None
    if not words or words[0] != "attrmap":
        return None
    if any(set(word) & set("();<>|&*?$`~") for word in words):
        return None
    return words


def run_attrmap(words: list[str], cwd: Path) -> tuple[int, str]:
    """``attrmap WORDS`` through its console entry point, in this process (what a shell
    would run, without the second of interpreter start-up per command)."""
    from attrmap.cli import main

    said = io.StringIO()
    argv, here = sys.argv, Path.cwd()
    sys.argv = words
    os.chdir(cwd)
    code: int | str | None = 0
    try:
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            main()
    except SystemExit as stop:
        code = stop.code
    finally:
        sys.argv = argv
        os.chdir(here)
    return (code if isinstance(code, int) else 1 if code else 0), said.getvalue()


def run_bash(block: Block, cwd: Path, env: dict[str, str]) -> None:
    """Line by line (every block here is one command a line): ``attrmap`` lines in
    process, anything else in bash; each must exit 0."""
    for line in block.body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = simple(line)
        if words:
            code, said = run_attrmap(words, cwd)
        else:
            run = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", line],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            code, said = run.returncode, run.stdout + run.stderr
        assert code == 0, f"{block.where}: `{line}` exited with {code}\n{said}"


def matches(expected: list[str], actual: list[str]) -> bool:
    """Every expected line is printed (``...`` inside a line: any text); with no ``...``
    line, nothing else is."""
    patterns = [
        re.compile(".*?".join(map(re.escape, line.split("..."))) + r"\Z")
        for line in expected
        if line.strip() != "..."
    ]
    left = list(actual)
    for pattern in patterns:
        found = next((line for line in left if pattern.match(line)), None)
        if found is None:
            return False
        left.remove(found)
    return "..." in [line.strip() for line in expected] or not left


def run_console(block: Block, cwd: Path, env: dict[str, str]) -> None:
    commands: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            assert commands, f"{block.where}: output before any '$ ' command"
            commands[-1][1].append(line.rstrip())
    here = cwd
    for command, expected in commands:
        if command.startswith("cd "):
            here = (here / command[3:].strip()).resolve()
            continue
        words = simple(command)
        if words:
            said = run_attrmap(words, here)[1]
        else:
            run = subprocess.run(
                ["bash", "-c", command],
                cwd=here,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            said = run.stdout + run.stderr
        said = said.replace(str(cwd), HOME)
        actual = [line.rstrip() for line in said.splitlines()]
        assert matches(expected, actual), (
            f"{block.where}: `{command}` printed\n{said}\nbut the page shows\n"
            + "\n".join(expected)
        )


@pytest.mark.parametrize(
    "page", [p for p in PAGES if runnable(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_example_on_the_page_runs(page: Path, folder: Path, template: Path, monkeypatch):
    env = environment(template)
    for name in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("COLUMNS", "TERM"):
        monkeypatch.setenv(name, env[name])
    namespace: dict[str, object] = {"__name__": "__docs__"}
    monkeypatch.chdir(folder)
    for block in runnable(page):
        if block.lang == "bash":
            run_bash(block, folder, env)
        elif block.lang == "console":
            run_console(block, folder, env)
        else:
            code = compile("\n" * (block.line) + block.body, str(block.page), "exec")
            exec(code, namespace)


def test_blocks_left_out_say_why():
    for page in PAGES:
        for block in blocks(page):
            if block.lang in RUNNABLE and block.marker.startswith("not run:"):
                assert block.marker.removeprefix("not run:").strip(), block.where


def test_console_output_matching():
    assert matches(["a", "b ... c"], ["a", "b x y c"])
    assert not matches(["a"], ["a", "extra"])
    assert matches(["a", "..."], ["a", "extra"])
    assert not matches(["a", "b"], ["a"])


SETUP = (
    'python -m pip install -e ".[test]" && attrmap render examples/token_attribution.csv'
    " -o token_attribution.png",
    "python -m pytest",
)


def test_readme_holds_the_two_setup_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = re.search(r"## Set-up \(two commands\)\n.*?```bash\n(.*?)\n```", readme, re.DOTALL)
    assert block and block[1].splitlines() == list(SETUP)
    quiet = SETUP[0].replace("pip install -e", "pip install -q -e")  # .ci/run's one change
    assert f"\n{quiet}\n" in ci and f"\n{SETUP[1]}\n" in ci


def test_readme_is_a_landing_page():
    """What it is, a picture, the set-up, one command per use, links: the manual is docs/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert readme.count("![") == 1


def test_readme_links_point_at_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    assert targets
    missing = [t for t in targets if "://" not in t and not (ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"
