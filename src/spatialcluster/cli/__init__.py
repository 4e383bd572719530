"""The ``spatialcluster`` command.

``run CONFIG --out DIR`` and ``demo --out DIR`` run the TOML pipeline; ``init`` writes a starter
config. The one-off analyses read a regions file and a table: ``moran``, ``lisa``, ``hotspots``,
``regress``, ``panel``, ``gwr``, the indicators (``geodetector``, ``agglomeration``, ``composite``,
``ellipse``, ``join-counts``, ``regionalize``) and ``dynamics ...`` (``panel`` and ``dynamics``: a
long region-by-period table). Exit status: 0 on success, 1 on bad input (one message naming the
file, row or key and the fix; ``--debug`` adds the traceback), 2 on command-line usage errors, 130
when interrupted.

One module per group of commands (``run``, ``stats``, ``models``, ``indicators``, ``dynamics``);
what they share (the option types, the error boundary, reading the regions and the table) is in
``_common``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import app

# importing a module registers its commands; the help lists them in this order
from . import run  # noqa: E402,F401  isort: skip
from . import stats  # noqa: E402,F401  isort: skip
from . import models  # noqa: E402,F401  isort: skip
from . import dynamics  # noqa: E402,F401  isort: skip
from . import indicators  # noqa: E402,F401  isort: skip

__all__ = ["app", "main"]


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False):
    if version:
        from .. import __version__

        typer.echo(f"spatialcluster {__version__}")
        raise typer.Exit(0)


def main():  # pragma: no cover - console entry point alias
    app()

