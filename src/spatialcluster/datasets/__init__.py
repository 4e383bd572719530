"""Bundled datasets (placeholder, being written)."""

def china_provinces(*args, **kwargs):
    raise NotImplementedError("china_provinces: work in progress")


def mexico_states(*args, **kwargs):
    raise NotImplementedError("mexico_states: work in progress")


