"""Fixtures for the demo authorization server: a real server on an ephemeral port, in a
thread, stopped (and every thread joined) after each test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from workbench.demo import THREAD_NAME_PREFIX, DemoServer

# Small device timings keep the device-flow tests fast.
FAST = {"device_interval": 1, "device_slow_down_step": 1}


def _demo_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(THREAD_NAME_PREFIX)]


@pytest.fixture(autouse=True)
def _no_demo_thread_left() -> Iterator[None]:
    """Every thread a demo server starts must be gone once the test's fixtures stopped it."""
    yield
    assert _demo_threads() == []


@pytest.fixture
def make_demo_server(make_demo: Callable[..., DemoServer]) -> Callable[..., DemoServer]:
    """Demo servers with fast device timings (and any other DemoConfig fields)."""
    return lambda **fields: make_demo(**{**FAST, **fields})


@pytest.fixture
def demo_server(make_demo_server: Callable[..., DemoServer]) -> DemoServer:
    """A running demo server with default settings (fast device polling)."""
    return make_demo_server()


@pytest.fixture
def metadata(demo_server: DemoServer) -> dict[str, Any]:
    """The server's discovery document."""
    response = requests.get(demo_server.discovery_url, timeout=5)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document
