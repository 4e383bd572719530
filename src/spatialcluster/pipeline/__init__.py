"""The analysis pipeline: a TOML config -> every step -> a self-describing output folder.

>>> from spatialcluster import pipeline
>>> cfg = pipeline.load_config(pipeline.demo_config_path())      # doctest: +SKIP
>>> pipeline.run(cfg, "outputs/demo", overwrite=True)             # doctest: +SKIP

:func:`load_config` validates the whole file before anything runs (unknown keys, wrong types,
missing files, dangling names; each with its line and the closest valid name); :func:`run`
then checks that every variable exists in the joined data before computing anything.
"""

from __future__ import annotations

from pathlib import Path

from .config import BUNDLED_PREFIX, SCHEMA, Config, bundled_files, load_config, parse_config
from .derive import derive
from .manifest import software_versions
from .run import RunResult, run
from .settings import Settings
from .writer import markdown_table

_CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def demo_config_path() -> Path:
    """The bundled China demo config (``spatialcluster demo --show-config`` prints it)."""
    return _CONFIGS / "china_demo.toml"


def starter_config_text() -> str:
    """The commented starter config written by ``spatialcluster init``."""
    return (_CONFIGS / "starter.toml").read_text(encoding="utf-8")


def run_demo(out, *, overwrite: bool = False, quiet: bool = False, overrides: dict | None = None) -> RunResult:
    """Run the bundled China demo config into ``out`` (``overrides``: e.g. fewer permutations)."""
    return run(load_config(demo_config_path(), overrides=overrides), out, overwrite=overwrite, quiet=quiet)


__all__ = [
    "BUNDLED_PREFIX",
    "SCHEMA",
    "Settings",
    "Config",
    "RunResult",
    "bundled_files",
    "demo_config_path",
    "derive",
    "load_config",
    "markdown_table",
    "parse_config",
    "run",
    "run_demo",
    "software_versions",
    "starter_config_text",
]
