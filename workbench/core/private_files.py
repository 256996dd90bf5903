"""Files that may hold tokens or the exchange log: readable by their owner only.

The profile store (:mod:`workbench.core.json_store`) is written through a ``mkstemp`` file,
which is created 0600; an export (the app's, the CLI's ``--log-json``, a report) goes to
wherever the user chose, so it is opened here with the same mode, and an existing file the user
overwrites is narrowed to it before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private_text(path: str | Path, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path``, which is left with mode 0600 (owner read/write).

    With ``overwrite=False`` an existing file is left alone and ``FileExistsError`` raised (the
    file is created exclusively, so no other process's file is truncated in between)."""
    write_private_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def write_private_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` (an image, say), which is left with mode 0600; ``overwrite``
    as for :func:`write_private_text`."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        if hasattr(os, "fchmod"):  # POSIX: an existing file keeps its mode through O_CREAT
            os.fchmod(fd, PRIVATE_MODE)
        handle = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        handle.write(data)
