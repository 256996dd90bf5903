"""One value fetched once and shared: while one caller fetches, every other caller waits for that
fetch and shares its result or its error.

:class:`~workbench.core.session.OAuthSession` keeps its provider's metadata in one, so however
many tabs ask at once, one discovery request pair goes out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from workbench.core.errors import Cancelled
from workbench.core.transport.cancel import current_cancel

T = TypeVar("T")


class _Flight(Generic[T]):
    """One fetch in progress, shared by every caller that wants the value meanwhile."""

    def __init__(self) -> None:
        self.result: T | None = None
        self.error: BaseException | None = None
        self.wakes: list[threading.Event] = []


class SingleFlight(Generic[T]):
    """``fetch()`` called once for every caller; ``on_fetched`` (on the fetching thread) after
    each successful fetch. ``waiting`` is what a waiting caller's own Cancel says."""

    def __init__(
        self,
        fetch: Callable[[], T],
        on_fetched: Callable[[T], None],
        waiting: str,
    ) -> None:
        self._fetch = fetch
        self._on_fetched = on_fetched
        self._waiting = waiting
        self._value: T | None = None
        self._lock = threading.Lock()
        self._flight: _Flight[T] | None = None

    def waiters(self) -> int:
        """How many callers wait for the fetch in progress (0 when none is)."""
        with self._lock:
            return len(self._flight.wakes) if self._flight is not None else 0

    def get(self, refresh: bool = False) -> T:
        """The value, fetched on the first call (or with ``refresh``).

        A waiting caller's own Cancel ends its wait at once; when the fetching caller is
        cancelled, a waiting caller that was not fetches for itself.
        """
        token = current_cancel()
        while True:
            with self._lock:
                if self._value is not None and not refresh:
                    return self._value
                flight = self._flight
                if flight is None:
                    flight = self._flight = _Flight()
                    leading = True
                else:
                    wake = threading.Event()
                    flight.wakes.append(wake)
                    leading = False
            if leading:
                return self._fetch_for(flight)
            forget = token.on_cancel(wake.set) if token is not None else None
            try:
                wake.wait()
            finally:
                if forget is not None:
                    forget()
            if token is not None:
                token.check(self._waiting)
            if flight.result is not None:
                return flight.result
            if not isinstance(flight.error, Cancelled):
                assert flight.error is not None
                raise flight.error
            # The fetching caller was cancelled, this one was not: fetch (or join) anew.

    def _fetch_for(self, flight: _Flight[T]) -> T:
        try:
            value = self._fetch()
        except BaseException as exc:
            flight.error = exc
            raise
        else:
            flight.result = value
            return value
        finally:
            with self._lock:
                if flight.result is not None:
                    self._value = flight.result
                self._flight = None
                wakes = list(flight.wakes)
            for wake in wakes:
                wake.set()
            if flight.result is not None:
                self._on_fetched(flight.result)


__all__ = ["SingleFlight"]
