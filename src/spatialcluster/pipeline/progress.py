"""Progress of a run: one plain line per step on stderr, timings and notes for the manifest."""

from __future__ import annotations

import time
import warnings
from contextlib import contextmanager

from .. import _progress
from .._errors import SpatialClusterWarning


class Progress:
    """One plain line per step on stderr (readable in a log file); timings for the manifest.

    Long work inside a step (permutations, ML fits) draws its own bar through
    :func:`spatialcluster._progress.progress_bar`, which is on only in a terminal.
    """

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self.notes: list[dict] = []
        self._console = None
        if not quiet:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False, soft_wrap=True)

    def info(self, text: str) -> None:
        if self._console is not None:
            self._console.print("  " + text.rstrip("\n").replace("\n", "\n  "), markup=False)

    @contextmanager
    def step(self, name: str, total: int | None = None):
        """Time a step and yield ``advance()``; with ``total`` items, a progress bar in a terminal.

        The step's warnings become notes (kept for the manifest and report, printed unless quiet).
        """
        if self._console is not None:
            self._console.print(f"[bold]>[/bold] {name} ...")
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if total:
                with _progress.progress_bar(name, total, progress=False if self.quiet else None) as advance:
                    yield advance
            else:
                yield lambda n=1: None
        for w in caught:
            own = issubclass(w.category, SpatialClusterWarning)
            if own:
                self.notes.append({"step": name, "message": str(w.message)})
            if self._console is not None and (own or not issubclass(w.category, DeprecationWarning)):
                self._console.print(f"  {'note' if own else 'warning'}: {w.message}", markup=False)
        dt = time.perf_counter() - t0
        self.timings[name] = self.timings.get(name, 0.0) + round(dt, 4)
        if self._console is not None:
            self._console.print(f"  done: {name} ({dt:.1f} s)", markup=False)
