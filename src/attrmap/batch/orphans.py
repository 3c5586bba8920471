"""Figures whose input is gone: found by ``--check``, deleted by ``--prune``."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from ..errors import AttrmapError, OutputError
from ..formats import input_stem
from ..provenance import read_figure_key
from ..writers import figure_suffixes
from .planning import discover, in_shard
from .records import BatchItem, BatchOptions, Outcome, Status

_NUMBER_SUFFIX_RE = re.compile(r"-\d+$")


def claimed_by_an_input(stem: str, input_stems: set[str]) -> bool:
    """``a``, ``a-0``, ``a-1-2`` are claimed by an input whose figure is ``a``: numbered
    figures (several matrices in one input, several pages) keep their input's name."""
    while True:
        if stem in input_stems:
            return True
        shorter = _NUMBER_SUFFIX_RE.sub("", stem)
        if shorter == stem:
            return False
        stem = shorter


def find_orphans(in_dir: Path, out_dir: Path, options: BatchOptions) -> list[Path]:
    """Figures in ``out_dir`` made by attrmap (they carry its key) whose input is gone.

    A figure is claimed by an input when its path below ``out_dir``, extension aside and
    numbered suffixes (``-0``, ``-1``) aside, is that input's figure path: so a figure
    in another format, or numbered, is never an orphan while its input exists. A file
    without attrmap's key is never an orphan, nor anything hidden, symlinked, or outside
    ``out_dir``. With ``--shard K/N`` each shard finds only the orphans whose figure path
    hashes into it, so the shards of one run share the work without overlap. Reads no
    figure fully and never imports matplotlib.
    """
    if not out_dir.is_dir():
        return []
    # Plain strings, not Paths, in these loops: they run once per input and per figure,
    # and under cProfile their Path operations were a tenth of a 10,000-input check.
    input_stems = set()
    for relative in discover(in_dir, out_dir):
        folder, name = posixpath.split(relative)
        input_stems.add(posixpath.join(folder, input_stem(name)))
    suffixes = figure_suffixes()
    orphans: list[Path] = []
    top = os.fspath(out_dir)
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        folder = os.path.relpath(root, top).replace(os.sep, "/")
        folder = "" if folder == "." else folder
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(suffixes):
                continue
            relative = posixpath.join(folder, name)
            if (
                not claimed_by_an_input(posixpath.splitext(relative)[0], input_stems)
                and in_shard(relative, options.shard)
                and removable_figure(Path(root) / name, out_dir)
            ):
                orphans.append(Path(root) / name)
    return orphans


def removable_figure(path: Path, out_dir: Path) -> bool:
    """A regular file of attrmap's (its key inside), really inside ``out_dir``."""
    return (
        not path.is_symlink()
        and path.is_file()
        and path.resolve().is_relative_to(out_dir.resolve())
        and read_figure_key(path) is not None
    )


def prune(orphan: Path, out_dir: Path) -> AttrmapError | None:
    """Delete one orphan (checked again just before), then any folders it leaves empty."""
    if not removable_figure(orphan, out_dir):
        return OutputError(f"{orphan}: changed since it was found; not deleted")
    try:
        orphan.unlink()
    except OSError as error:
        return OutputError(f"{orphan}: cannot delete: {error.strerror or error}")
    folder, top = orphan.parent, out_dir.resolve()
    while folder.resolve() != top and folder.resolve().is_relative_to(top):
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            break
        folder = folder.parent
    return None


def orphan_outcomes(in_dir: Path, out_dir: Path, options: BatchOptions) -> list[Outcome]:
    outcomes = []
    for orphan in find_orphans(in_dir, out_dir, options):
        item = BatchItem(orphan, orphan, orphan.relative_to(out_dir).as_posix())
        if options.check:
            outcomes.append(Outcome(item, Status.ORPHAN, key=read_figure_key(orphan)))
        else:
            error = prune(orphan, out_dir)
            outcomes.append(Outcome(item, Status.FAILED if error else Status.PRUNED, error))
    return outcomes
