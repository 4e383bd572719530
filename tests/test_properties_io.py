"""Property-based tests: readers and join either give a consistent result or the package's own error."""

from __future__ import annotations

import csv
import math
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import spatialcluster as sc
from _io_data import regions_frame
from spatialcluster.io import PROVINCES, normalize_region_key, region_key

# SC_HYPOTHESIS_EXAMPLES raises the number of examples for a longer local search
SETTINGS = settings(max_examples=int(os.environ.get("SC_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

keys_any = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-10**7, 10**7), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([name for row in PROVINCES for name in row[1:4]]),
)


@SETTINGS
@given(keys_any)
def test_normalize_never_raises_and_is_idempotent(value):
    code = normalize_region_key(value)
    assert code is None or (len(code) == 6 and code.isdigit())
    if code is not None:
        assert normalize_region_key(code) == code


number_text = st.one_of(
    st.integers(-10**9, 10**9).map(lambda v: f"{v:,}"),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.3f}"),
    st.integers(0, 100).map(lambda v: f"{v}%"),
    st.integers(0, 10**4).map(lambda v: f"{v}万人"),
)
cell = st.one_of(number_text, st.sampled_from(["—", "…", "...", "-", ""]), st.text(max_size=8))


@st.composite
def grids(draw):
    width = draw(st.integers(1, 4))
    header = draw(st.lists(st.text(min_size=1, max_size=6).filter(str.strip), min_size=width, max_size=width))
    body = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=6))
    return header, body


def _write(rows, encoding) -> Path:
    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding=encoding, newline="")
    with handle:
        csv.writer(handle).writerows(rows)
    return Path(handle.name)


@SETTINGS
@given(grids(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_read_table_consistent_or_own_error(grid, encoding):
    header, body = grid
    path = _write([header, *body], encoding)
    try:
        table = sc.read_table(path, sep=",")
    except sc.SpatialClusterError:
        return
    finally:
        path.unlink()
    kept = [r for r in body if any(c.strip() for c in r)]
    assert len(table) == len(kept)  # no row lost or invented
    for column in table.columns:
        series = table[column]
        assert series.dtype.kind in "if" or all(v is None or isinstance(v, str) or v != v for v in series)


@SETTINGS
@given(grids())
def test_read_table_sniffing_never_raises_foreign_errors(grid):
    path = _write([grid[0], *grid[1]], "utf-8")
    try:
        sc.read_table(path)
    except sc.SpatialClusterError:
        pass
    finally:
        path.unlink()


FORMS = [
    lambda row: row[0], lambda row: int(row[0]), lambda row: float(row[0]), lambda row: row[0][:2],
    lambda row: row[1], lambda row: row[2], lambda row: row[3], lambda row: row[3].upper(),
]


@st.composite
def join_cases(draw):
    provinces = draw(st.lists(st.sampled_from(PROVINCES), unique_by=lambda r: r[0], max_size=8))
    others = draw(st.lists(st.text(min_size=1, max_size=6).filter(str.strip), unique_by=region_key, max_size=4))
    others = [o.strip() for o in others if region_key(o) not in {p[0] for p in provinces}]
    ids = [p[0] for p in provinces] + others
    assume(ids and len(set(map(region_key, ids))) == len(ids))
    in_table = draw(st.lists(st.booleans(), min_size=len(ids), max_size=len(ids)))
    rows = []
    for (i, key), keep in zip(enumerate(ids), in_table):
        if keep:
            form = FORMS[draw(st.integers(0, len(FORMS) - 1))] if i < len(provinces) else (lambda r: r)
            rows.append((form(provinces[i] if i < len(provinces) else key), key, float(i)))
    extra = draw(st.lists(st.text(min_size=1, max_size=6), max_size=2))
    extra = [e for e in extra if region_key(e) not in set(map(region_key, ids))]
    rows += [(e, None, -1.0) for e in extra]
    rows = draw(st.permutations(rows))
    return ids, rows, draw(st.sampled_from(["strict", "left", "inner"]))


@SETTINGS
@given(join_cases())
def test_join_loses_no_region_silently(case):
    ids, rows, how = case
    regions = regions_frame({"id": ids}).set_index("id")
    table = pd.DataFrame({"key": pd.Series([r[0] for r in rows], dtype=object), "v": [r[2] for r in rows]})
    truth = {target: value for _, target, value in rows if target is not None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = sc.join(regions, table, on="key", how=how)
        except sc.JoinError:
            assert how == "strict" and (len(truth) < len(ids) or len(rows) > len(truth))
            return
        except sc.SpatialClusterError:
            # blank keys, and duplicates after normalisation, are refused, never merged silently
            keys = table["key"].map(region_key)
            assert keys.isna().any() or keys.duplicated().any()
            return
    left_out = len(truth) < len(ids) or len(rows) > len(truth)
    assert any(issubclass(w.category, sc.SpatialClusterWarning) for w in caught) == left_out
    expected = ids if how != "inner" else [i for i in ids if i in truth]
    assert data.index.tolist() == expected
    assert data.crs.equals(regions.crs)
    for region, value in zip(data.index, data["v"]):
        assert (value == truth[region]) if region in truth else math.isnan(value)


def test_join_empty_table_is_an_error_naming_all_regions():
    regions = regions_frame({"id": ["110000", "120000"]}).set_index("id")
    with pytest.raises(sc.JoinError) as err:
        sc.join(regions, pd.DataFrame({"key": pd.Series([], dtype=object), "v": np.array([])}), on="key")
    assert err.value.unmatched_regions == ["110000", "120000"]


region_ids = st.one_of(
    st.integers(0, 999999), st.integers(0, 999999).map(float), st.text(max_size=6), st.none(),
    st.sampled_from([row[0] for row in PROVINCES]),
)


@SETTINGS
@given(st.lists(region_ids, min_size=1, max_size=6))
def test_read_regions_unique_string_ids_or_own_error(ids):
    codes = pd.Series(ids)  # numeric ids are written as a numeric field, anything mixed as text
    frame = regions_frame({"code": codes, "v": np.arange(len(ids))})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.geojson"
        frame.to_file(path)
        try:
            regions = sc.read_regions(path)
        except sc.SpatialClusterError:
            return
    assert len(regions) == len(ids) and regions["v"].tolist() == list(range(len(ids)))
    assert regions.index.is_unique and all(isinstance(i, str) and i for i in regions.index)
    if codes.dtype.kind in "if":
        assert regions.index.tolist() == [str(int(i)) for i in ids]  # never "320000.0"
