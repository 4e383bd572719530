"""Cluster indicators (placeholder, being written)."""

def location_quotient(*args, **kwargs):
    raise NotImplementedError("location_quotient: work in progress")


def coupling_coordination(*args, **kwargs):
    raise NotImplementedError("coupling_coordination: work in progress")


def inequality(*args, **kwargs):
    raise NotImplementedError("inequality: work in progress")


