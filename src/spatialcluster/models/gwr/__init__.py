"""Local regression models: GWR and multiscale GWR (MGWR)."""

from .gwr import GWRResult, gwr
from .mgwr import MGWRResult, mgwr

__all__ = ["GWRResult", "MGWRResult", "gwr", "mgwr"]
