"""Export (placeholder, being written)."""

def to_geopackage(*args, **kwargs):
    raise NotImplementedError("to_geopackage: work in progress")


def write_report(*args, **kwargs):
    raise NotImplementedError("write_report: work in progress")


