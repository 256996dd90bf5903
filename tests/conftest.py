"""Shared fixtures: every path in tmp_path, an in-memory keyring, no thread left behind."""

from __future__ import annotations

import os

# Qt renders offscreen in tests: no display is needed, in CI or on a developer's machine.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from workbench.demo import DemoConfig, DemoServer

# moto_url and make_pool for the Cognito tests; independent_provider (npm oidc-provider)
pytest_plugins = ["tests.cognito_peer", "tests.oidc_provider_peer"]


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend so tests never touch the real OS keychain."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Config, data and cache dirs under tmp_path; an in-memory keyring."""
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def dummy_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test sees dummy AWS credentials and no AWS config: none can reach a real account."""
    from tests.cognito_peer import set_dummy_aws  # the plugin module, imported by pytest first

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    set_dummy_aws(monkeypatch.setenv, tmp_path)


@pytest.fixture(autouse=True)
def no_dangling_threads() -> Iterator[None]:
    """Fail a test that leaves a thread running (docs/design.md, the threading rule)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        extra = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith(("QThreadPool", "Dummy"))
        ]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not extra, f"threads left running: {[t.name for t in extra]}"


@pytest.fixture
def make_demo() -> Iterator[Callable[..., DemoServer]]:
    """Start demo servers in threads with DemoConfig fields (1 s device interval); all stopped."""
    servers: list[DemoServer] = []

    def make(**fields: Any) -> DemoServer:
        server = DemoServer(DemoConfig(**{"device_interval": 1, **fields})).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def demo(make_demo: Callable[..., DemoServer]) -> DemoServer:
    """A running demo server with default settings (fast device polling)."""
    return make_demo()
