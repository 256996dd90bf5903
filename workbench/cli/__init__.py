"""The command line, ``workbench COMMAND …`` (no Qt here, ever): see :mod:`workbench.cli.main`.

``main`` is exported here because it is the entry point (``workbench.cli:main``).
"""

from workbench.cli.main import main

__all__ = ["main"]
