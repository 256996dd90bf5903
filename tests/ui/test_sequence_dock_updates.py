"""How the Sequence dock keeps up with a long session, against the demo server: a burst of
exchanges of the shown flow is one model build, another flow's exchanges build nothing, and
the picker takes in new flows and outcomes without being listed again."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import workbench.ui.diagram.dock as dock_module
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.ui.diagram.dock import SequenceDock, flow_title
from workbench.ui.state import AppState


class Builds:
    """Counts the sequence models the dock builds (the real builder does the work)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = dock_module.build_sequence

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(dock_module, "build_sequence", counted)


@pytest.fixture
def state() -> Iterator[AppState]:
    opened = AppState()
    yield opened
    opened.close()


@pytest.fixture
def dock(qtbot: Any, state: AppState) -> SequenceDock:
    shown = SequenceDock(state)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def discovery(http: HttpClient, demo: DemoServer) -> None:
    http.get_json(demo.issuer + "/.well-known/openid-configuration", purpose="discovery")


def settle(qtbot: Any) -> None:
    """Let the event loop turn (the dock's coalesced redraw runs on the next turn)."""
    qtbot.wait(20)


def test_a_burst_of_the_shown_flows_exchanges_is_one_model_build(
    qtbot: Any, demo: DemoServer, state: AppState, dock: SequenceDock, monkeypatch: Any
) -> None:
    builds = Builds(monkeypatch)
    http = HttpClient(state.log)
    try:
        with state.log.flow("burst") as run:
            for _ in range(3):  # sent on this thread: no event is handled in between
                discovery(http, demo)
            assert builds.count == 0 and dock.view.model is None, "nothing drawn before the turn"
            settle(qtbot)
            assert builds.count == 1
            model = dock.view.model
            assert model is not None and model.flow is not None and model.flow.id == run.id
            assert len(model.arrows) == 6  # three requests, three replies
            for _ in range(4):
                discovery(http, demo)
            settle(qtbot)
            assert builds.count == 2
            assert dock.view.model is not None and len(dock.view.model.arrows) == 14
            # Asked for between two turns, the sequence already holds every exchange.
            discovery(http, demo)
            model = dock.sequence()
            assert model is not None and len(model.arrows) == 16
    finally:
        http.close()


def test_another_flows_exchanges_build_nothing(
    qtbot: Any, demo: DemoServer, state: AppState, dock: SequenceDock, monkeypatch: Any
) -> None:
    """A long flow polls on a worker thread (as a device flow does) while another is shown."""
    orders: queue.Queue[str] = queue.Queue()
    http = HttpClient(state.log)
    polling_id: list[str] = []
    joined = threading.Event()

    def poller() -> None:
        with state.log.flow("polling") as run:
            polling_id.append(run.id)
            discovery(http, demo)
            joined.set()
            while orders.get() == "send":
                discovery(http, demo)

    worker = threading.Thread(target=poller)
    worker.start()
    try:
        assert joined.wait(10)
        qtbot.waitUntil(lambda: dock.flow_picker.count() == 1, timeout=5000)
        with state.log.flow("shown") as shown:
            discovery(http, demo)
        settle(qtbot)
        assert dock.flow_picker.currentData() == shown.id, "the newest flow is shown"
        builds = Builds(monkeypatch)
        seen = [0]
        state.sig_exchange.connect(lambda _e: seen.__setitem__(0, seen[0] + 1))
        for _ in range(3):
            orders.put("send")
        qtbot.waitUntil(lambda: seen[0] == 3, timeout=10_000)
        settle(qtbot)
        assert builds.count == 0
        model = dock.view.model
        assert model is not None and model.flow is not None and model.flow.id == shown.id
        assert dock.flow_picker.currentData() == shown.id

        dock.flow_picker.setCurrentIndex(dock.flow_picker.findData(polling_id[0]))
        assert builds.count == 1
        model = dock.view.model
        assert model is not None and model.flow is not None and model.flow.id == polling_id[0]
        assert len(model.arrows) == 8  # four discoveries and their replies
        orders.put("send")
        qtbot.waitUntil(lambda: seen[0] == 4, timeout=10_000)
        settle(qtbot)
        assert builds.count == 2 and len(dock.view.model.arrows) == 10
    finally:
        orders.put("stop")
        worker.join(10)
        http.close()


def test_the_picker_takes_in_new_flows_and_outcomes_without_listing_all_again(
    qtbot: Any, demo: DemoServer, state: AppState, dock: SequenceDock
) -> None:
    removed = [0]
    dock.flow_picker.model().rowsRemoved.connect(lambda *_: removed.__setitem__(0, removed[0] + 1))
    http = HttpClient(state.log)
    try:
        for name in ("first", "second", "third"):
            with state.log.flow(name):
                discovery(http, demo)
            settle(qtbot)
        with pytest.raises(RuntimeError), state.log.flow("fourth"):
            discovery(http, demo)
            settle(qtbot)
            assert dock.flow_picker.currentText().endswith("(running)")
            raise RuntimeError("stopped")
        state.sig_busy_changed.emit(False)  # a flow's end, as a tab announces it
        titles = [dock.flow_picker.itemText(row) for row in range(dock.flow_picker.count())]
        assert titles == [flow_title(flow) for flow in reversed(state.log.flows())]
        assert titles[0].startswith("fourth") and titles[0].endswith("(failed)")
        assert dock.flow_picker.currentIndex() == 0
        assert removed[0] == 0, "entries were added and retitled, never removed"

        state.log.clear()
        with state.log.flow("after clearing") as after:
            discovery(http, demo)
        settle(qtbot)
        assert dock.flow_picker.count() == 1 and dock.flow_picker.currentData() == after.id
        model = dock.view.model
        assert model is not None and len(model.arrows) == 2
    finally:
        http.close()
