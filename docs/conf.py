"""Sphinx configuration: pydata theme, numpydoc API reference, notebooks rendered by myst-nb.

The notebooks live in ``../notebooks`` (where users find them); they are copied into
``docs/notebooks`` at build time, because Sphinx only reads sources under its source folder,
and executed there with a cache so unchanged notebooks are not re-run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import spatialcluster

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent / "notebooks"
sys.path.insert(0, str(HERE))

# Copy (not symlink) so the build also works where symlinks are unavailable; copy only when
# changed so the execution cache stays valid.
(HERE / "notebooks").mkdir(exist_ok=True)
for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
    target = HERE / "notebooks" / nb.name
    if not target.exists() or target.read_bytes() != nb.read_bytes():
        shutil.copyfile(nb, target)

os.environ.setdefault("SPATIALCLUSTER_PROGRESS", "0")

project = "spatialcluster"
author = "spatialcluster developers"
copyright = "2026, spatialcluster developers"
release = spatialcluster.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# API reference: one page per public function, generated from the numpydoc docstrings.
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters section already gives the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Notebooks: executed during the build, cached between builds; any cell error fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]

html_theme = "pydata_sphinx_theme"
html_title = "spatialcluster"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
html_last_updated_fmt = None
