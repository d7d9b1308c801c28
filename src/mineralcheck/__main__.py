"""``python -m mineralcheck``."""

from mineralcheck.cli import main

raise SystemExit(main())
