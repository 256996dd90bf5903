"""Named items kept in one JSON file under the config directory, written atomically.

Provider profiles and Cognito pools are both stored this way; neither ever holds a secret.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from workbench.core.errors import ConfigError

T = TypeVar("T")


class NamedJsonStore(Generic[T]):
    """``{"version": 1, <key>: [item, …]}`` in ``path``; items found by their name."""

    def __init__(
        self,
        path: Path,
        key: str,
        *,
        what: str,
        decode: Callable[[dict[str, Any]], T],
        encode: Callable[[T], dict[str, Any]],
        name_of: Callable[[T], str],
    ) -> None:
        self.path = path
        self.key = key
        self.what = what  # "profile", "Cognito pool": for messages
        self._decode = decode
        self._encode = encode
        self._name_of = name_of

    def load_all(self) -> dict[str, T]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text("utf-8"))
            items = data.get(self.key, []) if isinstance(data, dict) else []
            loaded = [self._decode(item) for item in items if isinstance(item, dict)]
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"Cannot read {self.key} from {self.path}: {exc}") from exc
        return {self._name_of(item): item for item in loaded}

    def get(self, name: str) -> T:
        items = self.load_all()
        if name not in items:
            known = ", ".join(sorted(items)) or "none saved yet"
            raise ConfigError(f"No {self.what} named {name!r} ({self.key}: {known}).")
        return items[name]

    def put(self, item: T) -> None:
        items = self.load_all()
        items[self._name_of(item)] = item
        self._write(items)

    def remove(self, name: str) -> bool:
        items = self.load_all()
        if items.pop(name, None) is None:
            return False
        self._write(items)
        return True

    def _write(self, items: dict[str, T]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"version": 1, self.key: [self._encode(item) for item in items.values()]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.key}-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, indent=2)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
