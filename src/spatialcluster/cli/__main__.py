"""``python -m spatialcluster.cli``."""

from . import main

main()
