"""The table of token checks (workbench.core.tokens.checks.CHECK_TABLE) drives inspect_token.

The rows give the findings their order and their names; each row is called with the inputs it
names; a row whose expectation is absent gives the same "not checked" finding the checks gave
before they were a table. Tokens are signed here with PyJWT and a key generated for the module.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from workbench.core.hints import Setting
from workbench.core.tokens import checks
from workbench.core.tokens.checks import (
    CHECK_TABLE,
    CHECKS,
    EXPECTATIONS,
    INPUTS,
    CheckRow,
    inspect_token,
)
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.findings import Finding, Outcome, passing
from workbench.core.tokens.jwks import JwksCache
from workbench.core.tokens.signature import KeyLookup

ISSUER = "https://issuer.example"
JWKS_URI = ISSUER + "/jwks.json"
NOW = 1_795_700_000.0
ACCESS_TOKEN = "table-access-token-0123456789"
#: The x5t#S256 of a client certificate (RFC 8705 §3.1): any base64url SHA-256 will do here.
THUMBPRINT = base64.urlsafe_b64encode(hashlib.sha256(b"cert").digest()).rstrip(b"=").decode()
CODE = "table-authorization-code-0123456789"

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = dict(RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True), kid="rsa-1")
JWKS = {"keys": [JWK]}


def _at_hash(token: str) -> str:
    digest = hashlib.sha256(token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "sub": "alice",
    "aud": "client-1",
    "client_id": "client-1",
    "iat": NOW - 60,
    "nbf": NOW - 60,
    "exp": NOW + 300,
    "token_use": "id",
    "nonce": "n-1",
    "at_hash": _at_hash(ACCESS_TOKEN),
    "c_hash": _at_hash(CODE),  # made as at_hash is (OIDC Core §3.3.2.11)
    "cnf": {"jkt": "jkt-of-the-dpop-key", "x5t#S256": THUMBPRINT},
}
TOKEN = jwt.encode(CLAIMS, KEY, algorithm="RS256", headers={"kid": "rsa-1", "typ": "at+jwt"})

#: Every expectation given, each one the token meets.
EVERYTHING: dict[str, Any] = {
    "issuer": ISSUER,
    "audience": "client-1",
    "client_id": "client-1",
    "expected_typ": "at+jwt",
    "token_use": "id",
    "nonce": "n-1",
    "access_token": ACCESS_TOKEN,
    "code": CODE,
    "dpop_jkt": "jkt-of-the-dpop-key",
    "client_cert_thumbprint": THUMBPRINT,
}


def full_inspection(**overrides: Any) -> Any:
    kwargs: dict[str, Any] = {"jwks": JWKS, "now": NOW, **EVERYTHING}
    kwargs.update(overrides)
    return inspect_token(TOKEN, **kwargs)


def test_the_table_order_is_the_order_of_the_findings() -> None:
    result = full_inspection()
    assert [f.check for f in result.findings] == [row.name for row in CHECK_TABLE]
    assert tuple(row.name for row in CHECK_TABLE) == CHECKS
    assert CHECKS == (
        "signature", "keys", "iss", "aud", "exp", "nbf", "iat", "typ", "token_use", "nonce",
        "at_hash", "c_hash", "dpop", "x5t#S256",
    )  # fmt: skip


def test_every_check_of_the_table_appears_exactly_once_and_passes_when_all_is_met() -> None:
    result = full_inspection()
    names = [f.check for f in result.findings]
    for row in CHECK_TABLE:
        assert names.count(row.name) == 1, row.name
    assert len(names) == len(CHECK_TABLE) == len(set(CHECKS))
    assert [(f.check, f.outcome) for f in result.findings] == [
        (name, Outcome.PASS) for name in CHECKS
    ]
    assert result.ok and result.requested


def test_every_row_names_known_inputs_and_every_expectation_is_an_argument() -> None:
    parameters = inspect.signature(inspect_token).parameters
    known = set(INPUTS) | set(EXPECTATIONS)
    for row in CHECK_TABLE:
        assert row.needs, row.name
        assert set(row.needs) <= known, row.name
        # the row's function takes exactly the inputs the row names
        assert len(inspect.signature(row.check).parameters) == len(row.needs), row.name
    for name in EXPECTATIONS:
        assert parameters[name].default is None, name
        assert any(name in row.needs for row in CHECK_TABLE), name


def test_each_row_called_with_its_inputs_gives_the_inspections_finding() -> None:
    result = full_inspection()
    decoded = decode_jwt(TOKEN)
    keys = KeyLookup(JWKS, None, None, True)
    values: dict[str, Any] = {
        "decoded": decoded,
        "claims": decoded.claims,
        "header": decoded.header,
        "keys": keys,
        "now": NOW,
        "leeway": 30,
        **EVERYTHING,
    }
    assert set(values) == set(INPUTS) | set(EXPECTATIONS)
    for row, finding in zip(CHECK_TABLE, result.findings, strict=True):
        assert row.check(*(values[name] for name in row.needs)) == finding


# The "not checked" findings each row gave before the checks were a table, when nothing is
# asked for (so "not checked" is neutral) and the token carries every claim.
SKIPPED_BEFORE: dict[str, tuple[str, tuple[Setting, ...]]] = {
    "signature": ("no issuer keys", (Setting.ISSUER, Setting.JWKS_URI)),
    "keys": ("no issuer keys", (Setting.ISSUER, Setting.JWKS_URI)),
    "iss": ("no expected issuer given (the token says 'https://issuer.example')", ()),
    "aud": ("no expected audience", (Setting.AUDIENCE, Setting.CLIENT_ID)),
    "typ": ("no expected typ given (the header says 'at+jwt')", ()),
    "token_use": ("no expected token_use given (the token says 'id')", ()),
    "nonce": ("the token has a nonce but no expected nonce was given", ()),
    "at_hash": ("no access token given to compare with", ()),
    "c_hash": ("no authorization code given to compare with", ()),
    "dpop": (
        "DPoP-bound (cnf.jkt jkt-of-the-dpop-key), not checked: no DPoP key at hand to compare"
        " with",
        (),
    ),
    "x5t#S256": (
        f"certificate-bound (x5t#S256 {THUMBPRINT}), but no client certificate is at hand to"
        " compare it with",
        (),
    ),
}


def test_rows_without_their_expectation_give_the_same_skip_findings_as_before() -> None:
    result = inspect_token(TOKEN, now=NOW)
    assert not result.requested
    skipped = {
        f.check: (f.reason, f.fix) for f in result.findings if f.outcome is Outcome.NOT_CHECKED
    }
    assert skipped == SKIPPED_BEFORE
    # the time checks need no expectation: they always run
    assert {f.check for f in result.findings if f.outcome is Outcome.PASS} == {"exp", "nbf", "iat"}


@pytest.mark.parametrize(
    "row", [row for row in CHECK_TABLE if set(row.needs) & set(EXPECTATIONS)], ids=lambda r: r.name
)
def test_dropping_one_rows_expectation_skips_that_row_only(row: CheckRow) -> None:
    absent = {name: None for name in row.needs if name in EXPECTATIONS}
    result = full_inspection(**absent)
    finding = result.finding(row.name)
    assert finding.outcome is Outcome.NOT_CHECKED
    assert (finding.reason, finding.fix) == SKIPPED_BEFORE[row.name]
    others = [f for f in result.findings if f.check != row.name]
    assert all(f.outcome is Outcome.PASS for f in others), others


def test_a_new_row_is_a_new_finding_in_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    def check_sub(claims: dict[str, Any], issuer: str | None) -> Finding:
        return passing("sub", f"sub {claims['sub']!r} at {issuer}")

    table = (*CHECK_TABLE[:3], CheckRow("sub", check_sub, ("claims", "issuer")), *CHECK_TABLE[3:])
    monkeypatch.setattr(checks, "CHECK_TABLE", table)
    result = full_inspection()
    assert [f.check for f in result.findings] == [*CHECKS[:3], "sub", *CHECKS[3:]]
    assert result.finding("sub").reason == f"sub 'alice' at {ISSUER}"


def test_signature_comes_before_keys_because_it_fetches_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        calls.append(url)
        return JWKS

    result = full_inspection(jwks=JwksCache(fetch), jwks_uri=JWKS_URI)
    assert calls == [JWKS_URI]
    assert result.finding("keys").reason == (
        f"the JWKS from {JWKS_URI} publishes 1 public key, no secrets"
    )
    # the other way round, the key set is not there yet when the keys row runs
    swapped = (CHECK_TABLE[1], CHECK_TABLE[0], *CHECK_TABLE[2:])
    monkeypatch.setattr(checks, "CHECK_TABLE", swapped)
    result = full_inspection(jwks=JwksCache(fetch), jwks_uri=JWKS_URI)
    keys = result.findings[0]
    assert (keys.check, keys.outcome) == ("keys", Outcome.FAIL)
    assert keys.reason == "not verified: no key set to examine (the signature check says why)"
    assert result.findings[1].check == "signature"
    assert result.findings[1].outcome is Outcome.PASS
