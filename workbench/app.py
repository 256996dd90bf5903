"""The desktop entry point: arguments, QApplication, excepthook, main window, screenshots."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from workbench import __version__

SCREENSHOT_SETTLE_MS = 600
SCREENSHOT_TIMEOUT_MS = 20_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Token Workbench: the desktop app. Commands (token, inspect, revoke, "
        "introspect, userinfo, discover, profile, demo-server, signout, cognito) run the "
        "command-line twin; see `workbench token --help`.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="start the embedded demo server and preselect it"
    )
    parser.add_argument("--screenshot", metavar="FILE", help="render the window to a PNG, exit")
    parser.add_argument("--tab", metavar="NAME", help="open this tab (authCode, device, …)")
    parser.add_argument(
        "--size", default="1360x860", metavar="WxH", help="window size for --screenshot"
    )
    parser.add_argument(
        "--revoke",
        action="store_true",
        help="with --demo --screenshot: revoke the access token first, to show the "
        "revocation reality check",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot:
        # Rendering to a file needs no screen: offscreen unless the caller chose a platform.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Token Workbench")
    app.setOrganizationName("TokenWorkbench")
    app.setApplicationVersion(__version__)

    from workbench.ui.style import apply_style

    apply_style(app)
    from workbench.ui.main_window import MainWindow

    if args.screenshot:
        return _screenshot(args, MainWindow(remember=False))
    window = MainWindow(deferred=True)
    install_excepthook(window)
    started = _Startup(window, args)
    window.show()
    QTimer.singleShot(0, started.finish)
    try:
        return app.exec()
    finally:
        window.close()
        started.stop_demo()


class _Startup:
    """What happens right after the frame is shown: contents, tab, demo server (in a worker)."""

    def __init__(self, window: Any, args: argparse.Namespace) -> None:
        self.window = window
        self.args = args
        self.server: Any = None
        self.report = bool(os.environ.get("WORKBENCH_QUIT_WHEN_SHOWN"))

    def finish(self) -> None:
        if self.report:
            _report("shown")
        window = self.window
        if self.args.demo:
            # The demo server starts in a worker while the contents are built here.
            from workbench import workers

            workers.start(
                self._start_demo, on_returned=self._on_demo, on_errored=self._on_demo_error
            )
        window.build()
        if self.args.tab:
            try:
                window.select_tab(self.args.tab)
            except KeyError as exc:
                window.statusBar().showMessage(str(exc.args[0]))
        if self.args.demo:
            if not window.state.demo_issuer:
                window.demo_label.setText("Starting the demo provider…")
        else:
            window.provider_bar.reload()
            self._ready()

    def _start_demo(self) -> str:
        from workbench.demo import DemoConfig, DemoServer

        self.server = DemoServer(DemoConfig()).start()  # kept here so exit can stop it
        return str(self.server.issuer)

    def _on_demo(self, issuer: str) -> None:
        self.window.set_demo_issuer(issuer)
        self._ready()

    def _on_demo_error(self, exc: BaseException) -> None:
        from workbench.ui.dialogs.exception_dialog import show_exception

        self.window.demo_label.setText("The demo provider could not start.")
        show_exception(self.window, exc)

    def _ready(self) -> None:
        if self.report:
            _report("ready")
            from PySide6.QtWidgets import QApplication

            QApplication.quit()

    def stop_demo(self) -> None:
        if self.server is not None:
            self.server.stop()


def _screenshot(args: argparse.Namespace, window: Any) -> int:
    """Build everything synchronously (no one is waiting for a frame), render, exit."""
    from workbench.ui.screenshot import take_screenshot

    server = None
    try:
        if args.demo:
            from workbench.demo import DemoConfig, DemoServer

            server = DemoServer(DemoConfig()).start()
            window.set_demo_issuer(server.issuer)
        else:
            window.provider_bar.reload()
        if args.tab:
            try:
                window.select_tab(args.tab)
            except KeyError as exc:
                print(f"workbench: {exc.args[0]}", file=sys.stderr)
                return 2
        width, _, height = args.size.partition("x")
        return take_screenshot(
            window, Path(args.screenshot), (int(width), int(height)), revoke=args.revoke
        )
    finally:
        window.close()
        if server is not None:
            server.stop()


def install_excepthook(window: Any) -> None:
    """An exception escaping a slot opens the error dialog instead of killing the app."""
    from workbench.ui.dialogs.exception_dialog import show_exception

    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        previous(kind, exc, tb)  # still printed on stderr for bug reports
        show_exception(window, exc)

    sys.excepthook = hook


def _report(what: str) -> None:
    """Print when the window reached ``what`` and the resident memory (start-up benchmark)."""
    rss_kb = 0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
    except OSError:
        pass
    print(f"{what} at={time.time():.6f} rss_kb={rss_kb}", file=sys.stderr, flush=True)
