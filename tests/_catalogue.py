"""Shared parts of the bad-input catalogues (test_bad_inputs*.py): the case registry, the checks
of error type and message words, small regions and tables, and the command-line runner."""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import spatialcluster as sc
from spatialcluster.cli import app

class Catalogue(dict):
    """Cases by ``stage:name``; ``@catalogue.case("stage")`` registers a function of ``tmp_path``."""

    def case(self, stage: str):
        def deco(func):
            self[f"{stage}:{func.__name__}"] = func
            return func

        return deco


@contextlib.contextmanager
def raises(kind, *words):
    """The error is of ``kind`` (the package's own type) and its message names every word."""
    with pytest.raises(kind) as info:
        yield info
    assert isinstance(info.value, sc.SpatialClusterError), f"not the package's own error: {type(info.value)}"
    _has_words(str(info.value), words)


@contextlib.contextmanager
def warns(*words, kind=sc.SpatialClusterWarning):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    texts = [str(w.message) for w in caught if issubclass(w.category, kind)]
    assert texts, f"no {kind.__name__} was issued"
    _has_words(" | ".join(texts), words)


def _has_words(message: str, words):
    low = message.lower()
    missing = [w for w in words if w.lower() not in low]
    assert not missing, f"message lacks {missing}: {message}"


# --------------------------------------------------------------------------- small inputs
CODES = ["110000", "120000", "130000", "140000", "150000", "210000"]  # 北京 天津 河北 山西 内蒙古 辽宁
NAMES = ["北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省"]


def grid(ids=CODES, ncols=3, crs="EPSG:3857", size=100_000.0) -> gpd.GeoDataFrame:
    """Unit squares in rows of ``ncols`` (queen/rook neighbours known by construction)."""
    geoms = [box((i % ncols) * size, (i // ncols) * size, (i % ncols + 1) * size, (i // ncols + 1) * size)
             for i in range(len(ids))]
    return gpd.GeoDataFrame({"name_zh": NAMES[: len(ids)]}, geometry=geoms, crs=crs,
                            index=pd.Index(list(ids), name="adcode"))


def lonlat_grid(ids=CODES) -> gpd.GeoDataFrame:
    return grid(ids, crs="EPSG:4326", size=1.0).set_geometry(
        grid(ids, crs="EPSG:4326", size=1.0).geometry.translate(110, 30))


def values(ids=CODES, seed=1) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).normal(size=len(ids)), index=pd.Index(list(ids), name="adcode"))


def write_regions(tmp_path, gdf, name="regions.gpkg", **kw) -> Path:
    path = tmp_path / name
    gdf.reset_index().to_file(path, engine="pyogrio", **kw)
    return path


def write_csv(tmp_path, text: str, name="table.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


runner = CliRunner()


def cli(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result, result.output + (result.stderr if result.stderr_bytes is not None else "")


def cli_fails(args, *words):
    """Exit status 1, one message with the words, no traceback."""
    result, text = cli(*args)
    assert result.exit_code == 1, (result.exit_code, text, result.exception)
    assert "Traceback" not in text and "error:" in text, text
    _has_words(text, words)
    return text


def one_clear_line(result, words: str, code: int) -> None:
    """A refused command-line call names ``words``; a usage error of ours (exit 1) is one ``error:`` line."""
    assert words in result.stderr or words in result.output
    if code == 1:
        assert result.stderr.startswith("error:") and len(result.stderr.strip().splitlines()) == 1
