"""TSV: the CSV formats (wide and long) with tabs between fields."""

from __future__ import annotations

from .base import Format
from .csv import Dialect, read_delimited, write_delimited

TAB = Dialect("\t", "TSV", "tabs")

FORMAT = Format(
    name="tsv",
    extensions=(".tsv",),
    read=lambda data, source, options: read_delimited(data, source, options, TAB),
    write=lambda matrix, options: write_delimited(matrix, options, TAB),
    writes_long=True,
    description="like CSV (wide or long), tab-separated",
)
