"""UI test fixtures: a demo server in a thread, an AppState on it, no worker left running."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool

from workbench.core.model import Provider
from workbench.demo import DemoServer, clients
from workbench.ui import workers
from workbench.ui.state import AppState


@pytest.fixture(autouse=True)
def no_dangling_workers(qapp: Any) -> Iterator[None]:
    """Fail a test that leaves a worker or pool thread running (napari-style)."""
    yield
    leftover = workers.active()
    workers.cancel_all()
    drained = workers.wait_all(10_000)
    assert not leftover, f"workers still running at teardown: {len(leftover)}"
    assert drained and QThreadPool.globalInstance().activeThreadCount() == 0


def demo_provider(issuer: str, public: bool = False, scope: str = "") -> Provider:
    return clients.demo_provider(issuer, public=public, scope=scope or None)


@pytest.fixture
def state(demo: DemoServer) -> Iterator[AppState]:
    """An AppState whose provider is the demo server's confidential client."""
    app_state = AppState()
    app_state.set_provider(demo_provider(demo.issuer))
    yield app_state
    app_state.close()
