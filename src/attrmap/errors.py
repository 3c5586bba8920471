"""Typed errors: every problem a user can cause is an ``AttrmapError``.

The CLI turns these into one-line messages and exit code 1; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Hint:
    """Advice shared by every error of one kind, so that many such errors can be shown
    each on its own short line followed by the advice once ("28 inputs are not 13x5: ...").

    Errors with equal ``key`` share the advice; ``one`` and ``many`` say what they have in
    common ("input is not 13x5", "inputs are not 13x5").
    """

    key: str
    one: str
    many: str
    advice: str

    def closing_line(self, count: int) -> str:
        return f"{count} {self.one if count == 1 else self.many}: {self.advice}"


class AttrmapError(ValueError):
    """Base class for every problem with an input, a style or an output.

    ``str(error)`` is the whole message, advice included; ``brief`` is the message without
    the advice of its ``hint`` (if any), for reports that give the advice once at the end.
    """

    hint: Hint | None = None

    def __str__(self) -> str:
        return f"{self.brief}; {self.hint.advice}" if self.hint else self.brief

    @property
    def brief(self) -> str:
        return super().__str__()

    def __reduce__(self) -> tuple[Any, ...]:
        # Cross a process boundary (pool or Dask workers) with every field intact,
        # whatever the subclass's __init__ takes.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[AttrmapError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


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
        hint: Hint | None = None,
    ) -> None:
        if hint is not None:
            self.hint = hint
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


class MismatchError(InputError):
    """Inputs that must line up (``compare``) do not: their tokens or expressions differ."""


class StyleError(AttrmapError):
    """A style option or config file is invalid."""


class OutputError(AttrmapError):
    """A figure or matrix cannot be written where asked."""


class BatchError(AttrmapError):
    """A whole batch cannot start: bad or empty folders, colliding outputs."""


class WorkerError(AttrmapError):
    """A figure could not be drawn because its worker died, or because of a bug."""


class UntrustedFileWarning(UserWarning):
    """A project file skipped because another user could have written it."""


class FigureWarning(UserWarning):
    """A figure was drawn, but a reader could misread it (or a choice was made for them).

    One line naming the file. ``batch`` gathers them into one summary line per kind:
    "N figures <summary> (a.csv, b.csv, ...); <advice>".
    """

    summary = "need attention"
    advice = ""

    def __init__(self, source: str, message: str, detail: str = "") -> None:
        self.source = source
        self.message = message
        self.detail = detail  # a short note shown beside the file in a summary line
        super().__init__(f"{source}: {message}")

    def __reduce__(self) -> tuple:  # batch workers send them back to the parent
        return (type(self), (self.source, self.message, self.detail))


class FaintRangeWarning(FigureWarning):
    summary = "use less than a tenth of the colour range, so they look flat"
    advice = 'try range="auto"'


class MissingGlyphsWarning(FigureWarning):
    summary = "have characters no font has, drawn as boxes"
    advice = (
        "install a font that has them, e.g. fonts-noto-core, or fonts-noto-cjk for Chinese, "
        "Japanese and Korean (Debian/Ubuntu)"
    )


class SaturationWarning(FigureWarning):
    summary = "have more than 5 % of their cells outside the colour range"
    advice = 'they take the end colours; try range="auto"'


class AnnotationsDroppedWarning(FigureWarning):
    summary = "are drawn without cell annotations: the numbers do not fit at 5 pt"
    advice = 'widen with width=... or cell_size=..., or pass annotate="never"'


class PagesSplitWarning(FigureWarning):
    summary = "were split into pages to stay within the page size limit"
    advice = "choose the split with rows_per_page=..."


class TallFigureWarning(FigureWarning):
    summary = "have pages taller than 30 in, hard to read on a screen or in print"
    advice = 'try layout="text", page="a4" or transpose=True'
