"""What a run did, for machines: JSON reports, GitHub workflow annotations, shared hints.

The CLI prints human lines; this module turns the same outcomes and errors into forms
that CI systems read (``--report FILE.json``, ``::error file=...`` lines) and groups
repeated advice (see ``errors.Hint``). No printing happens here.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .atomic import atomic_write, open_regular
from .errors import AttrmapError, Hint, InputError, OutputError
from .labels import display_label

#: Bumped when a field changes meaning; new fields may appear without a bump.
REPORT_VERSION = 1


@dataclass(frozen=True)
class Record:
    """One input's fate in a run (render, validate or batch)."""

    input: str | None  # None for an orphan: a figure whose input is gone
    status: str  # rendered, up to date, out of date, missing, failed, orphan, pruned, valid
    figures: tuple[str, ...] = ()
    key: str | None = None
    error: AttrmapError | None = None

    def as_json(self, message: Callable[[str], str] = str) -> dict[str, Any]:
        """The record as JSON; ``message`` words the error (the CLI names its flags)."""
        error = None if self.error is None else error_fields(self.error, self.input)
        if error is not None:
            error["message"] = message(error["message"])
        return {
            "input": self.input,
            "status": self.status,
            "figures": list(self.figures),
            "key": self.key,
            "error": error,
        }


def error_fields(error: AttrmapError, fallback_file: str | None = None) -> dict[str, Any]:
    """Message and, where known, the file, line and column it points at."""
    if isinstance(error, InputError):
        where: dict[str, Any] = {"file": error.source, "line": error.line, "column": error.column}
    else:
        where = {"file": fallback_file, "line": None, "column": None}
    return {"message": str(error), "type": type(error).__name__, **where}


#: How every report written by ``RunReport.write`` begins.
_REPORT_HEAD = re.compile(rb'\{\s*"version": \d+,\s*"command": "')


@dataclass
class RunReport:
    """Records collected during one command, written at the end."""

    command: str
    records: list[Record] = field(default_factory=list)

    def add(self, record: Record) -> None:
        self.records.append(record)

    def write(
        self,
        path: str | os.PathLike[str],
        summary: Mapping[str, Any],
        message: Callable[[str], str] = str,
    ) -> None:
        """Write the report atomically: a CI step never reads half of one."""
        document = {
            "version": REPORT_VERSION,
            "command": self.command,
            "summary": dict(summary),
            "records": [record.as_json(message) for record in self.records],
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))

    @staticmethod
    def refuse_replacing(path: str | os.PathLike[str]) -> None:
        """A report replaces only an earlier report (or an empty file): ``--report
        one.csv two.csv`` names an input, not a report, and must not destroy it."""
        try:
            with open_regular(path) as handle:
                head = handle.read(256)
        except FileNotFoundError:
            return
        except OSError:  # unreadable, a folder, a FIFO: writing reports it
            return
        if head and not _REPORT_HEAD.match(head):
            raise OutputError(
                f"{path}: refusing to replace it with the report: it is not an attrmap report"
            )

    def counts(self) -> dict[str, int]:
        return dict(Counter(record.status for record in self.records))


class HintTally:
    """Counts errors by their hint, so the advice is given once per kind at the end."""

    def __init__(self) -> None:
        self._hints: dict[str, Hint] = {}
        self._counts: Counter[str] = Counter()

    def add(self, error: AttrmapError) -> bool:
        """Count ``error``; True if it has a hint (show it brief, the advice comes later)."""
        if error.hint is None:
            return False
        self._hints.setdefault(error.hint.key, error.hint)
        self._counts[error.hint.key] += 1
        return True

    def closing_lines(self) -> list[str]:
        return [hint.closing_line(self._counts[key]) for key, hint in self._hints.items()]


# --------------------------------------------------------------------------- GitHub


def github_escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: str) -> str:
    """A property value (``file=...``): also ``:`` and ``,``, which end a property."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(error: AttrmapError, fallback_file: str | None = None) -> str:
    """``::error file=F,line=L,col=C::message``: GitHub shows it on the file's line.
    Control characters in a file name are escaped (``display_label``) as well as GitHub's
    own separators: a name cannot end the command or start another."""
    fields = error_fields(error, fallback_file)
    properties = [
        f"{name}={github_escape_property(display_label(str(fields[key])))}"
        for name, key in (("file", "file"), ("line", "line"), ("col", "column"))
        if fields[key] is not None
    ]
    head = "::error " + ",".join(properties) if properties else "::error"
    return f"{head}::{github_escape_data(display_label(str(error)))}"


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"
