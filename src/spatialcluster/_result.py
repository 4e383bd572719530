"""The one protocol every public result follows: table, text, picture, record.

A result is a light object holding what a method computed. It offers:

- :meth:`Result.to_frame`: the main table (regions or terms in rows), for further analysis;
- :meth:`Result.summary`: a plain-text summary for the console and notebooks;
- :meth:`Result.plot`: the method's standard figure (drawing code lives in :mod:`spatialcluster.plot`);
- :meth:`Result.to_record`: a small JSON-able dict of the headline numbers, for the run manifest and report;
- ``counts`` (only where the result classifies regions): how many regions fall in each class.
"""

from __future__ import annotations

import pandas as pd


class Result:
    """Base for results: subclasses implement :meth:`to_frame`, :meth:`summary`, :meth:`plot`, :meth:`to_record`."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def plot(self, ax=None, **kwargs):  # pragma: no cover - interface
        """Draw the result's standard figure on ``ax`` (a new figure when None); return the axes."""
        raise NotImplementedError

    def to_record(self) -> dict:  # pragma: no cover - interface
        """Headline numbers as plain JSON-able values (str, int, float, bool, None, lists, dicts)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        body = self.summary().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{body}</pre>"
