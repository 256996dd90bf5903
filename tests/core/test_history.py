"""The token history: kept in the keyring across instances, for the session without one,
bounded, and a corrupt or oversized stored entry dropped with a note.

The keyring is the in-memory backend of tests/conftest.py (the ``isolated_paths`` fixture);
a real OS keyring's own size limit is played by a backend that refuses long values.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from tests.conftest import MemoryKeyring
from workbench.core.history import (
    HISTORY_LIMIT,
    KEY_PROFILE,
    LOGGED_OUT,
    MAX_ENTRY_CHARS,
    REVOKED,
    TokenHistory,
    diff_entries,
)
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.secrets import SERVICE, SecretStore
from workbench.core.transport.masking import mask_token


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2ln"


def token_set(n: int, **claims: Any) -> TokenSet:
    now = int(time.time())
    base = {"iss": "https://issuer.example", "sub": f"user-{n}", "iat": now, "exp": now + 300}
    return TokenSet(
        access_token=jwt({**base, "scope": "openid api:read", "jti": f"a{n}", **claims}),
        id_token=jwt({**base, "preferred_username": f"alice{n}", "aud": "c"}),
        refresh_token=f"refresh-{n}",
        expires_in=300,
    )


def stored_keys(backend: MemoryKeyring) -> set[str]:
    return {name for service, name in backend.store if service == SERVICE}


def test_persistence_across_two_instances(isolated_paths: MemoryKeyring) -> None:
    first = TokenHistory(SecretStore())
    assert first.persistent and "system keyring" in first.where()
    one = first.record(token_set(1), "authorization_code", "demo")
    two = first.record(token_set(2), "client_credentials", "demo")
    assert one is not None and two is not None
    assert first.mark(two.refresh_token or "", REVOKED) == 1

    again = TokenHistory(SecretStore()).entries()
    assert [(e.flow, e.user, e.status) for e in again] == [
        ("authorization_code", "alice1", "active"),
        ("client_credentials", "alice2", REVOKED),
    ]
    assert again[0].access_token == one.access_token
    assert again[0].issuer == "https://issuer.example" and again[0].provider == "demo"
    assert again[0].expires_at is not None and again[0].expires_at > time.time()
    # Nothing was written anywhere but the keyring, and nothing of it is a plain file.
    assert f"{KEY_PROFILE}:{one.id}" in stored_keys(isolated_paths)


def test_the_same_tokens_twice_are_one_entry_and_a_repr_has_no_token() -> None:
    history = TokenHistory(SecretStore())
    tokens = token_set(1)
    entry = history.record(tokens, "password")
    assert history.record(tokens, "password") is None
    assert len(history.entries()) == 1
    assert entry is not None and (tokens.access_token or "") not in repr(entry)
    access = tokens.access_token or ""
    assert entry.preview() == mask_token(access) and access not in entry.preview()


def test_without_a_keyring_it_lives_for_the_session_and_says_so(
    isolated_paths: MemoryKeyring,
) -> None:
    history = TokenHistory(SecretStore(backend=None, use_keyring=False))
    assert not history.persistent
    assert "session only" in history.where()
    history.record(token_set(1), "device_code")
    assert [e.flow for e in history.entries()] == ["device_code"]
    assert history.is_session_only(history.entries()[0].id)
    assert not stored_keys(isolated_paths)  # nothing reached the keyring
    fresh = TokenHistory(SecretStore(backend=None, use_keyring=False))
    assert fresh.entries() == []


def test_bounded_the_oldest_goes_from_the_keyring_too(isolated_paths: MemoryKeyring) -> None:
    history = TokenHistory(SecretStore(), limit=3)
    ids = [e.id for n in range(5) if (e := history.record(token_set(n), "password"))]
    assert [e.id for e in history.entries()] == ids[-3:]
    keys = stored_keys(isolated_paths)
    assert {f"{KEY_PROFILE}:{i}" for i in ids[-3:]} <= keys
    assert not {f"{KEY_PROFILE}:{i}" for i in ids[:2]} & keys
    assert HISTORY_LIMIT == 200


def test_a_corrupt_or_oversized_entry_is_dropped_with_a_note(
    isolated_paths: MemoryKeyring,
) -> None:
    history = TokenHistory(SecretStore())
    good, bad, big, odd = (history.record(token_set(n), "password") for n in range(4))
    assert good and bad and big and odd
    store = isolated_paths.store
    store[(SERVICE, f"{KEY_PROFILE}:{bad.id}")] = "{not json"
    store[(SERVICE, f"{KEY_PROFILE}:{big.id}")] = "x" * (MAX_ENTRY_CHARS + 1)
    store[(SERVICE, f"{KEY_PROFILE}:{odd.id}")] = json.dumps({"id": odd.id, "status": 3})

    again = TokenHistory(SecretStore())
    assert [e.id for e in again.entries()] == [good.id]
    assert any("3 stored token set(s)" in note for note in again.notes)
    keys = stored_keys(isolated_paths)
    assert not {f"{KEY_PROFILE}:{e.id}" for e in (bad, big, odd)} & keys
    # The index was rewritten: a third instance reads one entry and notes nothing.
    third = TokenHistory(SecretStore())
    assert len(third.entries()) == 1 and third.notes == []


def test_a_corrupt_index_starts_afresh_with_a_note(isolated_paths: MemoryKeyring) -> None:
    TokenHistory(SecretStore()).record(token_set(1), "password")
    isolated_paths.store[(SERVICE, f"{KEY_PROFILE}:index")] = '{"a": 1}'
    again = TokenHistory(SecretStore())
    assert again.entries() == [] and "index" in again.notes[0]


class SmallKeyring(MemoryKeyring):
    """A backend with a size limit per entry, as some OS keyrings have."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password) > 600:
            raise ValueError("the value is too large for this keyring")
        super().set_password(service, username, password)


def test_an_entry_the_keyring_refuses_stays_for_the_session() -> None:
    backend = SmallKeyring()
    store = SecretStore(backend=backend)
    history = TokenHistory(store)
    entry = history.record(token_set(1), "password")
    assert entry is not None and history.is_session_only(entry.id)
    assert any("kept for this session only" in note for note in history.notes)
    assert [e.id for e in history.entries()] == [entry.id]
    assert store.persistent  # the refusal did not move the other secrets to memory
    assert TokenHistory(SecretStore(backend=backend)).entries() == []


def test_clear_one_and_all_remove_from_the_keyring(isolated_paths: MemoryKeyring) -> None:
    history = TokenHistory(SecretStore())
    changes: list[int] = []
    history.on_change = lambda: changes.append(1)
    one, two = history.record(token_set(1), "a"), history.record(token_set(2), "b")
    assert one and two
    assert history.remove(one.id) and not history.remove(one.id)
    assert f"{KEY_PROFILE}:{one.id}" not in stored_keys(isolated_paths)
    assert [e.id for e in TokenHistory(SecretStore()).entries()] == [two.id]
    history.clear()
    assert history.entries() == [] and not stored_keys(isolated_paths)
    assert len(changes) == 4


def test_mark_and_diff_two_entries() -> None:
    history = TokenHistory(SecretStore())
    before = history.record(token_set(1), "authorization_code")
    after = history.record(
        token_set(1, scope="openid api:write", tenant="t1", jti="b1"), "refresh_token"
    )
    assert before and after
    assert history.mark(after.access_token or "", LOGGED_OUT) == 1
    assert history.entries()[1].status == LOGGED_OUT
    assert history.entries()[1].status_at(time.time()) == LOGGED_OUT
    assert history.entries()[0].status_at(time.time() + 1000) == "expired"
    diffs = dict(diff_entries(before, after))
    access = diffs["Access token"]
    assert access.added == {"tenant": "t1"}
    assert access.scopes_added == ("api:write",) and access.scopes_removed == ("api:read",)
    assert [c.name for c in access.volatile] == ["jti"]
    assert diffs["ID token"].same


def test_diff_in_words() -> None:
    history = TokenHistory(SecretStore())
    before = history.record(token_set(1), "authorization_code")
    after = history.record(token_set(1, scope="openid api:write", jti="b1"), "refresh_token")
    assert before and after
    from workbench.core.history import diff_lines

    lines = diff_lines(before, after)
    assert lines[0] == "Access token:"
    assert "  ~ scope: openid api:read → openid api:write" in lines
    assert "  scopes: +[api:write] −[api:read]" in lines
    assert "  (differ as in every new token: jti)" in lines
    assert "ID token: the same claims" in lines


def test_a_stored_entry_without_any_token_is_dropped(isolated_paths: MemoryKeyring) -> None:
    history = TokenHistory(SecretStore())
    entry = history.record(token_set(1), "password")
    assert entry is not None
    empty = {**json.loads(entry.to_json()), "access_token": None, "id_token": None}
    empty["refresh_token"] = None
    isolated_paths.store[(SERVICE, f"{KEY_PROFILE}:{entry.id}")] = json.dumps(empty)
    again = TokenHistory(SecretStore())
    assert again.entries() == [] and again.notes
