"""A light base for result objects: table, text summary and notebook display."""

from __future__ import annotations

import pandas as pd


class Result:
    """Base for results: subclasses implement :meth:`to_frame` and :meth:`summary`."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        body = self.summary().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{body}</pre>"
