"""Statistics (placeholder, being written)."""

def moran(*args, **kwargs):
    raise NotImplementedError("moran: work in progress")


def moran_bv(*args, **kwargs):
    raise NotImplementedError("moran_bv: work in progress")


def moran_residuals(*args, **kwargs):
    raise NotImplementedError("moran_residuals: work in progress")


def local_moran(*args, **kwargs):
    raise NotImplementedError("local_moran: work in progress")


def local_moran_bv(*args, **kwargs):
    raise NotImplementedError("local_moran_bv: work in progress")


def getis_ord(*args, **kwargs):
    raise NotImplementedError("getis_ord: work in progress")


def moran_by_year(*args, **kwargs):
    raise NotImplementedError("moran_by_year: work in progress")


def lisa_by_year(*args, **kwargs):
    raise NotImplementedError("lisa_by_year: work in progress")


