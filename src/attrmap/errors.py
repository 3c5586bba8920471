"""Typed errors: every problem a user can cause is an ``AttrmapError``.

The CLI turns these into one-line messages and exit code 1; anything else is a bug.
"""

from __future__ import annotations


class AttrmapError(ValueError):
    """Base class for every problem with an input, a style or an output."""


class InputError(AttrmapError):
    """An input file cannot be read or parsed.

    The message always starts with the file name and, where known, ``:line``
    (1-based) and the column or expression, so a CI log points straight at it.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {problem}")


class GridError(InputError):
    """The matrix is not a valid grid: ragged rows, label counts, non-finite values."""


class ShapeError(InputError):
    """The grid is valid but not of the expected shape."""


class LimitError(InputError):
    """The input exceeds a safety limit (size, line length, cells, YAML nodes)."""


class StyleError(AttrmapError):
    """A style option or config file is invalid."""


class OutputError(AttrmapError):
    """A figure or matrix cannot be written where asked."""


class BatchError(AttrmapError):
    """A whole batch cannot start: bad or empty folders, colliding outputs."""
