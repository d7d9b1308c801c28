"""The published pre-commit hook, used from another repository as a forwarder would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, ROOT


def git(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=600
    )


def test_hook_blocks_a_failing_manifest_and_lets_a_passing_one_through(tmp_path: Path) -> None:
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    repo = tmp_path / "forwarder"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    env.pop("GITHUB_ACTIONS", None)
    assert git(repo, "init", "-q", env=env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {revision}\n    hooks:\n      - id: mineralcheck\n",
        encoding="utf-8",
    )
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    (repo / "manifests").mkdir()

    failing = (EXAMPLES / "fail" / "cn-2025-18-dysprosium-day-effective.yaml").read_text("utf-8")
    (repo / "manifests" / "dysprosium.yaml").write_text(failing, encoding="utf-8")
    git(repo, "add", ".", env=env)
    blocked = git(repo, "commit", "-m", "ship dysprosium without a licence", env=env)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    assert "cn-mofcom-gac-2025-18/dysprosium" in blocked.stdout + blocked.stderr
    assert git(repo, "rev-parse", "--verify", "HEAD", env=env).returncode != 0  # nothing committed

    passing = (EXAMPLES / "pass" / "dysprosium-oxide-licensed-de.yaml").read_text("utf-8")
    (repo / "manifests" / "dysprosium.yaml").write_text(passing, encoding="utf-8")
    git(repo, "add", ".", env=env)
    committed = git(repo, "commit", "-m", "ship licensed dysprosium", env=env)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    hook_output = committed.stdout + committed.stderr
    assert "mineralcheck verify" in hook_output and "Passed" in hook_output
