"""The analysis configuration (TOML): reading it and checking it against :data:`.schema.SCHEMA`.

A config describes one analysis: which boundaries and tables, how to join them, which derived
variables, which weights, which statistics and models, which outputs. :func:`load_config` checks
it completely before anything runs and raises :class:`~spatialcluster.ConfigError` with the
location of each problem in the file (table path, key and line) and the closest valid name.
The checked config is ``Config.data`` (a dict, written to the manifest as run) and
``Config.settings`` (the same as frozen dataclasses, :mod:`.settings`, which the steps read).
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .._errors import ConfigError
from .schema import (DATASETS, PANEL_DYNAMIC_MODELS, PANEL_RANDOM_MODELS, PYTHON_ONLY_KINDS, REQUIRED_BY_KIND, SCHEMA,
                     TABLE_DATASETS, Key, Table)
from .settings import Settings

#: Prefix for paths that point at the data files shipped inside the package.
BUNDLED_PREFIX = "bundled:"


# --------------------------------------------------------------------------- locations
Path_ = tuple  # a location in the config: ("weights", 0, "kind")


def format_location(path: Path_) -> str:
    """``("weights", 1, "kind")`` -> ``[[weights]] #2, key "kind"``; readable for TOML users."""
    if not path:
        return "the top level"
    out, i = [], 0
    header = []
    while i < len(path):
        part = path[i]
        if i + 1 < len(path) and isinstance(path[i + 1], int) and _is_array_table(tuple(header) + (part,)):
            header.append(part)
            out.append(f"[[{'.'.join(header)}]] #{path[i + 1] + 1}")
            header = []
            i += 2
            continue
        header.append(part)
        i += 1
    if header:
        *table, key = header
        if isinstance(key, int):  # a list element
            *table, lkey = table
            key = f"{lkey}[{key + 1}]"
        table = [str(t) for t in table]
        if table:
            out.append(f'[{".".join(table)}] key "{key}"')
        else:
            out.append(f'key "{key}"' if out else f"[{key}]")
    return ", ".join(out)


def _is_array_table(path: tuple) -> bool:
    spec = SCHEMA
    for part in path:
        if not isinstance(spec, Table) or part not in spec.keys:
            return False
        spec = spec.keys[part]
    return isinstance(spec, Table) and spec.array


_HEADER_ARRAY = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(#.*)?$")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEYLINE = re.compile(r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_dotted(text: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"""(?:"[^"]*"|'[^']*'|[^.]+)""", text)]


def line_index(source: str) -> dict[tuple, int]:
    """Map config locations (table path + key, array tables with their index) to 1-based lines.

    tomllib does not report positions, so this scans headers and ``key =`` lines: enough for
    error messages on hand-written configs (multi-line strings and arrays are skipped over).
    """
    index: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    current: tuple = ()
    in_multiline = None
    depth = 0
    for lineno, line in enumerate(source.splitlines(), start=1):
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if depth > 0:  # inside a multi-line array
            depth += line.count("[") - line.count("]")
            continue
        m = _HEADER_ARRAY.match(line)
        if m:
            name = tuple(_split_dotted(m.group(1)))
            parent = _resolve(name[:-1], counts)
            key = parent + (name[-1],)
            counts[key] = counts.get(key, -1) + 1
            current = key + (counts[key],)
            index.setdefault(key, lineno)
            index[current] = lineno
            continue
        m = _HEADER.match(line)
        if m:
            current = _resolve(tuple(_split_dotted(m.group(1))), counts)
            index.setdefault(current, lineno)
            continue
        m = _KEYLINE.match(line)
        if m:
            key = current + tuple(_split_dotted(m.group(1)))
            index.setdefault(key, lineno)
            rest = line[m.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
            code = rest.split("#", 1)[0]
            depth = max(0, code.count("[") - code.count("]"))
    return index


def _resolve(name: tuple, counts: dict) -> tuple:
    """Insert the current array index after each array-of-tables component of a header."""
    out: tuple = ()
    for part in name:
        out = out + (part,)
        if out in counts:
            out = out + (counts[out],)
    return out


def _line_for(lines: dict, path: Path_) -> int | None:
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


# --------------------------------------------------------------------------- errors
@dataclass
class Problem:
    path: Path_
    message: str


@dataclass
class _Collector:
    source_name: str
    lines: dict
    problems: list = field(default_factory=list)

    def add(self, path, message):
        self.problems.append(Problem(tuple(path), message))

    def raise_if_any(self):
        if self.problems:
            raise ConfigError(render_problems(self.source_name, self.lines, self.problems))


def render_problems(source_name: str, lines: dict, problems: list[Problem]) -> str:
    n = len(problems)
    head = f"{source_name}: {n} problem{'s' if n > 1 else ''} in the config"
    body = []
    for p in problems:
        line = _line_for(lines, p.path)
        where = (f"line {line}, " if line else "") + format_location(p.path)
        body.append(f"  - {where}: {p.message}")
    return head + "\n" + "\n".join(body)


def suggest(name: str, candidates) -> str:
    """`` Did you mean 'x'?`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


# --------------------------------------------------------------------------- validation
def _type_name(t) -> str:
    if t == "list[str]":
        return "a list of strings"
    if t == "list[number]":
        return "a list of numbers"
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if isinstance(t, tuple):
        return " or ".join(dict.fromkeys(names.get(x, x.__name__) for x in t))
    return names.get(t, t.__name__)


def _check_value(spec: Key, value, path, errors: _Collector):
    t = spec.type
    if t == "list[str]":
        if isinstance(value, str):  # a single name is accepted for a list
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.add(path, f"expected {_type_name(t)}, got {value!r}; write e.g. [\"a\", \"b\"]")
            return None
        if spec.choices:
            for i, v in enumerate(value):
                if v not in spec.choices:
                    errors.add(path + (i,), f"{v!r} is not one of {', '.join(spec.choices)}.{suggest(v, spec.choices)}")
        return value
    if t == "list[number]":
        numbers = isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        if not numbers or not value:
            errors.add(path, f"expected {_type_name(t)}, got {value!r}; write e.g. [1.5, 3, 10]")
            return None
        if not all(math.isfinite(v) for v in value):
            errors.add(path, f"{value!r} holds a number that is not finite")
        return [float(v) for v in value]
    types = t if isinstance(t, tuple) else (t,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if float in types and isinstance(value, int) and not isinstance(value, bool):
        ok = True
        value = float(value) if t is float else value
    if not ok:
        hint = ""
        if isinstance(value, str) and (int in types or float in types):
            hint = f"; write it without quotes: {value.strip()}"
        errors.add(path, f"expected {_type_name(t)}, got {type(value).__name__} {value!r}{hint}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        errors.add(path, f"{value!r} is not a finite number")
        return None
    if spec.choices and value not in spec.choices:
        errors.add(path, f"{value!r} is not one of {', '.join(spec.choices)}.{suggest(value, spec.choices)}")
    if spec.minimum is not None and value < spec.minimum:
        errors.add(path, f"{value!r} is below the minimum {spec.minimum}")
    if spec.maximum is not None and value > spec.maximum:
        errors.add(path, f"{value!r} is above the maximum {spec.maximum}")
    return value


def _check_table(spec: Table, value, path, errors: _Collector):
    """Return ``value`` with defaults filled in; record unknown keys, wrong types, missing keys."""
    if spec.named:
        if not isinstance(value, dict):
            errors.add(path, f"expected a table of named entries, got {value!r}")
            return {}
        inner = Table(keys=spec.keys)
        return {name: _check_table(inner, v, path + (name,), errors) for name, v in value.items()}
    if spec.array:
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            errors.add(path, f"expected one or more [[{'.'.join(map(str, path))}]] tables")
            return []
        inner = Table(keys=spec.keys)
        return [_check_table(inner, v, path + (i,), errors) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        errors.add(path, f"expected a table, got {value!r}")
        return {}
    out = {}
    for key, v in value.items():
        if key not in spec.keys:
            errors.add(path + (key,), f"unknown key {key!r}.{suggest(key, spec.keys)} Valid keys here: {', '.join(spec.keys)}")
            continue
        sub = spec.keys[key]
        out[key] = _check_table(sub, v, path + (key,), errors) if isinstance(sub, Table) else _check_value(sub, v, path + (key,), errors)
    for key, sub in spec.keys.items():
        if key in out:
            continue
        if sub.required:
            errors.add(path + (key,), f"required key {key!r} is missing")
        elif isinstance(sub, Key):
            out[key] = copy.deepcopy(sub.default)
        elif sub.array:
            out[key] = []
        elif sub.named:
            out[key] = {}
        elif not any(getattr(k, "required", False) for k in sub.keys.values()):
            out[key] = _check_table(sub, {}, path + (key,), errors)  # an absent table: its defaults
        else:
            out[key] = None  # an optional step that needs its own keys (e.g. [models.panel])
    return out


def _check_semantics(cfg: dict, base: Path, errors: _Collector):
    """Cross-key rules: exclusive inputs, files exist, names refer to something, required per kind."""
    inputs = cfg.get("inputs") or {}
    if inputs.get("dataset") and inputs.get("regions"):
        errors.add(("inputs", "regions"), "give either 'dataset' (bundled data) or 'regions' (a file), not both")
    elif not inputs.get("dataset") and not inputs.get("regions") and "inputs" in cfg:
        errors.add(("inputs",), f"give 'regions' (a regions file) or 'dataset' (one of {', '.join(DATASETS)})")
    if inputs.get("regions"):
        _check_file(inputs["regions"], ("inputs", "regions"), base, errors)
    # [outputs] include_sar_taiwan (default true) needs no check: the maps add Hong Kong, Macao
    # and Taiwan only to national maps of China (sc.plot), so other data are left as they are.
    names = []
    for i, t in enumerate(inputs.get("tables") or []):
        if bool(t.get("path")) == bool(t.get("dataset")):
            errors.add(("inputs", "tables", i), "give either 'path' (a file) or 'dataset' (one of "
                       f"{', '.join(TABLE_DATASETS)})")
        if t.get("path"):
            _check_file(t["path"], ("inputs", "tables", i, "path"), base, errors)
        t["name"] = t.get("name") or t.get("dataset") or (Path(t["path"].removeprefix(BUNDLED_PREFIX)).stem if t.get("path") else None)
        if t.get("name") in names:
            errors.add(("inputs", "tables", i, "name"), f"table name {t['name']!r} is used twice; set a distinct 'name'")
        names.append(t.get("name"))
    panels = [t["name"] for t in inputs.get("tables") or [] if t.get("time")]
    for i, t in enumerate(inputs.get("tables") or []):
        years = t.get("years")
        if years is not None and (not t.get("time") or len(years) != 2 or years[0] > years[1]):
            errors.add(("inputs", "tables", i, "years"), "give the first and the last period to keep, e.g. "
                       "years = [2011, 2018], on a panel table (one with 'time')")

    for name, d in ((cfg.get("variables") or {}).get("derived") or {}).items():
        for key in REQUIRED_BY_KIND.get(d.get("kind"), ()):
            if not d.get(key):
                errors.add(("variables", "derived", name, key), f"derived variable of kind {d['kind']!r} needs {key!r}")
        _check_panel_table(("variables", "derived", name), d, panels, errors)

    seen = []
    for i, w in enumerate(cfg.get("weights") or []):
        w["name"] = w.get("name") or w.get("kind") or f"w{i + 1}"
        if w["name"] in seen:
            errors.add(("weights", i, "name"), f"weights name {w['name']!r} is used twice; give each [[weights]] a distinct 'name'")
        seen.append(w["name"])
        kind = w.get("kind")
        if kind in PYTHON_ONLY_KINDS:
            errors.add(("weights", i, "kind"), f"weights of kind {kind!r} are built from a variable or other weights, "
                       "which a config cannot give yet; build them in Python with sc.build_weights(..., "
                       f"kind={kind!r}, variable=...) or choose a geographic kind")
        need = {"knn": "k", "distance_band": "threshold", "matrix": "path"}.get(kind)
        if need and w.get(need) is None:
            errors.add(("weights", i, need), f"weights of kind {kind!r} need {need!r}")
        if w.get("path"):
            _check_file(w["path"], ("weights", i, "path"), base, errors)
    outputs = cfg.get("outputs") or {}
    if outputs.get("scheme") == "user_defined" and not outputs.get("bins"):
        errors.add(("outputs", "scheme"), "scheme = 'user_defined' needs the class bounds: add bins = [...] "
                   "(the upper bound of each class, e.g. bins = [50, 60, 70, 100]) or choose another scheme")
    elif outputs.get("bins") and outputs.get("scheme") != "user_defined":
        errors.add(("outputs", "bins"), "bins are only read with scheme = 'user_defined' (the scheme is "
                   f"{outputs.get('scheme')!r}); remove them or set scheme = 'user_defined'")
    elif outputs.get("bins") and sorted(set(outputs["bins"])) != outputs["bins"]:
        errors.add(("outputs", "bins"),
                   f"bins {outputs['bins']} must increase strictly (each is the upper bound of a class)")
    stats, models = cfg.get("statistics") or {}, cfg.get("models") or {}
    if (any(stats.get(k) for k in ("global", "local", "hotspots", "geary")) or models.get("cross_section")
            or models.get("selection") and models.get("y") or models.get("panel")) and not cfg.get("weights"):
        errors.add(("weights",), "statistics and models need at least one [[weights]] table (e.g. kind = \"queen\")")
    by_year = stats.get("by_year")
    _check_panel_table(("statistics", "by_year"), by_year, panels, errors)
    panel = models.get("panel")
    _check_panel_table(("models", "panel"), panel, panels, errors)
    if panel:
        _check_panel(panel, errors)
    spatial = [m for m in models.get("cross_section") or [] if m != "ols"]
    if models.get("robustness") and (len(cfg.get("weights") or []) < 2 or not spatial):
        errors.add(("models", "robustness"), "the robustness table compares spatial cross-section models across "
                   "weights: it needs a spatial model in 'cross_section' (e.g. \"sdm\") and at least two [[weights]]")
    _check_panel_table(("outputs", "panel_maps"), outputs.get("panel_maps"), panels, errors)
    dyn = cfg.get("dynamics")
    _check_panel_table(("dynamics",), dyn, panels, errors)
    if dyn and not cfg.get("weights"):
        errors.add(("weights",), "[dynamics] needs at least one [[weights]] table (e.g. kind = \"queen\")")
    if (models.get("cross_section") or models.get("selection") and models.get("x")) and not models.get("y"):
        errors.add(("models", "y"), "models need a dependent variable 'y'")
    if models.get("y") and not models.get("x"):
        errors.add(("models", "x"), "models need at least one explanatory variable in 'x'")


def _check_panel_table(where: tuple, section: dict | None, panels: list, errors: _Collector):
    """The section's ``table`` names a panel table (an [[inputs.tables]] with 'time')."""
    name = (section or {}).get("table")
    if name and name not in panels:
        errors.add(where + ("table",), f"{name!r} is not a panel table (an [[inputs.tables]] with 'time')."
                   + (suggest(name, panels) or f" Panel tables: {', '.join(panels) or 'none'}"))


def _check_panel(panel: dict, errors: _Collector):
    """The combinations of [models.panel] the estimators have (their lists are the schema's)."""
    where, model, dynamic = ("models", "panel"), panel.get("model"), panel.get("dynamic")
    random = panel.get("effects") == "random"
    if dynamic != "none" and random:
        errors.add(where + ("dynamic",), f"dynamic = {dynamic!r} has fixed effects: use effects = \"region\" or "
                   "\"twoway\", or dynamic = \"none\" with effects = \"random\"")
    elif dynamic != "none" and model not in PANEL_DYNAMIC_MODELS:
        errors.add(where + ("dynamic",), f"dynamic panels are {' or '.join(map(repr, PANEL_DYNAMIC_MODELS))} "
                   f"models, not {model!r}: set model")
    if (random or panel.get("hausman")) and model not in PANEL_RANDOM_MODELS:
        what = "random effects" if random else "the Hausman test (random against fixed effects)"
        errors.add(where + ("effects" if random else "hausman",), f"{what} needs model = "
                   f"{' or '.join(map(repr, PANEL_RANDOM_MODELS))}; the model is {model!r} (the default is 'sdm')")
    if panel.get("hausman") and dynamic != "none":
        errors.add(where + ("hausman",), "the Hausman test compares static panels: set dynamic = \"none\"")
    if panel.get("with_static") and dynamic == "none":
        errors.add(where + ("with_static",), "with_static adds the static model to a dynamic one: set dynamic = "
                   "\"time\" or \"spacetime\", or remove with_static")


def _check_file(value: str, path, base: Path, errors: _Collector):
    if value.startswith(BUNDLED_PREFIX):
        name = value.removeprefix(BUNDLED_PREFIX)
        if bundled_path(name) is None:
            errors.add(path, f"no bundled file {name!r}.{suggest(name, bundled_files())} Bundled files: {', '.join(bundled_files())}")
        return
    p = resolve_path(value, base)
    if not p.exists():
        near = [c.name for c in p.parent.iterdir()] if p.parent.is_dir() else []
        hint = suggest(p.name, near) or f" (looked in {p.parent})"
        errors.add(path, f"file {value!r} does not exist.{hint} Paths are relative to the config file's folder.")


def resolve_path(value: str, base: Path) -> Path:
    """A config path: bundled, absolute, or relative to the config file's folder."""
    if value.startswith(BUNDLED_PREFIX):
        return bundled_path(value.removeprefix(BUNDLED_PREFIX))
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


_BUNDLED_SUFFIXES = {".csv", ".xlsx", ".gpkg", ".geojson", ".shp"}


def _bundled() -> dict[str, Path]:
    """File name -> path of the tables and boundaries shipped with the package."""
    root = Path(os.path.abspath(Path(__file__).parents[1])) / "datasets"
    found = {}
    for sub in ("data", "shapefiles"):
        d = root / sub
        if d.is_dir():
            found.update({p.name: p for p in sorted(d.rglob("*")) if p.suffix in _BUNDLED_SUFFIXES})
    return found


def bundled_files() -> list[str]:
    """Names of the data files shipped with the package (usable as ``bundled:<name>``)."""
    return sorted(_bundled())


def bundled_path(name: str) -> Path | None:
    """The path of a bundled data file, or None."""
    return _bundled().get(name)


@dataclass
class Config:
    """A validated config: ``data`` with defaults filled in, its source text and where it came from."""

    data: dict
    source: str
    name: str
    base: Path
    lines: dict

    def error(self, problems: list[Problem]) -> ConfigError:
        """A :class:`ConfigError` for problems found after loading (e.g. unknown variables)."""
        return ConfigError(render_problems(self.name, self.lines, problems))

    @property
    def primary_weights(self) -> str | None:
        return self.settings.primary_weights

    @cached_property
    def settings(self) -> Settings:
        """The checked config as frozen dataclasses, one per section (what the steps read)."""
        return Settings.from_dict(self.data)


def parse_config(source: str, *, name: str = "<config>", base: Path | str = ".", overrides: dict | None = None) -> Config:
    """Parse and validate config text; ``overrides`` (nested dict) is merged in before validation.

    Raises
    ------
    ConfigError
        For TOML syntax errors (with line and column), unknown keys, wrong types, missing
        required keys, missing files and dangling references between sections; all problems
        are reported together, each with its line and a suggestion.
    """
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}. Check quotes, brackets and '=' on that line.") from None
    if overrides:
        raw = _merge(raw, overrides)
    lines = line_index(source)
    errors = _Collector(name, lines)
    data = _check_table(SCHEMA, raw, (), errors)
    if not errors.problems:
        _check_semantics(data, Path(base), errors)
    errors.raise_if_any()
    return Config(data=data, source=source, name=name, base=Path(base), lines=lines)


def load_config(path, *, overrides: dict | None = None) -> Config:
    """Read and validate a config file (see :func:`parse_config`)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        near = [c.name for c in path.parent.iterdir()] if path.parent.is_dir() else []
        raise ConfigError(f"config file {str(path)!r} does not exist.{suggest(path.name, near)}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {str(path)!r}: {exc.strerror}") from None
    return parse_config(source, name=str(path), base=path.resolve().parent, overrides=overrides)


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out
