"""Spatial weights (placeholder, being written)."""

def build_weights(*args, **kwargs):
    raise NotImplementedError("build_weights: work in progress")


def weights_summary(*args, **kwargs):
    raise NotImplementedError("weights_summary: work in progress")


