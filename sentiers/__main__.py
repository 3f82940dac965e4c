"""``python -m sentiers``: the same as the ``sentiers`` console script."""

from sentiers.cli import main

raise SystemExit(main())
