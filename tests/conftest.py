"""Shared test fixtures.

Reference datasets live in ``../shared/data/reference`` beside the repository (never copied
into it). Tests that need them skip with a reason when it is absent, and fail under CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("SPATIALCLUSTER_PROGRESS", "0")

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    env = os.environ.get("SPATIALCLUSTER_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def need_shared(*parts: str) -> Path:
    """Path to a file under ../shared; skip (or fail under CI) when it is absent."""
    path = _shared_dir().joinpath(*parts)
    if not path.exists():
        msg = f"{path} is absent: the validation data in ../shared/data/reference are needed for this test"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return need_shared("data", "reference")


@pytest.fixture(scope="session")
def columbus_old():
    """Anselin's (1988) Columbus data (spdep COL.OLD) and his 232-link neighbour list (COL.nb)."""
    import json

    import pandas as pd

    ref = need_shared("data", "reference")
    df = pd.read_csv(ref / "COL_OLD.csv")
    with open(ref / "COL_nb.json") as fh:
        nb = json.load(fh)
    return df, nb
