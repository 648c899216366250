"""Allow ``python -m sendesk`` as well as the ``sendesk`` console script."""

from sendesk.cli import main

raise SystemExit(main())
