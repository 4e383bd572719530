"""Local regression models: GWR and multiscale GWR (MGWR)."""

from .gwr import GWRResult, gwr

__all__ = ["GWRResult", "gwr"]
