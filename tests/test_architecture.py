"""The dependency order between apps holds (import-linter contracts in pyproject.toml), and the
cross-app reactions go through events and hooks, not imports upward."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0, (
        "run `.venv/bin/lint-imports` to see the broken ones"
    )
