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
    parser.add_argument(
        "--lan",
        action="store_true",
        help="with --demo: serve the demo provider on this machine's LAN address so phones "
        "can open the device login (testing only: public passwords, plain HTTP)",
    )
    parser.add_argument("--screenshot", metavar="FILE", help="render the window to a PNG, exit")
    parser.add_argument("--tab", metavar="NAME", help="open this tab (authCode, device, …)")
    parser.add_argument(
        "--size", default="1366x768", metavar="WxH", help="window size for --screenshot"
    )
    parser.add_argument(
        "--presenter",
        action="store_true",
        help="with --screenshot --tab device: render the presenter view instead of the window",
    )
    parser.add_argument(
        "--revoke",
        action="store_true",
        help="with --demo --screenshot: revoke the access token first, to show the "
        "revocation reality check",
    )
    parser.add_argument(
        "--logout",
        action="store_true",
        help="with --demo --screenshot: log out at the demo server first, to show the logout"
        " reality check (the end-session URL is followed in-process, no browser opens)",
    )
    parser.add_argument(
        "--pre-token-trigger",
        metavar="FILE.py",
        help="with --demo: open the pre-token trigger lab with this lambda_handler file loaded "
        "(with --screenshot: the lab is rendered, a token before and after the handler)",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="with --demo --screenshot: open the token history and compare its two newest "
        "sets (--tab refresh makes a second one)",
    )
    parser.add_argument(
        "--color-scheme",
        choices=("system", "light", "dark"),
        default="system",
        help="light or dark whatever the desktop says (default: follow the desktop)",
    )
    parser.add_argument(
        "--sequence",
        action="store_true",
        help="with --demo --screenshot: run the chosen tab's flow and show it in the Sequence dock",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lan and not args.demo:
        parser.error("--lan serves the demo provider: use it with --demo")
    if args.pre_token_trigger and not args.demo:
        parser.error("--pre-token-trigger runs in the demo provider: use it with --demo")
    if args.screenshot:
        # Rendering to a file needs no screen: offscreen unless the caller chose a platform.
        if not os.environ.get("QT_QPA_PLATFORM"):  # unset or empty
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        from workbench.ui.platform_check import xcb_problem

        problem = xcb_problem()
        if problem is not None:  # Qt would abort with its own words (exit 134)
            print(f"workbench: {problem}", file=sys.stderr)
            return 1
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Token Workbench")
    app.setOrganizationName("TokenWorkbench")
    app.setApplicationVersion(__version__)

    from workbench.ui.theme import apply_app_style

    apply_app_style(app, args.color_scheme)
    from workbench.ui.main_window import MainWindow

    if args.screenshot:
        from workbench.core.history import TokenHistory
        from workbench.core.secrets import SecretStore
        from workbench.ui.state import AppState

        # The same picture on every machine: no token set from or into the keyring.
        state = AppState(history=TokenHistory(SecretStore(use_keyring=False)))
        return _screenshot(args, MainWindow(state, remember=False))
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
        self.host: Any = None
        self.report = bool(os.environ.get("WORKBENCH_QUIT_WHEN_SHOWN"))

    def finish(self) -> None:
        if self.report:
            _report("shown")
        window = self.window
        if self.args.demo:
            # The demo server starts in a worker while the contents are built here.
            from workbench.ui.demo_host import DemoHost

            self.host = DemoHost(lan=self.args.lan, parent=window)
            self.host.sig_started.connect(self._on_demo)
            self.host.sig_failed.connect(self._on_demo_error)
            self.host.start()
        window.build()
        if self.host is not None:
            window.attach_demo(self.host)
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

    def _on_demo(self, issuer: str, exposed: bool) -> None:
        self.host.sig_started.disconnect(self._on_demo)  # the window follows restarts itself
        if self.args.pre_token_trigger:
            self.window.open_trigger_lab().use_handler(self.args.pre_token_trigger)
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
        if self.host is not None:
            self.host.stop()


def _screenshot(args: argparse.Namespace, window: Any) -> int:
    """Build everything synchronously (no one is waiting for a frame), render, exit."""
    from workbench.ui.screenshot import take_screenshot

    server = None
    try:
        if args.demo:
            from workbench.ui.demo_host import start_demo_server

            server = start_demo_server(args.lan)
            window.set_demo_issuer(server.issuer, exposed=bool(server.config.exposed))
            if args.pre_token_trigger:  # the lab follows a DemoHost: one holding this server
                from workbench.ui.demo_host import DemoHost

                host = DemoHost(lan=args.lan, parent=window)
                host.server = server
                window.attach_demo(host)
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
            window,
            Path(args.screenshot),
            (int(width), int(height)),
            revoke=args.revoke,
            presenter=args.presenter,
            logout=args.logout,
            trigger=args.pre_token_trigger,
            history=args.history,
            sequence=args.sequence,
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
