"""Every token set the app obtained: provider, flow, user, when, expiry and status.

Tokens are secrets, so the history outlives the session only through the OS keyring (never a
plain file): one keyring entry per token set (compact JSON) and one index entry listing them,
newest last, bounded to :data:`HISTORY_LIMIT`. Without a keyring it lives for this session and
:meth:`TokenHistory.where` says so. An entry that cannot be read back (corrupt, oversized, of
another shape) is dropped from the keyring with a note, never a crash; one the keyring refuses
to store (some backends hold only a few KiB) stays for this session, with a note.
"""

from __future__ import annotations

import contextlib
import json
import secrets as _random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from workbench.core.display import printable
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.secrets import SecretStore
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.diff import ClaimsDiff, diff_claims
from workbench.core.transport.masking import mask_token

HISTORY_LIMIT = 200  # token sets kept; the oldest goes first
MAX_ENTRY_CHARS = 32_768  # one stored entry read back; anything longer is dropped
MAX_INDEX_CHARS = 8_192  # the index entry read back
MAX_NOTES = 20  # notes kept for the person (dropped entries, refused ones)
KEY_PROFILE = "~history"  # the keyring names' prefix: no profile name can start with "~"
INDEX = "index"

ACTIVE, REVOKED, LOGGED_OUT = "active", "revoked", "logged out"
STATUSES = (ACTIVE, REVOKED, LOGGED_OUT)
USER_CLAIMS = ("preferred_username", "cognito:username", "username", "email", "sub")
_TOKEN_FIELDS = ("access_token", "id_token", "refresh_token")


@dataclass(frozen=True)
class HistoryEntry:
    """One token set as obtained; its tokens are secrets (never in a repr)."""

    id: str
    provider: str
    issuer: str
    flow: str
    user: str
    obtained_at: float
    expires_at: float | None
    status: str = ACTIVE
    scope: str = ""
    access_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)

    def tokens(self) -> tuple[tuple[str, str], ...]:
        """(role, token) for each token the set holds: access, id, refresh."""
        pairs = (("access", self.access_token), ("id", self.id_token))
        return tuple((r, t) for r, t in (*pairs, ("refresh", self.refresh_token)) if t)

    def holds(self, token: str) -> bool:
        return any(token == t for _, t in self.tokens())

    def preview(self) -> str:
        """The first token, masked past its first characters: all a list may show."""
        tokens = self.tokens()
        return mask_token(tokens[0][1]) if tokens else ""

    def status_at(self, now: float) -> str:
        """The status, with "expired" for an active set past its expiry."""
        if self.status == ACTIVE and self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return self.status

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> HistoryEntry:
        """Read one stored entry; ValueError when it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        names = {f.name for f in fields(cls)}
        if set(data) != names:
            raise ValueError("not a history entry")
        entry = cls(**data)
        entry.check()
        return entry

    def check(self) -> None:
        texts = (self.id, self.provider, self.issuer, self.flow, self.user, self.scope)
        if not all(isinstance(v, str) for v in texts) or self.status not in STATUSES:
            raise ValueError("a field of the wrong type")
        if not all(isinstance(t, str | None) for t in (self.access_token, self.id_token)):
            raise ValueError("a token that is not text")
        if not isinstance(self.refresh_token, str | None):
            raise ValueError("a token that is not text")
        if not self.tokens():
            raise ValueError("no token")
        times = (self.obtained_at, self.expires_at or 0.0)
        if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in times):
            raise ValueError("a time that is not a number")


def claims_of(token: str | None) -> dict[str, Any] | None:
    """A JWT's claims, or None (no token, opaque, undecodable)."""
    if not token:
        return None
    try:
        return decode_jwt(token).claims
    except Exception:  # opaque or malformed: nothing to read
        return None


def user_of(*tokens: str | None) -> str:
    """Who the tokens are about: a user name when a token names one, else ``sub``."""
    claimed = [c for c in map(claims_of, tokens) if c is not None]
    for name in USER_CLAIMS:
        for claims in claimed:
            value = claims.get(name)
            if isinstance(value, str) and value:
                return printable(value)[:200]
    return ""


def make_entry(tokens: TokenSet, flow: str, provider: str = "", issuer: str = "") -> HistoryEntry:
    """The history entry for ``tokens`` obtained by ``flow`` from ``provider``."""
    if not issuer:
        for token in (tokens.id_token, tokens.access_token):
            claimed = (claims_of(token) or {}).get("iss")
            if isinstance(claimed, str) and claimed:
                issuer = claimed
                break
    return HistoryEntry(
        id=_random.token_hex(4),
        provider=printable(provider or issuer)[:200],
        issuer=printable(issuer)[:500],
        flow=printable(flow)[:100],
        user=user_of(tokens.id_token, tokens.access_token),
        obtained_at=tokens.received_at,
        expires_at=tokens.expires_at,
        scope=printable(tokens.scope or "")[:2000],
        access_token=tokens.access_token,
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
    )


def diff_entries(before: HistoryEntry, after: HistoryEntry) -> list[tuple[str, ClaimsDiff]]:
    """The claim diff of each token role both sets hold as a JWT (access, then ID)."""
    diffs: list[tuple[str, ClaimsDiff]] = []
    for role, label in (("access_token", "Access token"), ("id_token", "ID token")):
        old, new = claims_of(getattr(before, role)), claims_of(getattr(after, role))
        if old is not None and new is not None:
            diffs.append((label, diff_claims(old, new)))
    return diffs


class TokenHistory:
    """The history, newest last; backed by ``secrets`` when it reaches a keyring.

    Read lazily (the first call that needs it), so starting the app asks the keyring nothing.
    """

    def __init__(self, secrets: SecretStore, limit: int = HISTORY_LIMIT) -> None:
        self._secrets = secrets
        self._limit = limit
        self._entries: list[HistoryEntry] | None = None
        self._session_only: set[str] = set()  # ids the keyring refused
        self.notes: list[str] = []
        self.on_change: Callable[[], None] | None = None

    @property
    def persistent(self) -> bool:
        return self._secrets.persistent

    def where(self) -> str:
        """A sentence for the app saying where the history is kept."""
        if self.persistent:
            return "The token history is kept in the system keyring: it is there next time."
        return "No system keyring is available: the token history is kept for this session only."

    def entries(self) -> list[HistoryEntry]:
        return list(self._load())

    def get(self, entry_id: str) -> HistoryEntry | None:
        return next((e for e in self._load() if e.id == entry_id), None)

    def is_session_only(self, entry_id: str) -> bool:
        return not self.persistent or entry_id in self._session_only

    def record(
        self, tokens: TokenSet, flow: str, provider: str = "", issuer: str = ""
    ) -> HistoryEntry | None:
        """Add ``tokens`` (not when the newest entry already holds the same tokens)."""
        if not (tokens.access_token or tokens.id_token or tokens.refresh_token):
            return None
        entries = self._load()
        same = [getattr(tokens, n) for n in _TOKEN_FIELDS]
        if entries and [getattr(entries[-1], n) for n in _TOKEN_FIELDS] == same:
            return None
        entry = make_entry(tokens, flow, provider, issuer)
        entries.append(entry)
        self._save_entry(entry)
        for old in entries[: max(0, len(entries) - self._limit)]:
            self._forget(old.id)
        del entries[: max(0, len(entries) - self._limit)]
        self._save_index()
        self._changed()
        return entry

    def mark(self, token: str, status: str) -> int:
        """Set ``status`` on every set holding ``token``; how many changed."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        entries = self._load()
        changed = 0
        for index, entry in enumerate(entries):
            if entry.holds(token) and entry.status != status:
                entries[index] = replace(entry, status=status)
                self._save_entry(entries[index])
                changed += 1
        if changed:
            self._changed()
        return changed

    def remove(self, entry_id: str) -> bool:
        """Clear one entry (from the keyring too)."""
        entries = self._load()
        kept = [e for e in entries if e.id != entry_id]
        if len(kept) == len(entries):
            return False
        entries[:] = kept
        self._forget(entry_id)
        self._save_index()
        self._changed()
        return True

    def clear(self) -> None:
        """Clear every entry (from the keyring too), and the index."""
        for entry in self._load():
            self._forget(entry.id)
        self._load().clear()
        self._secrets.delete(KEY_PROFILE, INDEX)
        self._changed()

    # -- the keyring --------------------------------------------------------------------------
    def _note(self, text: str) -> None:
        self.notes = [*self.notes, text][-MAX_NOTES:]

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _load(self) -> list[HistoryEntry]:
        if self._entries is not None:
            return self._entries
        self._entries = []
        if not self.persistent:
            return self._entries
        ids = self._read_index()
        dropped = 0
        for entry_id in ids:
            entry = self._read_entry(entry_id)
            if entry is None:
                dropped += 1
                with contextlib.suppress(Exception):
                    self._secrets.delete(KEY_PROFILE, entry_id)
            else:
                self._entries.append(entry)
        if dropped:
            self._note(
                f"{dropped} stored token set(s) could not be read back (corrupt or too large) "
                "and were dropped from the keyring."
            )
            self._save_index()
        del self._entries[: max(0, len(self._entries) - self._limit)]
        return self._entries

    def _read_index(self) -> list[str]:
        text = self._secrets.get(KEY_PROFILE, INDEX)
        if text is None:
            return []
        try:
            ids = json.loads(text) if len(text) <= MAX_INDEX_CHARS else None
        except ValueError:
            ids = None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            self._note("The stored token history's index was unreadable: it was started afresh.")
            self._secrets.delete(KEY_PROFILE, INDEX)
            return []
        return list(dict.fromkeys(ids))[-self._limit :]

    def _read_entry(self, entry_id: str) -> HistoryEntry | None:
        text = self._secrets.get(KEY_PROFILE, entry_id)
        if text is None or len(text) > MAX_ENTRY_CHARS:
            return None
        try:
            entry = HistoryEntry.from_json(text)
        except (ValueError, TypeError):
            return None
        return entry if entry.id == entry_id else None

    def _save_entry(self, entry: HistoryEntry) -> None:
        if not self.persistent:
            return
        text = entry.to_json()
        if len(text) <= MAX_ENTRY_CHARS and self._secrets.put(KEY_PROFILE, text, entry.id):
            self._session_only.discard(entry.id)
            return
        if entry.id not in self._session_only:
            self._session_only.add(entry.id)
            self._note(
                f"The keyring refused the token set obtained by {entry.flow} ({len(text)} "
                "characters): it is kept for this session only."
            )

    def _save_index(self) -> None:
        if not self.persistent:
            return
        ids = [e.id for e in self._load() if e.id not in self._session_only]
        if not self._secrets.put(KEY_PROFILE, json.dumps(ids, separators=(",", ":")), INDEX):
            self._note("The keyring refused the token history's index: it is kept for now only.")

    def _forget(self, entry_id: str) -> None:
        self._session_only.discard(entry_id)
        if self.persistent:
            self._secrets.delete(KEY_PROFILE, entry_id)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return printable(text)[:200]


def diff_lines(before: HistoryEntry, after: HistoryEntry) -> list[str]:
    """The claim diff of two sets in words: added, removed, changed, scopes; the per-token
    claims (iat, exp, jti…) collapsed into one line."""
    diffs = diff_entries(before, after)
    if not diffs:
        return ["No token both sets hold as a JWT: there are no claims to compare."]
    lines: list[str] = []
    for label, diff in diffs:
        lines.append(f"{label}:" + (" the same claims" if diff.same else ""))
        lines += [f"  + {n}: {_shown(v)}" for n, v in diff.added.items()]
        lines += [f"  − {n}: {_shown(v)}" for n, v in diff.removed.items()]
        lines += [f"  ~ {c.name}: {_shown(c.before)} → {_shown(c.after)}" for c in diff.changed]
        if diff.scopes_added or diff.scopes_removed:
            added, removed = " ".join(diff.scopes_added), " ".join(diff.scopes_removed)
            lines.append(f"  scopes: +[{_shown(added)}] −[{_shown(removed)}]")
        if diff.volatile:
            names = ", ".join(sorted(c.name for c in diff.volatile))
            lines.append(f"  (differ as in every new token: {names})")
    return lines
