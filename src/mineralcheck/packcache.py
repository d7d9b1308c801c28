"""The compiled-pack cache: the rule pack, loaded, validated and compiled, kept on disk so that
a run need not read and validate every rule file again.

An entry is keyed by what the compiled pack depends on (the rule files' names and bytes, the
packs chosen, mineralcheck's version and own source) and sealed, like the verdict cache, with an
HMAC-SHA-256 under the secret key kept outside the cache directory. The seal is checked before
anything is unpickled: an entry that is stale, torn, forged or unreadable is ignored and the
pack is built from the YAML again (and the entry rewritten), never trusted. A licence register
and a reviews file are kept the same way (``register-*.bin``, ``reviews-*.bin``, by
``records.files.read_kept``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from mineralcheck import __version__
from mineralcheck.cache import code_fingerprint, default_key_file, load_secret

if TYPE_CHECKING:
    from mineralcheck.engine.match import CompiledControl
    from mineralcheck.ruleset.pack import RulePack

SCHEMA = 2  # 2: the pack holds the plain twins of the rule models (ruleset.rules)
SEAL = 32  # bytes of HMAC-SHA-256 before the pickle

Compiled = tuple["RulePack", list["CompiledControl"]]


def entry_name(fingerprint: str, packs: tuple[str, ...] | None, kind: str = "pack") -> str:
    """The file name of the entry for these files (rule files and packs, or a register), with
    this code."""
    chosen = ",".join(sorted(packs)) if packs is not None else "*"
    text = f"{SCHEMA}|{__version__}|{code_fingerprint()}|{kind}|{fingerprint}|{chosen}"
    return f"{kind}-" + hashlib.sha256(text.encode()).hexdigest()[:32] + ".bin"


def load_entry(directory: Path, name: str) -> object:
    """The value of the entry, or ``None`` when there is none to trust."""
    secret = load_secret(default_key_file(), directory)
    if secret is None:
        return None
    try:
        with open(directory / name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    seal, body = data[:SEAL], data[SEAL:]
    expected = hmac.digest(secret, name.encode() + b"\0" + body, "sha256")
    if len(seal) != SEAL or not hmac.compare_digest(seal, expected):
        return None  # torn, forged or from another key: rebuilt
    try:
        value = pickle.loads(body)  # sealed with our secret key, checked above
    except Exception:  # a sealed entry of an older layout: rebuilt
        return None
    return value


def load(directory: Path, name: str) -> Compiled | None:
    """The compiled pack of the entry, or ``None`` when there is none to trust."""
    value = load_entry(directory, name)
    return value if isinstance(value, tuple) and len(value) == 2 else None


def store_entry(directory: Path, name: str, value: object) -> None:
    """Write the entry (atomically, readable by the user only); a failure is only a miss."""
    secret = load_secret(default_key_file(), directory)
    if secret is None:
        return
    try:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        seal = hmac.digest(secret, name.encode() + b"\0" + body, "sha256")
        directory.mkdir(parents=True, exist_ok=True)
        import tempfile  # only to write an entry: a run that finds one does without it

        descriptor, temporary = tempfile.mkstemp(prefix=".pack-", dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(seal + body)
            os.replace(temporary, directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return


def store(directory: Path, name: str, compiled: Compiled) -> None:
    """Write the compiled pack's entry."""
    store_entry(directory, name, compiled)
