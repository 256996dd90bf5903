"""Signature verification, JWKS caching and every inspection check
(workbench.core.tokens.checks, signature, claim_checks, time_checks, jwks).

Keys are generated here with cryptography and tokens signed with PyJWT. The JWKS is served by
``FakeIssuer.fetch``: not an HTTP mock, but the injected fetch dependency that JwksCache is
designed around (the real HTTP path is tested with the HTTP client).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Mapping
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from jwt.warnings import InsecureKeyLengthWarning

from workbench.core.errors import OAuthError, TokenError, TransportError
from workbench.core.hints import Setting
from workbench.core.tokens.checks import CHECKS, inspect_token
from workbench.core.tokens.decode import DecodedJwt, decode_jwt
from workbench.core.tokens.findings import Inspection, Outcome
from workbench.core.tokens.jwks import JwksCache, KeySet

ISSUER = "https://issuer.example"
JWKS_URI = "https://issuer.example/.well-known/jwks.json"
NOW = 1_795_700_000.0  # 2026-11-26, fixed so messages are stable

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_KEY_2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_384_KEY = ec.generate_private_key(ec.SECP384R1())
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def public_jwk(private: Any, kid: str | None, **extra: Any) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(extra)
    return jwk


RSA_JWK = public_jwk(RSA_KEY, "rsa-1", use="sig")
EC_JWK = public_jwk(EC_KEY, "ec-1")
ED_JWK = public_jwk(ED_KEY, "ed-1")
JWKS = {"keys": [RSA_JWK, EC_JWK, ED_JWK]}


def sign(
    claims: Mapping[str, Any],
    key: Any = RSA_KEY,
    alg: str = "RS256",
    kid: str | None = "rsa-1",
    **header: Any,
) -> str:
    headers = dict(header)
    if kid is not None:
        headers["kid"] = kid
    return jwt.encode(dict(claims), key, algorithm=alg, headers=headers)


def forge(claims: Mapping[str, Any]) -> str:
    """The issuer's kid and claims, signed by an attacker's own key."""
    return sign(claims, RSA_KEY_2, "RS256", kid="rsa-1")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: Mapping[str, Any], claims: Mapping[str, Any], secret: bytes) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


ID_CLAIMS = {
    "iss": ISSUER,
    "sub": "alice",
    "aud": "client-1",
    "iat": NOW - 60,
    "nbf": NOW - 60,
    "exp": NOW + 252,
    "nonce": "n-0S6_WzA2Mj",
}


class FakeIssuer:
    """The injected ``fetch``: serves documents per URL and counts calls."""

    def __init__(self, documents: dict[str, Any] | None = None) -> None:
        self.documents: dict[str, Any] = documents if documents is not None else {JWKS_URI: JWKS}
        self.calls: list[str] = []
        self.error: Exception | None = None
        self.delay = 0.0

    def fetch(self, url: str) -> Mapping[str, Any]:
        self.calls.append(url)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.documents[url]  # type: ignore[no-any-return]


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def inspect(token: str | DecodedJwt, **kwargs: Any) -> Inspection:
    kwargs.setdefault("now", NOW)
    return inspect_token(token, **kwargs)


def outcome(result: Inspection, check: str) -> tuple[str, str]:
    finding = result.finding(check)
    return finding.outcome.value, finding.reason


# --------------------------------------------------------------------------- signature


@pytest.mark.parametrize(
    ("key", "alg", "kid"),
    [
        (RSA_KEY, "RS256", "rsa-1"),
        (RSA_KEY, "RS512", "rsa-1"),
        (RSA_KEY, "PS256", "rsa-1"),
        (EC_KEY, "ES256", "ec-1"),
        (ED_KEY, "EdDSA", "ed-1"),
    ],
)
def test_signature_passes_with_the_issuer_key(key: Any, alg: str, kid: str) -> None:
    issuer = FakeIssuer()
    cache = JwksCache(issuer.fetch)
    result = inspect(sign(ID_CLAIMS, key, alg, kid), jwks=cache, jwks_uri=JWKS_URI)
    assert outcome(result, "signature") == (
        "pass",
        f"valid {alg} signature by kid {kid!r} from {JWKS_URI}",
    )
    assert result.signature_valid
    assert issuer.calls == [JWKS_URI]


def test_signature_from_a_jwks_dict_given_directly() -> None:
    result = inspect(sign(ID_CLAIMS), jwks=JWKS)
    assert outcome(result, "signature") == ("pass", "valid RS256 signature by kid 'rsa-1'")
    keyset = KeySet.from_document(JWKS)
    assert inspect(sign(ID_CLAIMS), jwks=keyset).signature_valid


def test_signature_fails_when_payload_is_altered() -> None:
    token = sign(ID_CLAIMS)
    head, _, sig = token.split(".")
    forged_claims = dict(ID_CLAIMS, sub="mallory")
    forged = f"{head}.{b64(json.dumps(forged_claims).encode())}.{sig}"
    result = inspect(forged, jwks=JWKS)
    state, reason = outcome(result, "signature")
    assert state == "fail"
    assert reason.startswith("signature does not match")
    assert "kid 'rsa-1'" in reason
    assert not result.ok
    assert [f.check for f in result.failed] == ["signature"]


def test_signature_fails_when_signed_by_another_key_with_the_same_kid() -> None:
    result = inspect(sign(ID_CLAIMS, RSA_KEY_2), jwks=JWKS)
    assert outcome(result, "signature")[0] == "fail"


@pytest.mark.parametrize("jwks", [JWKS, None])
def test_alg_none_is_always_a_fail(jwks: Any) -> None:
    token = jwt.encode(dict(ID_CLAIMS), "", algorithm="none")
    result = inspect(token, jwks=jwks)
    state, reason = outcome(result, "signature")
    assert state == "fail"
    assert reason.startswith("unsigned token (alg none)")


def test_alg_none_in_other_casing_is_still_unsigned() -> None:
    header = b64(b'{"alg":"NoNe"}')
    token = f"{header}.{b64(json.dumps(ID_CLAIMS).encode())}."
    assert "unsigned token" in outcome(inspect(token, jwks=JWKS), "signature")[1]


def test_hs256_signed_with_the_rsa_public_key_is_named_as_algorithm_confusion() -> None:
    pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_made({"alg": "HS256", "kid": "rsa-1"}, ID_CLAIMS, pem)
    state, reason = outcome(inspect(token, jwks=JWKS), "signature")
    assert state == "fail"
    assert reason.startswith("the token claims HS256 (a shared-secret MAC) but kid 'rsa-1'")
    assert "RSA public key" in reason and "algorithm confusion, RFC 8725" in reason
    # Same attack without a kid, against a JWKS with a single RSA key.
    token = hand_made({"alg": "HS256"}, ID_CLAIMS, pem)
    reason = outcome(inspect(token, jwks={"keys": [RSA_JWK]}), "signature")[1]
    assert "algorithm confusion, RFC 8725" in reason


def test_a_foreign_hs256_token_without_kid_is_not_said_to_have_one() -> None:
    """A token of another system (HS256 with its own secret, no kid) against an RSA issuer:
    the reason says the token has no kid and names the issuer's key as the issuer's."""
    token = jwt.encode(dict(ID_CLAIMS), "another system's secret " * 2, algorithm="HS256")
    assert "kid" not in decode_jwt(token).header
    state, reason = outcome(inspect(token, jwks={"keys": [RSA_JWK]}), "signature")
    assert state == "fail"
    assert reason.startswith("the token has no kid and claims HS256 (a shared-secret MAC)")
    assert "the issuer's key (kid 'rsa-1') is an RSA public key" in reason
    assert "for kid 'rsa-1'" not in reason and "by kid 'rsa-1'" not in reason
    # The same words for a foreign token of another algorithm family.
    foreign = sign(ID_CLAIMS, EC_KEY, "ES256", kid=None)
    reason = outcome(inspect(foreign, jwks={"keys": [RSA_JWK]}), "signature")[1]
    assert reason.startswith(
        "the token has no kid; alg ES256 is not allowed for the issuer's key (kid 'rsa-1') (RSA)"
    )


def test_alg_must_fit_the_key_type() -> None:
    token = sign(ID_CLAIMS, EC_KEY, "ES256", kid="rsa-1")  # EC signature, RSA key's kid
    state, reason = outcome(inspect(token, jwks=JWKS), "signature")
    assert state == "fail"
    assert reason.startswith("alg ES256 is not allowed for kid 'rsa-1' (RSA)")
    assert "PS256, PS384, PS512, RS256, RS384, RS512" in reason


def test_ec_key_admits_only_the_es_alg_of_its_curve() -> None:
    jwks = {"keys": [public_jwk(EC_384_KEY, "ec-384")]}
    good = sign(ID_CLAIMS, EC_384_KEY, "ES384", kid="ec-384")
    assert inspect(good, jwks=jwks).signature_valid
    wrong = sign(ID_CLAIMS, EC_KEY, "ES256", kid="ec-384")
    reason = outcome(inspect(wrong, jwks=jwks), "signature")[1]
    assert reason == "alg ES256 is not allowed for kid 'ec-384' (EC); it allows ES384"


def test_key_alg_member_narrows_the_allow_list_to_that_alg() -> None:
    jwks = {"keys": [dict(RSA_JWK, alg="RS256")]}
    assert inspect(sign(ID_CLAIMS, alg="RS256"), jwks=jwks).signature_valid
    state, reason = outcome(inspect(sign(ID_CLAIMS, alg="PS256"), jwks=jwks), "signature")
    assert state == "fail"
    assert reason.endswith("it allows RS256")


def test_key_declaring_an_alg_that_does_not_fit_its_type_is_unusable() -> None:
    keyset = KeySet.from_document({"keys": [dict(RSA_JWK, alg="ES256")]})
    assert keyset.notes == (
        "keys[0] (kid 'rsa-1') unusable: declares alg ES256, which does not fit its key type RSA",
    )
    reason = outcome(inspect(sign(ID_CLAIMS), jwks=keyset), "signature")[1]
    assert reason.startswith("kid 'rsa-1' cannot be used")


def test_short_rsa_key_passes_but_says_so() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.warns(InsecureKeyLengthWarning):  # PyJWT warns when signing; we only verify
        token = sign(ID_CLAIMS, weak, kid="weak")
    result = inspect(token, jwks={"keys": [public_jwk(weak, "weak")]})
    state, reason = outcome(result, "signature")
    assert state == "pass"
    assert reason.startswith("valid RS256 signature by kid 'weak'; but beware: The RSA key is 1024")


def test_no_kid_uses_the_only_key() -> None:
    token = sign(ID_CLAIMS, kid=None)
    result = inspect(token, jwks={"keys": [public_jwk(RSA_KEY, None)]})
    assert outcome(result, "signature") == (
        "pass",
        "valid RS256 signature by the RSA key without kid",
    )


def test_no_kid_with_several_fitting_keys_cannot_choose() -> None:
    token = sign(ID_CLAIMS, kid=None)
    jwks = {"keys": [RSA_JWK, public_jwk(RSA_KEY_2, "rsa-2")]}
    state, reason = outcome(inspect(token, jwks=jwks), "signature")
    assert state == "fail"
    assert "no kid and 2 keys" in reason
    # With one RSA key among keys of other types, the alg picks it.
    assert inspect(token, jwks=JWKS).signature_valid


def test_encryption_keys_are_not_used_for_signatures() -> None:
    jwks = {"keys": [dict(RSA_JWK, use="enc")]}
    state, reason = outcome(inspect(sign(ID_CLAIMS), jwks=jwks), "signature")
    assert state == "fail"
    assert reason.startswith("no key with kid 'rsa-1' in the issuer's JWKS")


def test_critical_header_extension_is_rejected() -> None:
    extension: dict[str, Any] = {"crit": ["exp-ext"], "exp-ext": 1}
    token = sign(ID_CLAIMS, **extension)
    state, reason = outcome(inspect(token, jwks=JWKS), "signature")
    assert state == "fail"
    assert "critical" in reason and "exp-ext" in reason


def test_signature_not_checked_without_issuer_keys_when_nothing_was_asked() -> None:
    expected = ("not_checked", "no issuer keys")
    result = inspect(sign(ID_CLAIMS))
    assert outcome(result, "signature") == expected
    assert outcome(result, "keys") == expected
    # Which settings would give keys is data; each face words it (tests/test_hints.py).
    assert result.finding("signature").fix == (Setting.ISSUER, Setting.JWKS_URI)
    assert result.finding("keys").fix == (Setting.ISSUER, Setting.JWKS_URI)
    assert not result.requested and result.ok


def test_asking_for_any_check_without_keys_fails_the_signature() -> None:
    # A key cache without a URL, or only an audience: verification was asked for, the
    # signature could not be checked, so a forgery must not pass.
    failed = ("fail", "not verified: no issuer keys")
    cache = JwksCache(FakeIssuer().fetch)
    for kwargs in ({"jwks": cache}, {"audience": "client-1"}, {"nonce": "n"}):
        result = inspect(sign(ID_CLAIMS), **kwargs)
        assert result.requested, kwargs
        assert outcome(result, "signature") == failed, kwargs
        assert result.finding("signature").fix == (Setting.ISSUER, Setting.JWKS_URI), kwargs
        assert not result.ok
    explicit = inspect(sign(ID_CLAIMS), audience="client-1", verify=False)
    assert outcome(explicit, "signature")[0] == "not_checked"


def test_jwks_fetch_failure_fails_closed_and_other_checks_still_run() -> None:
    issuer = FakeIssuer()
    issuer.error = TransportError("connection refused by issuer.example:443", kind="refused")
    cache = JwksCache(issuer.fetch)
    forged = forge(ID_CLAIMS)
    result = inspect(forged, jwks=cache, jwks_uri=JWKS_URI, issuer=ISSUER)
    assert outcome(result, "signature") == (
        "fail",
        f"not verified: the issuer's keys could not be fetched from {JWKS_URI} "
        "(connection refused by issuer.example:443)",
    )
    assert outcome(result, "keys")[0] == "fail"
    assert outcome(result, "iss") == ("pass", f"iss is {ISSUER!r}")
    assert not result.ok  # the forgery is not accepted because the keys were unreachable
    assert result.to_dict()["verification_requested"] is True
    issuer.error = OAuthError("server_error", "JWKS unavailable", status=503)
    reason = outcome(inspect(sign(ID_CLAIMS), jwks=cache, jwks_uri=JWKS_URI), "signature")[1]
    assert reason.endswith("server_error: JWKS unavailable)")


def test_keys_the_caller_could_not_find_fail_with_the_callers_reason() -> None:
    result = inspect(sign(ID_CLAIMS), keys_unavailable="discovery of https://idp failed: 404")
    assert outcome(result, "signature") == (
        "fail",
        "not verified: the issuer's keys could not be fetched "
        "(discovery of https://idp failed: 404)",
    )
    assert not result.ok


def test_invalid_jwks_document_is_a_transport_error_and_fails_the_inspection() -> None:
    issuer = FakeIssuer({JWKS_URI: {"issuer": ISSUER, "authorization_endpoint": "x"}})
    cache = JwksCache(issuer.fetch)
    with pytest.raises(TransportError) as info:
        cache.get(JWKS_URI)
    assert info.value.kind == "invalid_document"
    assert "no 'keys' member" in str(info.value)
    assert "authorization_endpoint, issuer" in str(info.value)
    result = inspect(sign(ID_CLAIMS), jwks=cache, jwks_uri=JWKS_URI)
    state, reason = outcome(result, "signature")
    assert state == "fail"
    assert reason.startswith("not verified: ")
    assert "is not a JWKS" in reason


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([RSA_JWK], "is not a JSON object (got list)"),
        ({"keys": RSA_JWK}, "'keys' is not a list"),
        ({"keys": [1, "x", {"n": "abc"}]}, "none of its 3 entries is a JWK"),
    ],
)
def test_invalid_jwks_documents(document: Any, message: str) -> None:
    with pytest.raises(TransportError) as info:
        KeySet.from_document(document, source=JWKS_URI)
    assert info.value.kind == "invalid_document"
    assert message in str(info.value)
    assert JWKS_URI in str(info.value)


def test_unusable_key_material_fails_the_signature_check_with_reason() -> None:
    broken = dict(RSA_JWK, n=12345)  # a number where base64url is required
    state, reason = outcome(inspect(sign(ID_CLAIMS), jwks={"keys": [broken]}), "signature")
    assert state == "fail"
    assert reason.startswith("kid 'rsa-1' is not a usable key")


def test_jwks_skips_junk_entries_but_keeps_good_keys() -> None:
    keyset = KeySet.from_document({"keys": [42, {"kty": "weird", "kid": "w"}, RSA_JWK]})
    assert keyset.kids() == ["w", "rsa-1"]
    assert keyset.notes[0] == "keys[0] skipped: not a JWK object with a kty"
    assert "unsupported key type 'weird'" in keyset.notes[1]
    assert inspect(sign(ID_CLAIMS), jwks=keyset).signature_valid


def test_private_members_in_a_jwks_are_ignored() -> None:
    leaked = RSAAlgorithm.to_jwk(RSA_KEY, as_dict=True)
    leaked["kid"] = "rsa-1"
    del leaked["key_ops"]  # PyJWT writes ["sign"], which would (rightly) rule the key out
    keyset = KeySet.from_document({"keys": [leaked]})
    assert isinstance(keyset.keys[0].key_object(), rsa.RSAPublicKey)
    assert inspect(sign(ID_CLAIMS), jwks=keyset).signature_valid


# --------------------------------------------------------------------------- JWKS cache


def test_cache_fetches_once_per_url_and_reuses() -> None:
    issuer = FakeIssuer({JWKS_URI: JWKS, "https://other/jwks": {"keys": [EC_JWK]}})
    cache = JwksCache(issuer.fetch)
    for _ in range(3):
        assert inspect(sign(ID_CLAIMS), jwks=cache, jwks_uri=JWKS_URI).signature_valid
    token = sign(ID_CLAIMS, EC_KEY, "ES256", "ec-1")
    assert inspect(token, jwks=cache, jwks_uri="https://other/jwks").signature_valid
    assert issuer.calls == [JWKS_URI, "https://other/jwks"]


def test_unknown_kid_refetches_once_and_finds_a_rotated_key() -> None:
    issuer = FakeIssuer({JWKS_URI: {"keys": [RSA_JWK]}})
    cache = JwksCache(issuer.fetch)
    cache.get(JWKS_URI)
    assert len(issuer.calls) == 1
    issuer.documents[JWKS_URI] = {"keys": [RSA_JWK, public_jwk(RSA_KEY_2, "rsa-2")]}  # rotation
    result = inspect(sign(ID_CLAIMS, RSA_KEY_2, kid="rsa-2"), jwks=cache, jwks_uri=JWKS_URI)
    assert outcome(result, "signature")[0] == "pass"
    assert len(issuer.calls) == 2
    # The new key is now cached: no further fetch.
    inspect(sign(ID_CLAIMS, RSA_KEY_2, kid="rsa-2"), jwks=cache, jwks_uri=JWKS_URI)
    assert len(issuer.calls) == 2


def test_unknown_kid_refetches_exactly_once_then_gives_up() -> None:
    issuer = FakeIssuer()
    clock = Clock()
    cache = JwksCache(issuer.fetch, clock=clock, unknown_kid_cooldown=60)
    cache.get(JWKS_URI)
    ghost = sign(ID_CLAIMS, RSA_KEY_2, kid="ghost")
    result = inspect(ghost, jwks=cache, jwks_uri=JWKS_URI)
    state, reason = outcome(result, "signature")
    assert state == "fail"
    assert reason.startswith("no key with kid 'ghost' in the issuer's JWKS")
    assert "'rsa-1', 'ec-1', 'ed-1'" in reason
    assert reason.endswith("fetched again once")
    assert issuer.calls == [JWKS_URI, JWKS_URI]
    # Same bogus kid again within the cooldown: no more fetches.
    clock.t += 30
    reason = outcome(inspect(ghost, jwks=cache, jwks_uri=JWKS_URI), "signature")[1]
    assert reason.startswith("no key with kid 'ghost'")
    assert len(issuer.calls) == 2
    # After the cooldown the issuer may have rotated: one more look.
    clock.t += 31
    inspect(ghost, jwks=cache, jwks_uri=JWKS_URI)
    assert len(issuer.calls) == 3


def test_unknown_kid_on_a_cold_cache_does_not_fetch_twice_in_a_row() -> None:
    issuer = FakeIssuer()
    cache = JwksCache(issuer.fetch)
    ghost = sign(ID_CLAIMS, kid="ghost")
    assert outcome(inspect(ghost, jwks=cache, jwks_uri=JWKS_URI), "signature")[0] == "fail"
    assert issuer.calls == [JWKS_URI]


def test_cache_refetches_after_max_age() -> None:
    issuer = FakeIssuer()
    clock = Clock()
    cache = JwksCache(issuer.fetch, clock=clock, max_age=300)
    cache.get(JWKS_URI)
    clock.t += 299
    cache.get(JWKS_URI)
    assert len(issuer.calls) == 1
    clock.t += 2
    cache.get(JWKS_URI)
    assert len(issuer.calls) == 2


def test_cache_refresh_clear_and_cached() -> None:
    issuer = FakeIssuer()
    cache = JwksCache(issuer.fetch)
    assert cache.cached(JWKS_URI) is None
    cache.get(JWKS_URI)
    assert cache.cached(JWKS_URI) is not None
    cache.refresh(JWKS_URI)
    assert len(issuer.calls) == 2
    cache.clear(JWKS_URI)
    assert cache.cached(JWKS_URI) is None
    cache.get(JWKS_URI)
    assert len(issuer.calls) == 3


def test_cache_is_thread_safe_and_fetches_once_under_concurrency() -> None:
    issuer = FakeIssuer()
    issuer.delay = 0.05
    cache = JwksCache(issuer.fetch)
    token = sign(ID_CLAIMS)
    results: list[bool] = []
    lock = threading.Lock()

    def work() -> None:
        ok = inspect(token, jwks=cache, jwks_uri=JWKS_URI).signature_valid
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert results == [True] * 16
    assert issuer.calls == [JWKS_URI]


# --------------------------------------------------------------------------- claim checks


def test_findings_come_in_the_documented_order_and_serialise() -> None:
    result = inspect(sign(ID_CLAIMS), jwks=JWKS, issuer=ISSUER, client_id="client-1")
    assert tuple(f.check for f in result.findings) == CHECKS
    assert CHECKS == (
        "signature", "keys", "iss", "aud", "exp", "nbf", "iat", "typ", "token_use", "nonce",
        "at_hash", "c_hash", "dpop", "x5t#S256",
    )  # fmt: skip
    data = json.loads(json.dumps(result.to_dict()))
    assert data["ok"] is True
    assert data["findings"][0] == {
        "check": "signature",
        "outcome": "pass",
        "reason": "valid RS256 signature by kid 'rsa-1'",
    }
    assert data["claims"]["sub"] == "alice"
    assert data["header"]["kid"] == "rsa-1"
    assert data["expiry"]["seconds_left"] == 252
    assert data["expiry"]["expired"] is False


def test_inspect_accepts_an_already_decoded_token() -> None:
    decoded = decode_jwt(sign(ID_CLAIMS))
    assert inspect(decoded, jwks=JWKS).decoded is decoded


def test_inspect_on_opaque_token_raises_token_error() -> None:
    with pytest.raises(TokenError, match="opaque"):
        inspect_token("2YotnFZFEjr1zCsicMWpAA")


def test_iss_check() -> None:
    token = sign(ID_CLAIMS)
    assert outcome(inspect(token, issuer=ISSUER), "iss") == ("pass", f"iss is {ISSUER!r}")
    state, reason = outcome(inspect(token, issuer="https://evil.example"), "iss")
    assert state == "fail"
    assert reason == f"iss is {ISSUER!r}, expected 'https://evil.example'"
    reason = outcome(inspect(token, issuer=ISSUER + "/"), "iss")[1]
    assert "trailing '/'" in reason
    assert outcome(inspect(token), "iss") == (
        "not_checked",
        f"no expected issuer given (the token says {ISSUER!r})",
    )
    no_iss = sign({k: v for k, v in ID_CLAIMS.items() if k != "iss"})
    assert outcome(inspect(no_iss, issuer=ISSUER), "iss")[1].startswith("the token has no iss")


def test_aud_check_with_string_and_list() -> None:
    token = sign(ID_CLAIMS)
    assert outcome(inspect(token, audience="client-1"), "aud") == (
        "pass",
        "aud contains 'client-1'",
    )
    state, reason = outcome(inspect(token, audience="api"), "aud")
    assert (state, reason) == ("fail", "aud is 'client-1', which does not contain 'api'")
    multi = sign(dict(ID_CLAIMS, aud=["api", "client-1"]))
    assert outcome(inspect(multi, audience="api"), "aud")[0] == "pass"
    assert outcome(inspect(multi, audience="other"), "aud")[0] == "fail"
    assert outcome(inspect(token), "aud") == ("not_checked", "no expected audience")
    assert inspect(token).finding("aud").fix == (Setting.AUDIENCE, Setting.CLIENT_ID)
    bad = sign(dict(ID_CLAIMS, aud=5))
    assert "neither a string nor a list" in outcome(inspect(bad, audience="x"), "aud")[1]


def test_aud_check_for_an_id_token_by_client_id_and_azp() -> None:
    token = sign(ID_CLAIMS)
    assert outcome(inspect(token, client_id="client-1"), "aud") == (
        "pass",
        "aud contains the client 'client-1'",
    )
    assert outcome(inspect(token, client_id="client-2"), "aud")[0] == "fail"
    with_azp = sign(dict(ID_CLAIMS, aud=["client-1", "api"], azp="client-1"))
    assert outcome(inspect(with_azp, client_id="client-1"), "aud") == ("pass", "azp is 'client-1'")
    state, reason = outcome(inspect(with_azp, client_id="client-9"), "aud")
    assert state == "fail" and "azp is 'client-1', expected the client 'client-9'" in reason


COGNITO_ACCESS = {
    "sub": "0b5e7c4a-1111-2222-3333-444455556666",
    "cognito:groups": ["admins"],
    "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
    "version": 2,
    "client_id": "7example23clientid",
    "origin_jti": "5f1b-origin",
    "event_id": "ev-1",
    "token_use": "access",
    "scope": "openid email",
    "auth_time": NOW - 100,
    "exp": NOW + 3500,
    "iat": NOW - 100,
    "jti": "jti-1",
    "username": "alice",
}


def test_cognito_access_token_with_client_id_and_token_use() -> None:
    token = sign(COGNITO_ACCESS)
    result = inspect(
        token,
        jwks=JWKS,
        issuer=COGNITO_ACCESS["iss"],
        client_id="7example23clientid",
        token_use="access",
    )
    assert outcome(result, "aud") == ("pass", "client_id is '7example23clientid'")
    assert outcome(result, "token_use") == ("pass", "token_use is 'access'")
    assert result.ok
    wrong = inspect(token, client_id="other-client", token_use="id")
    assert outcome(wrong, "aud") == (
        "fail",
        "client_id is '7example23clientid', expected 'other-client'",
    )
    assert outcome(wrong, "token_use") == ("fail", "token_use is 'access', expected 'id'")
    # Asking for an aud on a token that has none points at --client-id.
    state, reason = outcome(inspect(token, audience="7example23clientid"), "aud")
    assert state == "fail"
    assert "no aud claim" in reason and "pass --client-id" in reason


def test_token_use_not_checked_and_missing() -> None:
    assert outcome(inspect(sign(COGNITO_ACCESS)), "token_use") == (
        "not_checked",
        "no expected token_use given (the token says 'access')",
    )
    state, reason = outcome(inspect(sign(ID_CLAIMS), token_use="id"), "token_use")
    assert state == "fail" and reason.startswith("the token has no token_use claim")


def test_exp_pass_fail_leeway_missing_and_invalid() -> None:
    token = sign(ID_CLAIMS)  # exp = NOW + 252
    state, reason = outcome(inspect(token), "exp")
    assert state == "pass"
    assert reason.startswith("expires in 4 min 12 s (2026-")
    state, reason = outcome(inspect(token, now=NOW + 252 + 192), "exp")
    assert state == "fail"
    assert reason.startswith("expired 3 min 12 s ago (2026-")
    state, reason = outcome(inspect(token, now=NOW + 252 + 10), "exp")
    assert state == "pass"
    assert "within the 30 s leeway" in reason
    assert outcome(inspect(token, now=NOW + 252 + 10, leeway=0), "exp")[0] == "fail"
    no_exp = sign({"sub": "x"})
    assert outcome(inspect(no_exp), "exp") == ("not_checked", "token has no exp")
    for bad, text in [("soon", 'not a number: "soon"'), (1e30, "out of range: 1e+30")]:
        result = inspect(sign({"exp": bad}))
        assert outcome(result, "exp") == ("fail", f"exp is not a valid time: {text}")
        assert result.expiry.problem == text


def test_nbf_in_the_future_fails_and_absent_is_not_checked() -> None:
    future = sign(dict(ID_CLAIMS, nbf=NOW + 300))
    state, reason = outcome(inspect(future), "nbf")
    assert state == "fail"
    assert reason.startswith("not valid yet: valid from 2026-")
    assert reason.endswith("(in 5 min)")
    assert outcome(inspect(future, now=NOW + 290), "nbf")[0] == "pass"  # within leeway
    assert outcome(inspect(sign(ID_CLAIMS)), "nbf")[1].startswith("valid since 2026-")
    assert outcome(inspect(sign({"sub": "x"})), "nbf") == ("not_checked", "token has no nbf")
    assert outcome(inspect(sign({"nbf": "later"})), "nbf")[0] == "fail"


@pytest.mark.parametrize("typ", ["at+jwt", "AT+JWT", "application/at+jwt"])
def test_typ_at_jwt_passes_case_insensitively_and_with_media_prefix(typ: str) -> None:
    token = sign(ID_CLAIMS, typ=typ)
    assert outcome(inspect(token, expected_typ="at+jwt"), "typ") == ("pass", f"typ is {typ!r}")


def test_typ_fails_for_an_id_token_offered_as_access_token() -> None:
    token = sign(ID_CLAIMS)  # PyJWT writes typ JWT
    state, reason = outcome(inspect(token, expected_typ="at+jwt"), "typ")
    assert state == "fail"
    assert reason.startswith("typ is 'JWT', expected 'at+jwt'")
    assert "RFC 9068" in reason
    assert outcome(inspect(token), "typ") == (
        "not_checked",
        "no expected typ given (the header says 'JWT')",
    )
    no_typ = sign(ID_CLAIMS, typ=None)
    assert outcome(inspect(no_typ, expected_typ="at+jwt"), "typ")[1].startswith(
        "the header has no typ"
    )


def test_nonce_check() -> None:
    token = sign(ID_CLAIMS)
    assert outcome(inspect(token, nonce="n-0S6_WzA2Mj"), "nonce")[0] == "pass"
    state, reason = outcome(inspect(token, nonce="other"), "nonce")
    assert state == "fail"
    assert reason.startswith("nonce is 'n-0S6_WzA2Mj', expected 'other'")
    assert outcome(inspect(token), "nonce") == (
        "not_checked",
        "the token has a nonce but no expected nonce was given",
    )
    no_nonce = sign({"sub": "x"})
    assert outcome(inspect(no_nonce, nonce="abc"), "nonce")[0] == "fail"


# OpenID Connect Core 1.0 Appendix A example: this access token has this at_hash (RS256).
OIDC_ACCESS_TOKEN = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
OIDC_AT_HASH = "77QmUPtjPfzWtF2AnpK9RQ"


def test_at_hash_right_and_wrong() -> None:
    token = sign(dict(ID_CLAIMS, at_hash=OIDC_AT_HASH))
    assert outcome(inspect(token, access_token=OIDC_ACCESS_TOKEN), "at_hash") == (
        "pass",
        "at_hash matches the access token (sha256)",
    )
    state, reason = outcome(inspect(token, access_token="another-token"), "at_hash")
    assert state == "fail"
    assert "not issued together with this access token" in reason
    assert outcome(inspect(token), "at_hash") == (
        "not_checked",
        "no access token given to compare with",
    )
    no_claim = sign(ID_CLAIMS)
    assert outcome(inspect(no_claim, access_token=OIDC_ACCESS_TOKEN), "at_hash") == (
        "not_checked",
        "the token has no at_hash claim",
    )


@pytest.mark.parametrize(("alg", "hash_name"), [("RS384", "sha384"), ("RS512", "sha512")])
def test_at_hash_uses_the_hash_of_the_alg(alg: str, hash_name: str) -> None:
    digest = hashlib.new(hash_name, b"access-123").digest()
    expected = b64(digest[: len(digest) // 2])
    token = sign(dict(ID_CLAIMS, at_hash=expected), alg=alg)
    assert outcome(inspect(token, access_token="access-123"), "at_hash") == (
        "pass",
        f"at_hash matches the access token ({hash_name})",
    )


def test_everything_passing_together() -> None:
    token = sign(dict(ID_CLAIMS, at_hash=OIDC_AT_HASH))
    result = inspect(
        token,
        jwks=JWKS,
        issuer=ISSUER,
        client_id="client-1",
        nonce="n-0S6_WzA2Mj",
        access_token=OIDC_ACCESS_TOKEN,
    )
    assert [f.outcome for f in result.findings] == [
        Outcome.PASS,  # signature
        Outcome.PASS,  # keys
        Outcome.PASS,  # iss
        Outcome.PASS,  # aud
        Outcome.PASS,  # exp
        Outcome.PASS,  # nbf
        Outcome.PASS,  # iat
        Outcome.NOT_CHECKED,  # typ
        Outcome.NOT_CHECKED,  # token_use
        Outcome.PASS,  # nonce
        Outcome.PASS,  # at_hash
        Outcome.NOT_CHECKED,  # c_hash: no code given
        Outcome.NOT_CHECKED,  # dpop: the token is not DPoP-bound
        Outcome.NOT_CHECKED,  # x5t#S256: not certificate-bound
    ]
    assert result.ok and result.failed == []


# --------------------------------------------------------------------------- the key set


def test_an_hs256_token_verified_with_a_published_oct_key_is_not_a_pass() -> None:
    secret = b"shared-secret-that-everyone-can-read-in-the-jwks"
    oct_jwk = {"kty": "oct", "kid": "mac-1", "k": b64(secret)}
    token = hand_made({"alg": "HS256", "kid": "mac-1"}, ID_CLAIMS, secret)
    result = inspect(token, jwks={"keys": [RSA_JWK, oct_jwk]}, issuer=ISSUER)
    state, reason = outcome(result, "signature")
    assert state == "fail"
    assert "symmetric (oct) key that the JWKS itself publishes" in reason
    state, reason = outcome(result, "keys")
    assert state == "fail"
    assert "symmetric (oct) key material (kid 'mac-1')" in reason
    assert not result.ok


def test_a_jwks_with_an_oct_key_is_a_finding_even_for_an_rs256_token() -> None:
    oct_jwk = {"kty": "oct", "kid": "mac-1", "k": b64(b"0123456789abcdef")}
    result = inspect(sign(ID_CLAIMS), jwks={"keys": [RSA_JWK, oct_jwk]})
    assert outcome(result, "signature")[0] == "pass"
    assert outcome(result, "keys")[0] == "fail"
    assert not result.ok


def test_a_jwks_that_leaks_private_members_is_a_finding() -> None:
    leaked = dict(RSA_JWK, d="AQAB")
    result = inspect(sign(ID_CLAIMS), jwks={"keys": [leaked]})
    state, reason = outcome(result, "keys")
    assert state == "fail"
    assert "private key members (kid 'rsa-1')" in reason


def test_a_clean_jwks_passes_the_keys_check() -> None:
    result = inspect(sign(ID_CLAIMS), jwks=JWKS)
    assert outcome(result, "keys") == ("pass", "the JWKS publishes 3 public keys, no secrets")


# --------------------------------------------------------------------------- iat


def test_iat_in_the_future_beyond_the_leeway_is_a_finding() -> None:
    result = inspect(sign(dict(ID_CLAIMS, iat=NOW + 3600)), jwks=JWKS)
    state, reason = outcome(result, "iat")
    assert state == "fail"
    assert reason.startswith("issued in the future")
    assert "30 s clock-skew allowance" in reason
    assert not result.ok


def test_iat_within_the_leeway_or_in_the_past_passes_and_absent_is_neutral() -> None:
    assert outcome(inspect(sign(dict(ID_CLAIMS, iat=NOW + 10)), jwks=JWKS), "iat")[0] == "pass"
    assert outcome(inspect(sign(ID_CLAIMS), jwks=JWKS), "iat")[0] == "pass"
    claims = {k: v for k, v in ID_CLAIMS.items() if k != "iat"}
    assert outcome(inspect(sign(claims), jwks=JWKS), "iat") == ("not_checked", "token has no iat")
    assert outcome(inspect(sign(dict(ID_CLAIMS, iat="soon")), jwks=JWKS), "iat")[0] == "fail"
