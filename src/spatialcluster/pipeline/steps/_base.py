"""What a pipeline step is: a name, when it runs, which variables it reads, and what it does."""

from __future__ import annotations

from dataclasses import dataclass

from ..context import Context, Section
from ..settings import Settings


@dataclass(frozen=True)
class Variable:
    """A column a step reads, with where the config names it (for the error message)."""

    where: tuple  # a config location, e.g. ("statistics", "global", 0)
    name: str
    table: str | None = None  # a panel table of [[inputs.tables]]; None: the joined cross-section


def listed(where: tuple, names, table: str | None = None) -> list[Variable]:
    """The variables of a list-valued key, each with its position in the list."""
    return [Variable(where + (i,), name, table) for i, name in enumerate(names)]


class Step:
    """One step of the pipeline; subclasses set ``name`` and override what they need.

    ``variables`` lists every column the step reads whether or not it is enabled (a typo is an
    error even in a step switched off, e.g. choropleths with ``maps = false``); :func:`run`
    checks them all before the first step starts. ``run`` returns the step's report section
    (or a list of sections, or None); its tables, figures and layers go through ``ctx.wr`` and ``ctx.layers``.
    """

    name: str = ""
    #: The step needs a value for every region (statistics, models), so ``[data] missing`` covers its
    #: variables; maps draw a gap as "No data" and set this False.
    complete_cases: bool = True

    def enabled(self, s: Settings) -> bool:
        return True

    def variables(self, s: Settings) -> list[Variable]:
        return []

    def run(self, ctx: Context) -> Section | list[Section] | None:
        raise NotImplementedError
