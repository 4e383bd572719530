"""Progress bars for long work: on in terminals, off in notebooks and logs unless asked."""

from __future__ import annotations

import contextlib
import os
import sys

_ENABLED: bool | None = None  # None: decide from the terminal


def set_progress(enabled: bool | None) -> None:
    """Force progress bars on (True), off (False), or back to automatic (None)."""
    global _ENABLED
    _ENABLED = enabled


def _auto() -> bool:
    if os.environ.get("SPATIALCLUSTER_PROGRESS") in {"0", "1"}:
        return os.environ["SPATIALCLUSTER_PROGRESS"] == "1"
    if "ipykernel" in sys.modules:
        return False
    return sys.stderr.isatty()


def enabled(progress: bool | None = None) -> bool:
    if progress is not None:
        return bool(progress)
    return _ENABLED if _ENABLED is not None else _auto()


@contextlib.contextmanager
def progress_bar(description: str, total: float | None, progress: bool | None = None):
    """Yield an ``advance(n)`` callable; draws a Rich bar on stderr when enabled."""
    if not enabled(progress):
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
