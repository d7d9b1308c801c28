"""``python -m mineralcheck``."""

from mineralcheck.entry import main

raise SystemExit(main())
