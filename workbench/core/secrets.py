"""Client secrets and refresh tokens: the OS keyring, else memory for this session only.

Nothing secret is ever written to a file by the workbench.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

SERVICE = "token-workbench"


def _usable_backend() -> Any | None:
    """The keyring backend, or None when it cannot store anything (fail/null backends)."""
    try:
        import keyring
        from keyring.backends import fail, null
    except Exception:  # keyring missing or broken: fall back to memory
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    return backend


class SecretStore:
    """get/set/delete secrets by (profile, name); ``persistent`` says where they live."""

    def __init__(self, backend: Any | None = None, *, use_keyring: bool = True) -> None:
        self._backend = (
            backend if backend is not None else (_usable_backend() if use_keyring else None)
        )
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def persistent(self) -> bool:
        return self._backend is not None

    def where(self) -> str:
        """A sentence for the UI/CLI saying where secrets are kept."""
        if self._backend is not None:
            return f"Secrets are stored in the system keyring ({type(self._backend).__name__})."
        return (
            "No system keyring is available: secrets are kept in memory for this session "
            "only and will have to be entered again next time."
        )

    @staticmethod
    def _key(profile: str, name: str) -> str:
        return f"{profile}:{name}"

    def get(self, profile: str, name: str = "client_secret") -> str | None:
        key = self._key(profile, name)
        if self._backend is not None:
            try:
                value = self._backend.get_password(SERVICE, key)
                return str(value) if value is not None else None
            except Exception:
                pass  # a locked or broken keyring: fall through to memory
        with self._lock:
            return self._memory.get(key)

    def set(self, profile: str, value: str, name: str = "client_secret") -> None:
        key = self._key(profile, name)
        if self._backend is not None:
            try:
                self._backend.set_password(SERVICE, key, value)
                return
            except Exception:
                self._backend = None  # keyring refused: memory for the rest of the session
        with self._lock:
            self._memory[key] = value

    def put(self, profile: str, value: str, name: str) -> bool:
        """Store ``value`` in the keyring only; False when there is none or it refused this
        value (too large for its backend, locked), and then nothing is kept and the store goes
        on as before (unlike :meth:`set`, a refusal does not move it to memory)."""
        if self._backend is None:
            return False
        try:
            self._backend.set_password(SERVICE, self._key(profile, name), value)
        except Exception:  # the backend's own size limit, or a locked keyring
            return False
        return True

    def delete(self, profile: str, name: str = "client_secret") -> None:
        key = self._key(profile, name)
        if self._backend is not None:
            with contextlib.suppress(Exception):  # nothing stored, or a locked keyring
                self._backend.delete_password(SERVICE, key)
        with self._lock:
            self._memory.pop(key, None)
