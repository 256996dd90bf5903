"""Cancelling work in flight: the cancel token and the thread's cancel scope.

:class:`CancelToken` is a cancel event that, when set, runs the hooks registered on it: the
request :class:`~workbench.core.transport.http.HttpClient` is sending shuts its connection down
(through the watchdog of :mod:`workbench.core.transport.watchdog`), so a server that accepts and
never answers is left at once and the caller gets :class:`~workbench.core.errors.Cancelled`. The
token reaches ``send`` through :func:`cancel_scope` (thread-local), so no flow function needs a
cancel parameter of its own; :func:`current_cancel` is how ``send`` (and a waiter such as
:mod:`workbench.core.single_flight`) finds it.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Iterator

from workbench.core.errors import Cancelled


class CancelToken(threading.Event):
    """A cancel event that also stops what its thread is waiting for, at once.

    It is a :class:`threading.Event` (the core's waits, device polling and the loopback
    listener, take it as their ``cancel``); setting it also runs the hooks registered with
    :meth:`on_cancel`: the request in flight shuts its socket down, a caller waiting for another
    thread's discovery wakes up. Hooks run on the cancelling thread and must be quick.
    """

    def __init__(self) -> None:
        super().__init__()
        self._hooks_lock = threading.Lock()
        self._hooks: dict[int, Callable[[], None]] = {}
        self._hook_ids = itertools.count()

    def set(self) -> None:
        super().set()
        with self._hooks_lock:
            hooks = list(self._hooks.values())
        for hook in hooks:
            hook()

    def cancel(self) -> None:
        self.set()

    def on_cancel(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run ``hook`` when the token is set (at once if it already is); returns a remover."""
        with self._hooks_lock:
            key = next(self._hook_ids)
            self._hooks[key] = hook
        if self.is_set():  # set before or while registering: the hook may run twice, never 0
            hook()

        def remove() -> None:
            with self._hooks_lock:
                self._hooks.pop(key, None)

        return remove

    def check(self, what: str = "Cancelled.") -> None:
        """Raise :class:`Cancelled` when the token is set."""
        if self.is_set():
            raise Cancelled(what)


_cancel_scope = threading.local()  # .token: the CancelToken of the work this thread runs


@contextlib.contextmanager
def cancel_scope(token: CancelToken | None) -> Iterator[CancelToken | None]:
    """Every request this thread sends inside the block is cancelled by ``token``."""
    previous: CancelToken | None = getattr(_cancel_scope, "token", None)
    _cancel_scope.token = token
    try:
        yield token
    finally:
        _cancel_scope.token = previous


def current_cancel() -> CancelToken | None:
    """The cancel token of the work running on this thread, if any."""
    token: CancelToken | None = getattr(_cancel_scope, "token", None)
    return token
