"""The static gates run with the suite: ruff, mypy --strict on core and demo, import-linter."""

from __future__ import annotations

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


def test_core_demo_cli_never_import_qt() -> None:
    # The console script sits beside this interpreter, on PATH or not (an unactivated venv).
    script = Path(sys.executable).with_name("lint-imports")
    result = _run(str(script) if script.exists() else "lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout
