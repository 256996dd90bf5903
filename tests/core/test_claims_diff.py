"""Two tokens' claims compared: added, removed, changed, the usual per-token claims apart,
scopes as sets."""

from __future__ import annotations

from workbench.core.tokens.diff import diff_claims


def test_added_removed_changed_and_the_usual_apart() -> None:
    before = {"sub": "u1", "iat": 1, "exp": 2, "jti": "a", "scope": "openid api:read", "x": 1}
    after = {"sub": "u1", "iat": 5, "exp": 9, "jti": "b", "scope": "openid api:write", "y": [1]}
    diff = diff_claims(before, after)
    assert diff.added == {"y": [1]}
    assert diff.removed == {"x": 1}
    assert [(c.name, c.before, c.after) for c in diff.changed] == [
        ("scope", "openid api:read", "openid api:write")
    ]
    assert sorted(c.name for c in diff.volatile) == ["exp", "iat", "jti"]
    assert diff.scopes_added == ("api:write",) and diff.scopes_removed == ("api:read",)
    assert not diff.same
    assert diff.to_dict()["changed"]["scope"]["after"] == "openid api:write"


def test_only_the_usual_differs_after_a_plain_refresh() -> None:
    before = {"sub": "u1", "iat": 1, "exp": 2, "scp": ["a", "b"]}
    after = {"sub": "u1", "iat": 3, "exp": 4, "scp": ["a", "b"]}
    diff = diff_claims(before, after)
    assert diff.same and diff.scopes_added == () and len(diff.volatile) == 2
