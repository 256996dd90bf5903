"""The one place that runs core calls off the GUI thread.

A :class:`Worker` wraps a callable. If the callable returns a generator, each yielded value is
emitted through ``yielded`` and the generator's return value through ``returned`` (device
polling). Workers never touch widgets: results reach them through the signals, which Qt
delivers on the GUI thread because the signal object lives there.

Every worker gets a :class:`~workbench.core.transport.cancel.CancelToken` (a
:class:`threading.Event`) it can pass to the core as ``cancel``; the callable runs inside the
token's :func:`~workbench.core.transport.cancel.cancel_scope`, so Cancel also closes the
connection of the request in flight and the call ends with
:class:`~workbench.core.errors.Cancelled` at once.
:func:`cancel_all` sets them all and :func:`wait_all` waits for the pool to drain (window
close, tests).

Results reach widgets one way: the ``on_…`` callbacks of :func:`start`. With ``owner`` they are
delivered through a relay object that is the owner's child, so a late result never reaches a
widget that was deleted meanwhile (Qt disconnects a destroyed receiver's slots).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:
    from workbench.core.transport.cancel import CancelToken


class WorkerSignals(QObject):
    """Signals of one worker; created on the GUI thread so slots run there."""

    sig_started = Signal()
    """The callable began running on a pool thread."""
    sig_yielded = Signal(object)
    """A generator worker produced an intermediate value."""
    sig_returned = Signal(object)
    """The callable (or generator) finished with this value."""
    sig_errored = Signal(object)
    """The callable raised this exception."""
    sig_finished = Signal()
    """Always last, after returned or errored."""


class Worker(QRunnable):
    """Run ``fn(*args, **kwargs)`` on the global QThreadPool."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        # Imported here, not at the top: the main window imports this module before its frame
        # is shown, and the core's HTTP stack (requests) is not needed for the frame.
        from workbench.core.transport.cancel import CancelToken

        self.cancel_event: CancelToken = CancelToken()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs

    def cancel(self) -> None:
        """Stop the work: the request in flight is closed, the core's waits end at once."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def run(self) -> None:
        signals = self.signals
        from workbench.core.transport.cancel import cancel_scope

        signals.sig_started.emit()
        try:
            with cancel_scope(self.cancel_event):
                result = self._fn(*self._args, **self._kwargs)
                if isinstance(result, Generator):
                    result = self._drain(result)
        except BaseException as exc:  # delivered to the GUI thread, never lost in the pool
            signals.sig_errored.emit(exc)
        else:
            signals.sig_returned.emit(result)
        finally:
            signals.sig_finished.emit()
            _forget(self)

    def _drain(self, gen: Generator[Any, None, Any]) -> Any:
        try:
            while True:
                value = next(gen)
                self.signals.sig_yielded.emit(value)
        except StopIteration as done:
            return done.value
        finally:
            gen.close()


class _Relay(QObject):
    """Receives one worker's signals for its owner; dies with it (see :func:`start`)."""

    def __init__(
        self,
        owner: QObject,
        on_returned: Callable[[Any], None] | None,
        on_errored: Callable[[Any], None] | None,
        on_yielded: Callable[[Any], None] | None,
        on_finished: Callable[[], None] | None,
    ) -> None:
        super().__init__(owner)
        self._returned = on_returned
        self._errored = on_errored
        self._yielded = on_yielded
        self._finished = on_finished

    def returned(self, value: object) -> None:
        if self._returned is not None:
            self._returned(value)

    def errored(self, exc: object) -> None:
        if self._errored is not None:
            self._errored(exc)

    def yielded(self, value: object) -> None:
        if self._yielded is not None:
            self._yielded(value)

    def finished(self) -> None:
        try:
            if self._finished is not None:
                self._finished()
        finally:
            self.deleteLater()


MIN_POOL_THREADS = 16
_lock = threading.Lock()
_active: set[Worker] = set()


def _forget(worker: Worker) -> None:
    with _lock:
        _active.discard(worker)


def start(
    fn: Callable[..., Any],
    *args: Any,
    on_returned: Callable[[Any], None] | None = None,
    on_errored: Callable[[Any], None] | None = None,
    on_yielded: Callable[[Any], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    with_cancel: bool = False,
    owner: QObject | None = None,
    **kwargs: Any,
) -> Worker:
    """Create a worker, connect the given slots, start it on the global pool, return it.

    With ``with_cancel`` the worker's cancel event is passed to ``fn`` as ``cancel=``. With
    ``owner`` the slots are called only while the owner lives (a relay, its child, calls them).
    """
    worker = Worker(fn, *args, **kwargs)
    if with_cancel:
        worker._kwargs["cancel"] = worker.cancel_event
    if owner is not None:
        relay = _Relay(owner, on_returned, on_errored, on_yielded, on_finished)
        on_returned, on_errored = relay.returned, relay.errored
        on_yielded, on_finished = relay.yielded, relay.finished
    if on_returned is not None:
        worker.signals.sig_returned.connect(on_returned)
    if on_errored is not None:
        worker.signals.sig_errored.connect(on_errored)
    if on_yielded is not None:
        worker.signals.sig_yielded.connect(on_yielded)
    if on_finished is not None:
        worker.signals.sig_finished.connect(on_finished)
    with _lock:
        _active.add(worker)
    pool = QThreadPool.globalInstance()
    # Browser and device logins wait for minutes; on a 2-core machine the default pool size
    # would let two of them starve every other request.
    pool.setMaxThreadCount(max(pool.maxThreadCount(), MIN_POOL_THREADS))
    pool.start(worker)
    return worker


class OwnedWorkers:
    """The workers one widget started with ``owner=`` itself: :attr:`busy` while any runs."""

    def __init__(self, owner: QObject) -> None:
        self._owner = owner
        self._running: set[Worker] = set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def start(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_returned: Callable[[Any], None] | None = None,
        on_errored: Callable[[Any], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        on_yielded: Callable[[Any], None] | None = None,
        with_cancel: bool = False,
    ) -> Worker:
        """Start ``fn`` owned by the widget (see :func:`start`); the worker, to cancel it."""

        def finished() -> None:
            self._running.discard(worker)
            if on_finished is not None:
                on_finished()

        worker = start(
            fn,
            *args,
            on_returned=on_returned,
            on_errored=on_errored,
            on_finished=finished,
            on_yielded=on_yielded,
            with_cancel=with_cancel,
            owner=self._owner,
        )
        self._running.add(worker)
        return worker


def active() -> list[Worker]:
    with _lock:
        return list(_active)


def cancel_all() -> None:
    for worker in active():
        worker.cancel()


def wait_all(timeout_ms: int = 5000) -> bool:
    """Wait for every pool thread to finish; True when the pool drained in time."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
