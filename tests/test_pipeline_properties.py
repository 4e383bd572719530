"""Property-based tests of config validation: any input gives a Config or a ConfigError, nothing else."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.pipeline.config import SCHEMA, Table

def _all_keys(spec, out):
    for name, sub in spec.keys.items():
        out.add(name)
        if isinstance(sub, Table):
            _all_keys(sub, out)
    return out


# keys near the schema's (real ones, typos of them, and noise) so that validation goes deep
KEYS = sorted(_all_keys(SCHEMA, set()))
key = st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS).map(lambda k: k[:-1] or "x"),
                st.text(string.ascii_lowercase + "_", min_size=1, max_size=8))
scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 2000), st.floats(allow_nan=True), st.text(max_size=12),
                   st.sampled_from(["queen", "knn", "sdm", "fdr", "china_provinces", "bundled:nothing.csv", "growth"]))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(key, inner, max_size=4)), max_leaves=12)
config = st.dictionaries(key, value, max_size=6)


def _no_none(v):
    """TOML has no null: drop None as a parsed file never contains it."""
    if isinstance(v, dict):
        return {k: _no_none(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_no_none(x) for x in v if x is not None]
    return v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config)
def test_any_structure_validates_or_raises_config_error(tmp_path_factory, data):
    try:
        cfg = pipeline.parse_config("", name="p.toml", base=tmp_path_factory.getbasetemp(), overrides=_no_none(data))
    except sc.ConfigError as exc:
        text = str(exc)
        assert text.startswith("p.toml") and text.strip()
    else:
        assert isinstance(cfg.data["inputs"], dict)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_validates_or_raises_config_error(text):
    try:
        pipeline.parse_config(text, name="t.toml")
    except sc.ConfigError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(KEYS), st.integers(0, 2))
def test_typo_of_a_known_key_is_suggested(name, cut):
    """A key with its last letter(s) dropped is reported as unknown with the real key suggested."""
    typo = name[: max(3, len(name) - cut)] + ("q" if cut == 0 else "")
    if typo in KEYS or len(name) < 5:
        return
    source = pipeline.demo_config_path().read_text(encoding="utf-8").replace("[statistics]\n", f"[statistics]\n{typo} = 1\n")
    try:
        pipeline.parse_config(source, name="d.toml")
    except sc.ConfigError as exc:
        assert f"unknown key {typo!r}" in str(exc)
    else:  # pragma: no cover - a typo must never pass
        raise AssertionError(f"{typo!r} was accepted")
