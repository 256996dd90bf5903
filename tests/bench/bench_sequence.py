"""A 1,000-exchange session with the Sequence dock shown, against the same session without it.

    python -m tests.bench.bench_sequence [--short-flows N] [--polls N] [--rounds N]
    (from the repository root)

A MainWindow (offscreen) gets 1,000 real exchanges: HttpClient sends to a tiny HTTP server in
a child process (it answers at once, so the GUI is what is measured), on two worker threads as
the app runs flows: 175 short flows of 4 exchanges (discovery, client_credentials token,
userinfo, refresh) one after the other, and beside them one long device flow (the device
authorization and 299 polls, each answered ``authorization_pending``). Each flow is a flow of
the log (``log.flow``) and announces its start and end on ``sig_busy_changed`` like a tab.

Printed, each in ms and as a ratio against a baseline measured in the same run (for the
sessions, the median of each pair's ratio: a baseline session, then one with the dock):
  stall      the longest gap of a 2 ms QTimer heartbeat while the exchanges arrive, with the
             dock shown (on the right, the log dock below: both painted) vs the same session
             in the same window with the dock removed (also the 99th percentile
             gap, the time until the GUI has taken in all 1,000, the GUI thread's CPU time,
             which a busy shared machine changes least, and the dock's model builds)
  redraw     what one new exchange costs the dock: ``sig_exchange`` of an exchange of the
             selected flow (the long device flow), then the events it queues and the paint;
             with 1,000 exchanges in the log vs with 10 (a session of the same shape)
  other      the same for an exchange of a flow that is not selected
  switch     choosing another flow in the picker (long device flow <-> a short one), drawn
  paint      one paint of the view (``repaint``) of the selected flow
No assertion is on time; the arrow counts and the picker's flows are checked.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's workbench

# -- the tiny server (run in a child process: python bench_sequence.py --serve) --------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server
    disable_nagle_algorithm = True  # headers and body leave at once (no delayed-ACK wait)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        base = f"http://{self.headers['Host']}"
        if self.path.startswith("/.well-known/"):
            self._answer(200, {"issuer": base, "token_endpoint": base + "/token"})
        else:
            self._answer(200, {"sub": "alice", "name": "Alice"})

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.path == "/device":
            self._answer(
                200,
                {
                    "device_code": "dc-" + "d" * 40,
                    "user_code": "WDJB-MJHT",
                    "verification_uri": "http://127.0.0.1/device",
                    "expires_in": 600,
                    "interval": 5,
                },
            )
        elif "device_code" in form:
            self._answer(400, {"error": "authorization_pending"})
        else:
            token = "at-" + "a" * 60
            self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 300})


def serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


@contextmanager
def tiny_server() -> Iterator[str]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        yield f"http://127.0.0.1:{int(child.stdout.readline())}"
    finally:
        child.terminate()
        child.wait(10)


# -- the session ------------------------------------------------------------------------------


@dataclass
class Shape:
    short_flows: int
    polls: int

    @property
    def exchanges(self) -> int:
        return 4 * self.short_flows + 1 + self.polls


@dataclass
class Session:
    """What one session measured."""

    gaps_ms: list[float] = field(default_factory=list)
    taken_in_s: float = 0.0
    gui_cpu_s: float = 0.0
    builds: int = 0

    @property
    def stall_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.gaps_ms)
        return ordered[int(len(ordered) * 0.99)] if ordered else 0.0


def send_flows(state: Any, base: str, shape: Shape, device: bool) -> None:
    """One worker thread's flows: the long device flow, or the short flows one by one."""
    from workbench.core.oauth.client_auth import ClientConfig
    from workbench.core.oauth.refresh import build_refresh_request
    from workbench.core.oauth.rfc6749_grants import build_client_credentials_request
    from workbench.core.oauth.rfc8628_device import (
        build_device_authorization_request,
        build_device_token_request,
    )
    from workbench.core.oauth.userinfo import build_userinfo_request
    from workbench.core.transport.http import HttpClient

    http = HttpClient(state.log)
    client = ClientConfig("bench-client", "bench-secret-" + "s" * 20)
    state.log.add_secret(client.client_secret)
    token_url = base + "/token"

    def flow(name: str, body: Callable[[], None]) -> None:
        state.sig_busy_changed.emit(True)
        try:
            with state.log.flow(name):
                body()
        finally:
            state.sig_busy_changed.emit(False)

    def device_flow() -> None:
        http.send(build_device_authorization_request(base + "/device", client, "api:read"))
        for _ in range(shape.polls):
            http.send(build_device_token_request(token_url, client, "dc-" + "d" * 40))

    def short_flow() -> None:
        http.get_json(base + "/.well-known/openid-configuration", purpose="discovery")
        http.send(build_client_credentials_request(token_url, client, "api:read"))
        http.send(build_userinfo_request(base + "/userinfo", "at-" + "a" * 60))
        http.send(build_refresh_request(token_url, client, "rt-" + "r" * 40))

    try:
        if device:
            flow("device", device_flow)
        else:
            for _ in range(shape.short_flows):
                flow("clientCredentials", short_flow)
    finally:
        http.close()


def run_session(app: Any, window: Any, base: str, shape: Shape) -> Session:
    """Send ``shape``'s exchanges while the GUI's event loop runs with a 2 ms heartbeat."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    state, session, loop = window.state, Session(), QEventLoop()
    taken = [0]
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        session.gaps_ms.append((now - last[0]) * 1000)
        last[0] = now

    def took(_exchange: object) -> None:  # connected last: runs after the docks' slots
        taken[0] += 1
        if taken[0] == shape.exchanges:
            session.taken_in_s = time.perf_counter() - started

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(2)
    heartbeat.timeout.connect(beat)
    state.sig_exchange.connect(took)
    threads = [
        threading.Thread(target=send_flows, args=(state, base, shape, device), daemon=True)
        for device in (True, False)
    ]
    done = QTimer()
    done.setInterval(20)
    done.timeout.connect(
        lambda: (
            loop.quit()
            if taken[0] >= shape.exchanges and not any(t.is_alive() for t in threads)
            else None
        )
    )
    cpu = time.thread_time()
    started = time.perf_counter()
    last[0] = started
    heartbeat.start()
    done.start()
    for thread in threads:
        thread.start()
    loop.exec()
    heartbeat.stop()
    done.stop()
    for _ in range(5):  # what the last exchanges queued (a coalesced redraw, a busy change)
        app.processEvents()
    session.gui_cpu_s = time.thread_time() - cpu
    state.sig_exchange.disconnect(took)
    assert len(state.log) == shape.exchanges, len(state.log)
    return session


def median_ms(fn: Callable[[int], None], rounds: int) -> float:
    for i in range(3):
        fn(i)
    samples: list[int] = []
    for i in range(rounds):
        start = time.perf_counter_ns()
        fn(i)
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1e6


@dataclass
class DockFigures:
    redraw_ms: float
    other_ms: float
    switch_ms: float
    paint_ms: float
    builds_per_redraw: float
    builds_per_other: float


def measure_dock(
    app: Any, window: Any, shape: Shape, rounds: int, builds: list[int]
) -> DockFigures:
    """Time the dock's answers to one exchange, a flow switch and a paint, after a session."""
    from workbench.core.report.sequence import DEVICE_POLL

    state, dock = window.state, window.sequence_dock
    flows = state.log.flows()
    device = next(flow for flow in flows if flow.name == "device")
    short = flows[-1]
    assert dock.flow_picker.count() == len(flows) == shape.short_flows + 1
    assert dock.flow_picker.currentData() == short.id, "the newest flow is selected"
    model = dock.view.model
    assert model is not None and len(model.arrows) == 8  # 4 requests, 4 replies
    items = state.log.items()
    poll = [e for e in items if e.flow_id == device.id and e.purpose == DEVICE_POLL][-1]
    other = [e for e in items if e.flow_id == short.id][-1]
    indexes = [dock.flow_picker.findData(device.id), dock.flow_picker.findData(short.id)]

    def settle() -> None:
        for _ in range(3):
            app.processEvents()

    def switch(i: int) -> None:
        dock.flow_picker.setCurrentIndex(indexes[i % 2])
        settle()

    switch_ms = median_ms(switch, rounds)
    switch(0)  # the long device flow selected from here on
    model = dock.view.model
    assert model is not None and model.flow is not None and model.flow.id == device.id
    assert len(model.arrows) == 4, "device authorization and the polls collapsed: 2 arrows each"
    assert len(model.arrows[-1].exchange_ids) == shape.polls

    # The log dock's answer to sig_exchange (a row) is left out: only the Sequence dock's counts.
    state.sig_exchange.disconnect(window.log_dock._on_exchange)

    def arrive(exchange: Any) -> Callable[[int], None]:
        def fn(_i: int) -> None:
            state.sig_exchange.emit(exchange)
            settle()

        return fn

    before = builds[0]
    redraw_ms = median_ms(arrive(poll), rounds)
    per_redraw = (builds[0] - before) / (rounds + 3)
    before = builds[0]
    other_ms = median_ms(arrive(other), rounds)
    per_other = (builds[0] - before) / (rounds + 3)
    state.sig_exchange.connect(window.log_dock._on_exchange)
    paint_ms = median_ms(lambda _i: dock.view.repaint(), rounds)
    return DockFigures(redraw_ms, other_ms, switch_ms, paint_ms, per_redraw, per_other)


def make_window(app: Any, with_dock: bool) -> Any:
    from PySide6.QtCore import QCoreApplication, QEvent, Qt

    from workbench.ui.main_window import MainWindow

    window = MainWindow(remember=False)
    window.resize(1360, 860)
    window.show()
    if with_dock:  # out of the log dock's tabs, on the right: both are shown and painted
        dock = window.sequence_dock
        window.removeDockWidget(dock)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.show()
    else:  # the baseline: the same window without the Sequence dock
        dock = window.sequence_dock
        window.removeDockWidget(dock)
        dock.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for _ in range(5):
        app.processEvents()
    assert window.log_dock.isVisible() and window.log_dock.visibleRegion().boundingRect().width()
    if with_dock:
        assert not window.tabifiedDockWidgets(window.sequence_dock)
        assert window.sequence_dock.view.visibleRegion().boundingRect().width() > 0
    return window


def isolate() -> None:
    """Config and data in a temporary directory, secrets in memory: nothing of the user's."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
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

    root = tempfile.mkdtemp(prefix="bench-sequence-")
    os.environ["WORKBENCH_CONFIG_DIR"] = os.path.join(root, "config")
    for name in ("CONFIG", "DATA", "CACHE"):
        os.environ[f"XDG_{name}_HOME"] = os.path.join(root, name.lower())
    keyring.set_keyring(MemoryKeyring())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short-flows", type=int, default=175)
    parser.add_argument("--polls", type=int, default=299)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=3, help="of each kind, alternated")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    isolate()
    from PySide6.QtWidgets import QApplication

    import workbench.ui.diagram.dock as dock_module

    app = QApplication.instance() or QApplication([])
    builds = [0]
    build_sequence = dock_module.build_sequence

    def counted(*a: Any, **k: Any) -> Any:
        builds[0] += 1
        return build_sequence(*a, **k)

    dock_module.build_sequence = counted  # type: ignore[assignment]
    big, small = Shape(args.short_flows, args.polls), Shape(2, 1)
    sessions: dict[str, list[Session]] = {"baseline": [], "big": []}
    figures: dict[str, DockFigures] = {}
    runs = [("small", small, True)] + [("baseline", big, False), ("big", big, True)] * max(
        args.sessions, 1
    )
    with tiny_server() as base:
        for name, shape, with_dock in runs:
            window = make_window(app, with_dock)
            builds[0] = 0
            session = run_session(app, window, base, shape)
            session.builds = builds[0]
            sessions.setdefault(name, []).append(session)
            if with_dock:  # the last session's dock is measured
                figures[name] = measure_dock(app, window, shape, args.rounds, builds)
            window.state.close()
            window.close()
            window.deleteLater()
            app.processEvents()
    report(sessions, figures, big)


def report(sessions: dict[str, list[Session]], figures: dict[str, DockFigures], big: Shape) -> None:
    dock, small = figures["big"], figures["small"]
    shown, bare = sessions["big"], sessions["baseline"]

    def median(runs: list[Session], what: Callable[[Session], float]) -> float:
        return statistics.median(what(run) for run in runs)

    print(
        f"session: {big.exchanges} exchanges: {big.short_flows} flows of 4 and one device flow "
        f"of {big.polls + 1}, two worker threads, offscreen; median of {len(shown)} sessions"
    )
    print(f"{'':44}{'measured':>12}{'baseline':>12}{'ratio':>8}")

    def row(what: str, value: float, base: float, unit: str = "ms") -> None:
        print(f"{what:44}{value:9.2f} {unit:2}{base:9.2f} {unit:2}{value / base:8.2f}")

    def session_row(what: str, of: Callable[[Session], float], unit: str = "ms") -> None:
        # The ratio is the median of each pair's (a baseline session, then a dock session), so
        # that a load that drifts on a shared machine hits both sides of it alike.
        pairs = statistics.median(of(s) / of(b) for s, b in zip(shown, bare, strict=True))
        value, base = median(shown, of), median(bare, of)
        print(f"{what:44}{value:9.2f} {unit:2}{base:9.2f} {unit:2}{pairs:8.2f}")

    print(f"GUI while {big.exchanges:,} arrive (dock shown vs no dock)")
    session_row("  longest event-loop stall", lambda s: s.stall_ms)
    session_row("  99th percentile heartbeat gap", lambda s: s.p99_ms)
    session_row("  all taken in by the GUI", lambda s: s.taken_in_s, "s")
    session_row("  GUI thread's CPU time", lambda s: s.gui_cpu_s, "s")
    print(f"  heartbeats in a session : {median(shown, lambda s: len(s.gaps_ms)):.0f}")
    print(f"  sequence model builds in a session : {median(shown, lambda s: s.builds):.0f}")
    print(f"dock, {big.exchanges:,} exchanges in the log vs 10")
    row("  redraw: an exchange of the selected flow", dock.redraw_ms, small.redraw_ms)
    row("  an exchange of another flow", dock.other_ms, small.other_ms)
    row("  switch flows in the picker", dock.switch_ms, small.switch_ms)
    row("  paint the view", dock.paint_ms, small.paint_ms)
    print(
        f"  model builds per exchange: selected flow {dock.builds_per_redraw:.2f}, "
        f"another flow {dock.builds_per_other:.2f}"
    )


if __name__ == "__main__":
    main()
