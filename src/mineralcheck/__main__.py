"""``python -m mineralcheck``."""

from mineralcheck.entry import console

raise SystemExit(console())
