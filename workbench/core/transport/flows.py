"""Flows as units of the exchange log, and the steps of a flow that are not our HTTP requests.

A flow is one run of a tab or of a CLI command ("client_credentials", "device_code" …) with its
start, end and outcome (``ok``, ``failed`` with the reason, ``cancelled``). :func:`flow_scope` opens
one for the code that runs inside it, on this thread (a context variable: the app runs each flow
in a worker thread, and a thread starts with no flow): every exchange and step an
:class:`~workbench.core.transport.exchange.ExchangeLog` records meanwhile carries its id. A
:class:`Step` is a moment the core knows of that is no request of ours — the browser opened with
the authorize URL, the redirect that reached the loopback listener, the device code shown —
recorded masked, like an exchange.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.errors import Cancelled

Outcome = Literal["running", "ok", "failed", "cancelled"]

#: Who takes part in a flow: the lanes of its sequence diagram.
Actor = Literal["user", "client", "authorization_server", "resource_server", "cognito"]


@dataclass(frozen=True)
class Flow:
    """One run of a tab or a CLI command; ``reason`` says why it failed or was cancelled."""

    id: str
    name: str
    started_at: float
    ended_at: float | None = None
    outcome: Outcome = "running"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "outcome": self.outcome,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Flow:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            started_at=float(data.get("started_at") or 0.0),
            ended_at=None if data.get("ended_at") is None else float(data["ended_at"]),
            outcome=data.get("outcome", "running"),
            reason=str(data.get("reason") or ""),
        )


@dataclass(frozen=True)
class Step:
    """A moment of a flow that is not an HTTP request of ours, masked like an exchange.

    ``kind`` names it for code ("browser_opened", "redirect_received", "device_code_shown",
    "user_approved"); ``text`` says it in words; ``source`` and ``target`` are the lanes of its
    arrow; ``detail`` holds masked values (a URL, the names of a redirect's parameters).
    """

    id: int
    at: float
    kind: str
    text: str
    source: Actor
    target: Actor
    flow_id: str | None = None
    detail: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "kind": self.kind,
            "text": self.text,
            "source": self.source,
            "target": self.target,
            "flow_id": self.flow_id,
            "detail": dict(self.detail),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        return cls(
            id=int(data.get("id") or 0),
            at=float(data.get("at") or 0.0),
            kind=str(data.get("kind", "")),
            text=str(data.get("text", "")),
            source=data.get("source", "client"),
            target=data.get("target", "client"),
            flow_id=data.get("flow_id"),
            detail={str(k): str(v) for k, v in (data.get("detail") or {}).items()},
        )


class FlowRun:
    """The flow in progress inside :func:`flow_scope`: :meth:`fail` records a failure that
    came without an exception (a command that returns an exit code)."""

    def __init__(self, name: str) -> None:
        self._lock = threading.Lock()
        self._flow = Flow(id=uuid.uuid4().hex[:12], name=name, started_at=time.time())

    @property
    def id(self) -> str:
        return self._flow.id

    def snapshot(self) -> Flow:
        with self._lock:
            return self._flow

    def fail(self, reason: str) -> None:
        self._end("failed", reason)

    def _end(self, outcome: Outcome, reason: str = "") -> None:
        with self._lock:
            if self._flow.outcome != "running":
                return
            self._flow = Flow(
                self._flow.id, self._flow.name, self._flow.started_at, time.time(), outcome, reason
            )


_current: ContextVar[FlowRun | None] = ContextVar("workbench_flow", default=None)


def current_flow() -> FlowRun | None:
    """The flow the calling code runs in (on this thread), if any."""
    return _current.get()


@contextmanager
def flow_scope(name: str, mask: Callable[[str], str] | None = None) -> Iterator[FlowRun]:
    """Run the body as the flow ``name``; its outcome comes from how the body ends.

    ``mask`` (text → text) hides secrets in a failure's reason; a cancellation (``Cancelled``,
    Ctrl+C, a closed generator) is ``cancelled``, any other exception ``failed`` with its text.
    """
    run = FlowRun(name)
    token = _current.set(run)
    try:
        yield run
    except (Cancelled, KeyboardInterrupt, GeneratorExit) as exc:
        run._end("cancelled", _masked(str(exc), mask))
        raise
    except BaseException as exc:
        run._end("failed", _masked(str(exc) or type(exc).__name__, mask))
        raise
    else:
        run._end("ok")
    finally:
        _current.reset(token)


def _masked(text: str, mask: Callable[[str], str] | None) -> str:
    return mask(text) if mask is not None else text
