"""Shared fixtures of the GWR tests: libpysal's bundled Georgia data (GData_utm.csv), ids = AreaKey."""

from __future__ import annotations

import pandas as pd
import pytest
from libpysal import examples


@pytest.fixture(scope="module")
def georgia():
    df = pd.read_csv(examples.get_path("GData_utm.csv"))
    df.index = df["AreaKey"].astype(str)
    return df
