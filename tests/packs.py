"""Generated rule packs for the tests of the index and the compiled-pack cache."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

MINERALS = ["gallium", "germanium", "tungsten", "cobalt", "lithium"]
COUNTRIES = ["CN", "BR", "US", "DE", "JP"]


def overlapping_pack(directory: Path, files: int = 12, per_file: int = 25, seed: int = 5) -> None:
    """Controls that overlap in every way the index sets controls aside by."""
    rng = random.Random(seed)
    directory.mkdir()
    for number in range(files):
        jurisdiction = rng.choice(["CN", "BR"])
        effective = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        lines = [
            f"id: overlap-{number:02d}",
            "title: Overlapping synthetic measure",
            f"reference: Synthetic No. {number}",
            "source: https://example.invalid/overlap",
            f"jurisdiction: {jurisdiction}",
            "announced: 2024-01-01",
            f"effective: {effective}",
        ]
        if rng.random() < 0.3:
            start = effective + dt.timedelta(days=rng.randint(0, 200))
            until = start + dt.timedelta(days=rng.randint(0, 120))
            lines += ["suspensions:", f"  - {{from: {start}, until: {until}, by: Synthetic}}"]
        lines.append("controls:")
        for index in range(per_file):
            lines += [
                f"  - id: c{index:02d}",
                "    title: Synthetic control",
                "    items:",
                f"      - minerals: [{rng.choice(MINERALS)}]",
            ]
            if rng.random() < 0.3:
                lines.append(f"        forms: [{rng.choice(['metal', 'oxide', 'ore'])}]")
            if rng.random() < 0.3:
                lines.append("    exporters: elsewhere")
            choice = rng.random()
            if choice < 0.3:
                lines.append(f"    destinations: {{only: [{rng.choice(COUNTRIES)}]}}")
            elif choice < 0.5:
                lines.append(f"    destinations: {{all_except: [{rng.choice(COUNTRIES)}]}}")
            if rng.random() < 0.2:
                lines.append("    end_users: military")
            if rng.random() < 0.3:
                lines.append(f"    origin: {{only: [{rng.choice(COUNTRIES)}]}}")
            if rng.random() < 0.1:
                lines.append("    parties: [{name: Listed Example Corporation}]")
            requires = rng.choice(["permit", "prohibited", "review", "info"])
            lines += [f"    requires: {requires}", '    message: "{item}: synthetic"']
        (directory / f"overlap-{number:02d}.yaml").write_text("\n".join(lines) + "\n")
