"""The embedded demo provider of the desktop app: started, restarted and stopped off the GUI thread.

By default it listens on 127.0.0.1, which only this computer reaches. "Reachable from phones"
(``workbench --demo --lan``, or View ▸ Demo provider reachable from phones) serves it on every
interface with this machine's LAN address in the issuer, so the device flow's address and QR
code work on a phone in the same network. The demo server is for testing only: its passwords
are public and it speaks plain HTTP; the warning says so on stderr and in the status bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.ui import workers

LAN_HOST = "0.0.0.0"  # every interface; the issuer then carries the LAN address
LOOPBACK_HOST = "127.0.0.1"


def start_demo_server(lan: bool, previous: Any = None) -> Any:
    """Stop ``previous`` (a DemoServer or None), start a new one; returns it (worker body)."""
    from workbench.demo import DemoConfig, DemoServer

    if previous is not None:
        previous.stop()
    # On the LAN the server itself logs its exposure warning (stderr, unless logging says
    # otherwise); the window repeats it in the status bar.
    return DemoServer(DemoConfig(host=LAN_HOST if lan else LOOPBACK_HOST)).start()


class DemoHost(QObject):
    """Owns the running demo server; one start or restart at a time."""

    sig_started = Signal(str, bool)
    """The demo provider answers at this issuer; True when reachable from the network."""
    sig_failed = Signal(object)
    """It could not start (the exception)."""
    sig_starting = Signal(bool)
    """A start or restart began (True: on the LAN)."""

    def __init__(self, lan: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lan = lan
        self.server: Any = None
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def issuer(self) -> str | None:
        return str(self.server.issuer) if self.server is not None else None

    def start(self, lan: bool | None = None) -> bool:
        """(Re)start in a worker, on the LAN when ``lan``; False while one is under way."""
        if self._busy:
            return False
        if lan is not None:
            self.lan = lan
        self._busy = True
        previous, self.server = self.server, None
        self.sig_starting.emit(self.lan)
        workers.start(
            start_demo_server,
            self.lan,
            previous,
            on_returned=self._on_started,
            on_errored=self._on_failed,
        )
        return True

    def _on_started(self, server: Any) -> None:
        self._busy = False
        self.server = server
        self.sig_started.emit(str(server.issuer), bool(server.config.exposed))

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.sig_failed.emit(exc)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
