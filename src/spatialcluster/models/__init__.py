"""Models (placeholder, being written)."""

def select_model(*args, **kwargs):
    raise NotImplementedError("select_model: work in progress")


def spillover(*args, **kwargs):
    raise NotImplementedError("spillover: work in progress")


def spillover_panel(*args, **kwargs):
    raise NotImplementedError("spillover_panel: work in progress")


