"""Plots (placeholder, being written)."""

def choropleth(*args, **kwargs):
    raise NotImplementedError("choropleth: work in progress")


