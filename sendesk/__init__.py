"""SENDesk: the SEN office's desktop for an English school.

The package is layered (see DESIGN.md): ``rules`` (pure domain functions) and ``models``
(the schema) at the bottom, ``services`` (use cases with permissions, audit and
transactions) above them, then ``reports``, ``cli`` and ``ui``. Imports only point down.
"""

__version__ = "0.1.0"
"""The release; pyproject.toml reads it from here (asking importlib.metadata at start-up
costs about 50 ms)."""
