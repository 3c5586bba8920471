"""What a batch run is about and what it reports: its options, the items it plans,
each figure's outcome, the summary line, and warnings summed up per kind."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AttrmapError, FigureWarning
from ..formats import DEFAULT_INPUT, InputOptions
from ..interrupts import Interrupted
from ..style import Config


class Status(enum.Enum):
    RENDERED = "rendered"
    CURRENT = "up to date"
    FAILED = "failed"
    MISSING = "missing"  # --check: no figure yet
    STALE = "out of date"  # --check: figure made from other bytes, style or versions
    ORPHAN = "orphan"  # --check: a figure of attrmap's whose input is gone
    PRUNED = "pruned"  # --prune: such a figure, deleted


@dataclass(frozen=True)
class BatchItem:
    source: Path  # the input file, IN_DIR / relative
    output: Path  # the figure, OUT_DIR / relative with the figure's extension
    relative: str  # the input's path below IN_DIR, with "/" separators
    # Figures of other inputs named like this one's numbered figures (``a-0.png`` from
    # ``a-0.csv`` beside ``a.json``): a clash only if this input holds several matrices.
    numbered_clashes: tuple[str, ...] = ()

    @property
    def orphan(self) -> bool:
        """A figure without an input (found by --check or --prune) is its own source."""
        return self.source == self.output


@dataclass(frozen=True)
class Outcome:
    item: BatchItem
    status: Status
    error: AttrmapError | None = None
    key: str | None = None  # the figure's key, once the input could be read
    warnings: tuple[FigureWarning, ...] = ()  # what drawing it warned about


@dataclass
class Summary:
    check: bool = False  # a --check run: counts missing and stale, renders nothing
    prune: bool = False  # a --prune run: deletes orphans
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    seconds: float = 0.0
    interrupted_by: int | None = None  # the signal number, if a signal stopped the batch
    warnings: list[FigureWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        bad = (Status.FAILED, Status.MISSING, Status.STALE, Status.ORPHAN)
        return self.interrupted_by is None and not any(self.counts[s] for s in bad)

    def line(self) -> str:
        c = self.counts
        if self.check:
            parts = [
                f"{c[Status.CURRENT]} up to date",
                f"{c[Status.MISSING]} missing",
                f"{c[Status.STALE]} out of date",
                f"{c[Status.FAILED]} failed",
                f"{c[Status.ORPHAN]} orphans",
            ]
        else:
            parts = [
                f"{c[Status.RENDERED]} rendered",
                f"{c[Status.CURRENT]} up to date",
                f"{c[Status.FAILED]} failed",
            ]
            if self.prune:
                parts.append(f"{c[Status.PRUNED]} pruned")
        stopped = " (interrupted)" if self.interrupted_by is not None else ""
        return f"{', '.join(parts)} in {self.seconds:.1f} s{stopped}"

    def as_json(self) -> dict[str, object]:
        return {
            **{status.value: count for status, count in self.counts.items()},
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted_by is not None,
            "ok": self.ok,
        }


class BatchInterrupted(Interrupted):
    """SIGINT or SIGTERM stopped the batch; ``summary`` says what was done."""

    def __init__(self, summary: Summary, signum: int) -> None:
        super().__init__(f"interrupted by signal {signum}", signum)
        self.summary = summary

    def done(self) -> str:
        return self.summary.line()


@dataclass(frozen=True)
class BatchOptions:
    config: Config = field(default_factory=Config)
    figure_format: str = "png"
    jobs: int = 0  # 0: one per core
    force: bool = False
    check: bool = False
    prune: bool = False  # delete orphans (see ``find_orphans``); --check only lists them
    fail_fast: bool = False
    shard: tuple[int, int] = (1, 1)
    input_options: InputOptions = DEFAULT_INPUT


class BatchWarning(UserWarning):
    """One line summing up one kind of FigureWarning over a whole batch."""


def summarize_warnings(found: list[FigureWarning], examples: int = 3) -> list[str]:
    """One line per kind of warning, not one per figure: the count, a few of the files
    concerned, and the advice. A kind raised by a single figure keeps its own line."""
    by_kind: dict[type[FigureWarning], list[FigureWarning]] = {}
    for warning in found:
        by_kind.setdefault(type(warning), []).append(warning)
    lines = []
    for kind, group in by_kind.items():
        if len(group) == 1:
            lines.append(str(group[0]))
            continue
        named = [f"{w.source} ({w.detail})" if w.detail else w.source for w in group]
        shown = ", ".join(named[:examples]) + (", ..." if len(named) > examples else "")
        advice = f"; {kind.advice}" if kind.advice else ""
        lines.append(f"{len(group)} figures {kind.summary}: {shown}{advice}")
    return lines
