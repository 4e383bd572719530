"""``python -m spatialcluster.cli``."""

from . import main

if __name__ == "__main__":  # importing the module (tools that walk the package) must not run the command line
    main()
