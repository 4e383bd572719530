"""Sphinx configuration: pydata theme, numpydoc API reference, notebooks rendered by myst-nb.

The notebooks live in ``../notebooks`` (where users find them); they are copied into
``docs/notebooks`` at build time, because Sphinx only reads sources under its source folder,
and executed there with a cache so unchanged notebooks are not re-run.

The built pages load nothing from the internet: MathJax is shipped by the
``sphinx-mathjax-offline`` extension (MathJax 3, Apache-2.0, copied into ``_static/mathjax``)
instead of being fetched from a CDN, where maths shows as raw LaTeX without a network, and
:func:`check_offline` fails the build when a page refers to a script, stylesheet or font on
the web.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import spatialcluster
from spatialcluster.export._offline import remote_assets

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
    "sphinx-mathjax-offline",  # MathJax from the package, not from a CDN
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


def check_offline(app, exc):
    """Fail the build when a page or stylesheet would load a script, style or font from the internet."""
    if exc is not None or app.builder.format != "html":
        return
    bad = {}
    out = Path(app.outdir)
    for page in [*out.rglob("*.html"), *out.rglob("*.css")]:
        found = remote_assets(page.read_text(encoding="utf-8", errors="replace"))
        if found:
            bad[str(page.relative_to(out))] = found[:3]
    if bad:
        from sphinx.errors import ExtensionError

        raise ExtensionError(f"pages load assets from the internet (they would break offline): {bad}")


def setup(app):
    # After sphinx-mathjax-offline's own build-finished handler has copied MathJax.
    app.connect("build-finished", check_offline, priority=900)
