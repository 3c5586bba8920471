"""Matrices from what a notebook holds (attrmap.interop): pandas DataFrames (wide and long),
long rows, captum results, and the constructor an error names for anything else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import attrmap
from attrmap import AttributionMatrix, GridError


def test_from_frame_keeps_order_and_labels(reference):
    frame = pd.DataFrame(
        reference.values, index=list(reference.tokens), columns=list(reference.expressions)
    )
    assert AttributionMatrix.from_frame(frame) == reference
    numbered = pd.DataFrame([[1.0, None]], index=[7], columns=[0, "b"])
    matrix = AttributionMatrix.from_frame(numbered, title="T", allow_missing=True)
    assert matrix.tokens == ("7",) and matrix.expressions == ("0", "b") and matrix.title == "T"
    assert matrix.missing.tolist() == [[False, True]]
    with pytest.raises(GridError, match=r"allow-missing|finite"):
        AttributionMatrix.from_frame(numbered)
    with pytest.raises(GridError, match="numbers"):
        AttributionMatrix.from_frame(pd.DataFrame({"a": ["x"]}, index=["t"]))


def test_a_long_frame_goes_through_from_long(reference):
    wide = pd.DataFrame(
        reference.values, index=list(reference.tokens), columns=list(reference.expressions)
    )
    long = wide.reset_index(names="token").melt(
        id_vars="token", var_name="expression", value_name="value"
    )
    assert len(long) == 65
    assert AttributionMatrix.from_frame(long) == reference
    assert AttributionMatrix.from_long(long) == reference
    assert AttributionMatrix.from_long(long.to_dict("records")) == reference
    renamed = long.rename(columns={"token": "tok", "expression": "expr", "value": "score"})
    assert (
        AttributionMatrix.from_long(renamed, token="tok", expression="expr", value="score")
        == reference
    )


def test_from_long_with_positions_any_order_and_its_errors():
    rows = [
        {"t": "b", "e": "y", "v": 4, "p": 1},
        {"t": "a", "e": "x", "v": 1, "p": 0},
        {"t": "b", "e": "x", "v": "\u22122", "p": 1},
        {"t": "a", "e": "y", "v": 3.5, "p": 0},
    ]
    matrix = AttributionMatrix.from_long(rows, "t", "e", "v", position="p")
    assert matrix.tokens == ("a", "b") and matrix.expressions == ("y", "x")
    assert matrix.values.tolist() == [[3.5, 1.0], [4.0, -2.0]]
    with pytest.raises(GridError, match="second value for position 0"):
        AttributionMatrix.from_long([*rows, rows[1]], "t", "e", "v", position="p")
    with pytest.raises(GridError, match="no value for expression 'x' at position 1"):
        AttributionMatrix.from_long(rows[:2] + rows[3:], "t", "e", "v", position="p")
    holey = AttributionMatrix.from_long(
        rows[:2] + rows[3:], "t", "e", "v", position="p", allow_missing=True
    )
    assert np.isnan(holey.values[1, 1])
    with pytest.raises(GridError, match="row 1 has no 'token'"):
        AttributionMatrix.from_long([{"tok": "a"}])
    with pytest.raises(GridError, match="'oops' is not a number"):
        AttributionMatrix.from_long([{"token": "a", "expression": "x", "value": "oops"}])


class FakeLLMAttributionResult:
    """captum's LLMAttributionResult, by its attribute names only (no captum here)."""

    def __init__(self, token_attr) -> None:
        self.input_tokens = ["The", " cat", " sat"]
        self.output_tokens = [" on", " mats"]
        self.seq_attr = np.ones(3)
        self.token_attr = token_attr


class FakeTensor:
    """Enough of a torch tensor: detach().cpu().numpy()."""

    def __init__(self, array) -> None:
        self.array = np.asarray(array)

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.array


@pytest.mark.parametrize("wrap", [np.asarray, FakeTensor, lambda a: a.tolist()])
def test_from_captum_transposes_outputs_by_inputs(wrap):
    token_attr = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])  # 2 outputs x 3 inputs
    matrix = AttributionMatrix.from_captum(FakeLLMAttributionResult(wrap(token_attr)))
    assert matrix.tokens == ("The", " cat", " sat")
    assert matrix.expressions == (" on", " mats")
    assert matrix.values.tolist() == token_attr.T.tolist()
    with pytest.raises(GridError, match="token_attr is None"):
        AttributionMatrix.from_captum(FakeLLMAttributionResult(None))
    with pytest.raises(TypeError, match="needs a captum LLMAttributionResult"):
        AttributionMatrix.from_captum(object())


@pytest.mark.parametrize(
    ("thing", "constructor"),
    [
        (pd.DataFrame({"a": [1.0]}, index=["t"]), r"AttributionMatrix\.from_frame\(df\)"),
        (FakeLLMAttributionResult(np.zeros((2, 3))), r"AttributionMatrix\.from_captum\(result\)"),
        (np.zeros((2, 2)), r"AttributionMatrix\(tokens, expressions, values\)"),
        ("data.csv", r"attrmap\.load_matrix\(path\)"),
        (Path("data.csv"), r"attrmap\.load_matrix\(path\)"),
        ([{"token": "t", "expression": "e", "value": 1}], r"AttributionMatrix\.from_long\(rows\)"),
    ],
)
def test_render_of_anything_else_names_the_constructor(thing, constructor):
    with pytest.raises(TypeError, match=constructor):
        attrmap.render(thing)


def test_the_api_imports_neither_pandas_nor_torch():
    import subprocess
    import sys

    code = (
        "import sys, attrmap, numpy as np\n"
        "m = attrmap.AttributionMatrix.from_long([{'token': 't', 'expression': 'e', 'value': 1}])\n"
        "assert m.values.tolist() == [[1.0]]\n"
        "print(sorted(k for k in ('pandas', 'torch', 'captum') if k in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
