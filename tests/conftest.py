"""Shared helpers: build manifests as text, check them in-process, run the CLI."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mineralcheck.cli import main
from mineralcheck.pipeline import Checker, Options
from mineralcheck.results import ManifestResult

TESTS = Path(__file__).parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
TEST_RULES = TESTS / "data" / "rules"
README = (ROOT / "README.md").read_text(encoding="utf-8")

BASE = """\
id: T-1
ship_date: {ship_date}
exporter:
  name: Example Exporter Co., Ltd.
  country: {exporter}
consignee:
  name: Example Consignee GmbH
  country: {consignee}
{end_user}items:
{items}{permits}"""


def manifest(
    items: str = "  - description: Gallium metal\n    mineral: gallium\n    quantity: 10 kg\n",
    *,
    ship_date: str = "2025-04-01",
    exporter: str = "CN",
    consignee: str = "DE",
    end_user: str = "",
    permits: str = "",
) -> str:
    """A manifest's YAML text with the given parts; the rest is a plain valid shipment."""
    return BASE.format(
        ship_date=ship_date,
        exporter=exporter,
        consignee=consignee,
        end_user=end_user,
        items=items,
        permits=("permits:\n" + permits) if permits else "",
    )


def permit(
    number: str = "P-1",
    *,
    valid_from: str = "2025-01-01",
    valid_until: str = "2025-12-31",
    destination: str = "DE",
    covers: str = "[gallium]",
    extra: str = "",
) -> str:
    """One permit entry of a manifest's ``permits`` list."""
    return (
        f"  - number: {number}\n    valid_from: {valid_from}\n    valid_until: {valid_until}\n"
        f"    destination: {destination}\n    covers: {covers}\n{extra}"
    )


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own verdict cache and cache key, never the user's."""
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    key = tmp_path_factory.mktemp("key") / "cache.key"
    monkeypatch.setenv("MINERALCHECK_CACHE_KEY", str(key))


@pytest.fixture(scope="session")
def test_checker() -> Checker:
    """A checker with only the test measure loaded."""
    return Checker(Options(rule_paths=(TEST_RULES,), bundled=False))


@pytest.fixture(scope="session")
def bundled_checker() -> Checker:
    """A checker with the bundled rule pack."""
    return Checker(Options())


def check(checker: Checker, text: str, as_of: str | None = None) -> ManifestResult:
    """Check manifest text with ``checker``, optionally on another date."""
    if as_of is not None:
        import datetime as dt

        checker = Checker(
            Options(
                rule_paths=checker.options.rule_paths,
                bundled=checker.options.bundled,
                as_of=dt.date.fromisoformat(as_of),
            ),
            pack=checker.pack,
        )
    return checker.check_bytes("m.yaml", text.encode())


@dataclass
class Run:
    """What one CLI run produced."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run the CLI in-process: ``cli(args, stdin=b"...")`` returns a ``Run``."""

    def run(args: list[str], stdin: bytes = b"") -> Run:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main(args)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    yield run


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """A list that grows by one each time ``owner.name`` is called (it still runs)."""
    calls: list[int] = []
    real = getattr(owner, name)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls
