"""A long fuzzing run for local use: the properties of tests/test_fuzz.py with many examples.

    python bench/fuzz.py [EXAMPLES]   (default 5000; CI runs 120 of each)

It prints the run's figures and exits as pytest does (0 when no input broke the tool).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Run the fuzz tests with ``EXAMPLES`` examples each and report how long it took."""
    examples = sys.argv[1] if len(sys.argv) > 1 else "5000"
    env = {**os.environ, "MINERALCHECK_FUZZ_EXAMPLES": examples}
    started = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "fuzz"]
    code = subprocess.call([*command, str(ROOT / "tests" / "test_fuzz.py")], env=env, cwd=ROOT)
    print(f"fuzz: {examples} examples per property, {time.perf_counter() - started:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
