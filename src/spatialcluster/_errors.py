"""The package's own exception types.

Every error a user can cause by bad input is a :class:`SpatialClusterError`, so callers
(and the command line) can catch one type and print one clear message without a traceback.
"""

from __future__ import annotations


class SpatialClusterError(Exception):
    """Base class: bad input or an analysis that cannot proceed. The message names the fix."""


class InputError(SpatialClusterError, ValueError):
    """A file, table, column or geometry that cannot be used as given."""


class JoinError(InputError):
    """Region keys that do not match between regions and a table.

    Attributes
    ----------
    unmatched_regions, unmatched_table : list of str
        Keys present on one side only (after normalisation).
    suggestions : dict
        For each unmatched key, the closest candidates on the other side.
    """

    def __init__(self, message, unmatched_regions=(), unmatched_table=(), suggestions=None):
        super().__init__(message)
        self.unmatched_regions = list(unmatched_regions)
        self.unmatched_table = list(unmatched_table)
        self.suggestions = dict(suggestions or {})


class WeightsError(InputError):
    """A weights specification that cannot be built or used (islands, id mismatch, ...)."""


class ConfigError(InputError):
    """An analysis configuration (TOML) that does not validate."""


class SpatialClusterWarning(UserWarning):
    """Something was changed or dropped on the user's behalf; the message says what."""
