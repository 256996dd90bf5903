"""The static gates run with the suite: ruff, mypy --strict on core and demo, import-linter.

The import-linter contracts live in pyproject.toml (Qt only in the desktop app, the layers, the
two faces independent, the generic OAuth core apart from Cognito); docs/design.md explains them.
Import cycles and sizes are checked by tests/test_structure.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.gates


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint() -> None:
    result = _run(sys.executable, "-m", "ruff", "check", "workbench", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run(sys.executable, "-m", "ruff", "format", "--check", "workbench", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_core_and_demo() -> None:
    result = _run(sys.executable, "-m", "mypy")  # files and strictness from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_none_broken() -> None:
    # The console script sits beside this interpreter, on PATH or not (an unactivated venv).
    script = Path(sys.executable).with_name("lint-imports")
    result = _run(str(script) if script.exists() else "lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    # Whatever the number of contracts: every one was checked and none is broken.
    assert re.search(r"Contracts: [1-9][0-9]* kept, 0 broken\.", result.stdout), result.stdout
