"""The pipeline commands: ``run CONFIG --out DIR``, ``demo`` and ``init``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._common import Debug, Out, Overwrite, Permutations, Quiet, _boundary, _config_keys, app


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="The analysis config (TOML).")],
    out: Out,
    overwrite: Overwrite = False,
    permutations: Permutations = None,
    quiet: Quiet = False,
    debug: Debug = False,
):
    """Run an analysis config: results.gpkg, maps/, tables/, report.html and manifest.json in --out."""
    from .. import pipeline

    with _boundary(debug, _config_keys) as console:
        cfg = pipeline.load_config(config, overrides=_overrides(permutations))
        result = pipeline.run(cfg, out, overwrite=overwrite, quiet=quiet)
        if not quiet:
            console.print(f"wrote {len(result.files)} files to {result.out}", markup=False)


@app.command()
def demo(
    out: Out = Path("outputs/demo"),
    overwrite: Overwrite = False,
    show_config: Annotated[bool, typer.Option("--show-config", help="Print the demo's config and exit.")] = False,
    permutations: Permutations = None,
    quiet: Quiet = False,
    debug: Debug = False,
):
    """Run the bundled China example (print its config with --show-config, copy and adapt it)."""
    from .. import pipeline

    if show_config:
        sys.stdout.write(pipeline.demo_config_path().read_text(encoding="utf-8"))
        return
    with _boundary(debug, _config_keys) as console:
        result = pipeline.run_demo(out, overwrite=overwrite, quiet=quiet, overrides=_overrides(permutations))
        if not quiet:
            console.print(f"wrote {len(result.files)} files to {result.out}", markup=False)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter config.")] = Path("analysis.toml"),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    debug: Debug = False,
):
    """Write a commented starter config to adapt to your own files."""
    from .. import pipeline
    from .._errors import InputError
    from ..pipeline.outdir import atomic_write_text

    with _boundary(debug) as console:
        if path.exists() and not force:
            raise InputError(f"{str(path)!r} already exists; pass --force to replace it or give another path")
        atomic_write_text(path, pipeline.starter_config_text())
        console.print(f"wrote {path}; edit [inputs] and run: spatialcluster run {path} --out results/", markup=False)


def _overrides(permutations):
    return {"statistics": {"permutations": permutations}} if permutations is not None else None

