"""SENDesk: the SEN office's desktop for an English school.

The package is layered (see DESIGN.md): ``rules`` (pure domain functions) and ``models``
(the schema) at the bottom, ``services`` (use cases with permissions, audit and
transactions) above them, then ``reports``, ``cli`` and ``ui``. Imports only point down.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sendesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
