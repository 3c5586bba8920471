"""Shared fixtures: the reference figure's data, as the user gave it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner, Result

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CONFIGS = ROOT / "configs"

REFERENCE_EXPRESSIONS = ["8 x 48 = 384", "3 x 4 = 12", "6 - 4 = 2", "50(10x5)", "$35 ($85 - $50)"]
REFERENCE_TOKENS = ["-", "1", "6", ",", "0", "0", "0", "_x", "-", "0", ".", "8", "_="]


def require(what: str, available: bool) -> None:
    """Skip a test whose tool or extra is missing here, but fail in CI (CI=true), where
    everything it needs is installed and a skip would hide a failure."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is needed and CI=true: install it (see .ci/run)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture
def reference_csv() -> Path:
    return EXAMPLES / "token_attribution.csv"


@pytest.fixture
def reference_yaml() -> Path:
    return EXAMPLES / "token_attribution.yaml"


@pytest.fixture(scope="session")
def reference():
    """The reference figure's matrix, read from its CSV."""
    from attrmap import load_matrix

    return load_matrix(EXAMPLES / "token_attribution.csv")


@pytest.fixture
def write(tmp_path: Path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write


def _run_cli(
    *args: object, input: str | bytes | None = None, env: Mapping[str, str | None] | None = None
) -> Result:
    from attrmap.cli import cli

    result = CliRunner().invoke(cli, [str(arg) for arg in args], input=input, env=env)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., Result]:
    """``run_cli("render", path, "-o", out)``: attrmap's command line in this process
    (click's ``CliRunner``), arguments given as paths or numbers. A traceback, or any
    exception but the command's exit, fails the test: errors are one clear line."""
    return _run_cli
