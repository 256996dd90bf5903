"""``workbench``: the desktop app; ``workbench COMMAND …`` the headless twin (no Qt import)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

CLI_COMMANDS = frozenset(
    {
        "token",
        "call",
        "inspect",
        "revoke",
        "introspect",
        "userinfo",
        "discover",
        "profile",
        "demo-server",
        "signout",
        "cognito",
        "logout",
        "report",
        "keys",
        "register",
    }
)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in CLI_COMMANDS:
        from workbench import cli

        return cli.main(args)
    from workbench import app

    return app.main(args)


if __name__ == "__main__":
    sys.exit(main())
