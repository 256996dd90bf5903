"""Results reach widgets one way: ``workers.start``'s callbacks, through the owner when given.

No peer is involved: the workers run plain callables on the real global QThreadPool.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from workbench.ui import workers


def test_owner_receives_the_result_and_the_finish(qtbot: QtBot) -> None:
    owner = QObject()
    got: list[object] = []
    finished: list[bool] = []
    workers.start(
        lambda: 42, on_returned=got.append, on_finished=lambda: finished.append(True), owner=owner
    )
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    assert got == [42]


def test_owner_receives_errors_and_yields(qtbot: QtBot) -> None:
    owner = QObject()
    errors: list[object] = []
    values: list[object] = []
    finished: list[bool] = []

    def steps():  # type: ignore[no-untyped-def]
        yield 1
        yield 2
        raise ValueError("boom")

    workers.start(
        steps,
        on_yielded=values.append,
        on_errored=errors.append,
        on_finished=lambda: finished.append(True),
        owner=owner,
    )
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    assert values == [1, 2]
    assert len(errors) == 1 and isinstance(errors[0], ValueError)


def test_a_late_result_never_reaches_a_deleted_owner(qtbot: QtBot) -> None:
    owner = QObject()
    release = threading.Event()
    got: list[object] = []
    done: list[bool] = []
    worker = workers.start(
        lambda: release.wait(5) and "late",
        on_returned=got.append,
        on_finished=lambda: done.append(True),
        owner=owner,
    )
    # A slot without an owner tells when the worker's signals were delivered.
    worker.signals.sig_finished.connect(lambda: done.append(False))
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: done == [False], timeout=5000)
    assert got == [], "the result reached a deleted owner"


def _alive(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:
        return False
    return True


def test_owned_workers_are_busy_until_the_last_one_finished(qtbot: QtBot) -> None:
    owner = QObject()
    group = workers.OwnedWorkers(owner)
    release = threading.Event()
    got: list[object] = []
    assert not group.busy
    group.start(lambda: release.wait(5) and "first", on_returned=got.append)
    group.start(lambda: "second", on_returned=got.append)
    assert group.busy
    qtbot.waitUntil(lambda: got == ["second"], timeout=5000)
    assert group.busy, "the first worker still runs"
    release.set()
    qtbot.waitUntil(lambda: not group.busy, timeout=5000)
    assert got == ["second", "first"]
