"""Reading regions and tables, and joining them (placeholder, being written)."""

def read_regions(*args, **kwargs):
    raise NotImplementedError("read_regions: work in progress")


def read_table(*args, **kwargs):
    raise NotImplementedError("read_table: work in progress")


def join(*args, **kwargs):
    raise NotImplementedError("join: work in progress")


def normalize_region_key(*args, **kwargs):
    raise NotImplementedError("normalize_region_key: work in progress")


