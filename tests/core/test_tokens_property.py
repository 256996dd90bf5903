"""Property tests: whatever is pasted, decoding raises nothing but TokenError.

Inputs: arbitrary text, JWT-alphabet text, real signed JWTs mutated (characters flipped,
inserted, deleted; segments swapped, duplicated, dropped), random JSON re-encoded as segments,
and hostile JWKS documents. Valid tokens must round-trip exactly, and a mutated token may only
pass the signature check if its signing input and signature bytes are the original ones.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from workbench.core.errors import TokenError, TransportError
from workbench.core.tokens.checks import CHECKS, inspect_token
from workbench.core.tokens.claims import claim_rows, expiry, format_local, format_relative
from workbench.core.tokens.decode import decode_jwt, token_kind
from workbench.core.tokens.findings import Outcome
from workbench.core.tokens.jwks import KeySet

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
_rsa_jwk = RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True)
_ec_jwk = ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True)
JWKS = {"keys": [dict(_rsa_jwk, kid="rsa-1"), dict(_ec_jwk, kid="ec-1")]}
NOW = 1_795_700_000.0

CLAIMS: dict[str, Any] = {
    "iss": "https://issuer.example",
    "sub": "alice",
    "aud": ["api", "client-1"],
    "exp": NOW + 600,
    "iat": NOW - 60,
    "nonce": "abc",
    "scope": "openid profile",
    "nested": {"roles": ["a", "b"], "n": 1.5, "ok": True, "none": None},
}
REAL_TOKENS = [
    jwt.encode(CLAIMS, RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"}),
    jwt.encode(CLAIMS, EC_KEY, algorithm="ES256", headers={"kid": "ec-1"}),
    jwt.encode({"sub": "x"}, "", algorithm="none"),
]
ORIGINALS = {t: decode_jwt(t) for t in REAL_TOKENS}

JWT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decode_or_token_error(text: str) -> Any:
    """Decode, allowing only TokenError (with a message) to escape."""
    try:
        return decode_jwt(text)
    except TokenError as exc:
        assert str(exc), "a TokenError must say what is wrong"
        return None


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)


@st.composite
def mutated_tokens(draw: st.DrawFn) -> tuple[str, str]:
    original = draw(st.sampled_from(REAL_TOKENS))
    token = original
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "swap", "dup", "drop", "trunc"]))
        parts = token.split(".")
        if op in ("flip", "insert", "delete", "trunc") and not token:
            continue
        if op == "flip":
            i = draw(st.integers(0, len(token) - 1))
            token = token[:i] + draw(st.sampled_from(JWT_ALPHABET + "é\x00")) + token[i + 1 :]
        elif op == "insert":
            i = draw(st.integers(0, len(token)))
            token = token[:i] + draw(st.text(alphabet=JWT_ALPHABET, max_size=3)) + token[i:]
        elif op == "delete":
            i = draw(st.integers(0, len(token) - 1))
            j = draw(st.integers(i, min(len(token), i + 4)))
            token = token[:i] + token[j:]
        elif op == "swap":
            token = ".".join(draw(st.permutations(parts)))
        elif op == "dup" and parts:
            token = ".".join([*parts, draw(st.sampled_from(parts))])
        elif op == "drop" and len(parts) > 1:
            i = draw(st.integers(0, len(parts) - 1))
            token = ".".join(parts[:i] + parts[i + 1 :])
        elif op == "trunc":
            token = token[: draw(st.integers(0, len(token)))]
    return original, token


@PROPERTY
@given(st.text())
def test_arbitrary_text_raises_only_token_error(text: str) -> None:
    decode_or_token_error(text)
    try:
        assert token_kind(text) in ("jwt", "jwe", "opaque")
    except TokenError as exc:  # only for text that cannot be a token of any kind
        assert "empty" in str(exc) or "non-ASCII" in str(exc)


@PROPERTY
@given(st.text(alphabet=JWT_ALPHABET, max_size=200))
def test_jwt_alphabet_text_raises_only_token_error(text: str) -> None:
    decode_or_token_error(text)


@settings(PROPERTY, max_examples=1000)
@given(mutated_tokens())
def test_mutated_real_tokens_raise_only_token_error_and_never_verify_falsely(
    pair: tuple[str, str],
) -> None:
    original, token = pair
    decoded = decode_or_token_error(token)
    if decoded is None:
        return
    result = inspect_token(decoded, jwks=JWKS, issuer=CLAIMS["iss"], audience="api", now=NOW)
    assert len(result.findings) == len(CHECKS)
    json.dumps(result.to_dict())
    if result.finding("signature").outcome is Outcome.PASS:
        source = ORIGINALS[original]
        assert decoded.signing_input == source.signing_input
        assert decoded.signature == source.signature


@PROPERTY
@given(json_values, json_values, st.binary(max_size=64))
def test_random_json_segments_round_trip_or_raise_token_error(
    header: Any, claims: Any, signature: bytes
) -> None:
    token = ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature)]
    )
    decoded = decode_or_token_error(token)
    if isinstance(header, dict) and isinstance(claims, dict):
        assert decoded is not None
        assert decoded.header == header
        assert decoded.claims == claims
        assert decoded.signature == signature
        assert decoded.raw == token
        inspect_token(decoded, jwks=JWKS, now=NOW)  # must not raise either
    else:
        assert decoded is None


@PROPERTY
@given(json_objects, json_objects)
def test_valid_tokens_round_trip_through_whitespace_and_bearer(header: Any, claims: Any) -> None:
    token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."
    decoded = decode_jwt(f"  Bearer {token[:7]}\n{token[7:]}  ")
    assert (decoded.header, decoded.claims, decoded.raw) == (header, claims, token)
    assert token_kind(token) == "jwt"


@PROPERTY
@given(st.binary(max_size=80), st.binary(max_size=80))
def test_random_bytes_segments_raise_only_token_error(head: bytes, body: bytes) -> None:
    decode_or_token_error(f"{b64(head)}.{b64(body)}.")


b64_text = st.binary(min_size=0, max_size=70).map(b64)
jwk_members = st.fixed_dictionaries(
    {"kty": st.sampled_from(["RSA", "EC", "OKP", "oct", "bogus"])},
    optional={
        "kid": st.sampled_from(["rsa-1", "ec-1", "other"]),
        "n": b64_text | json_values,
        "e": b64_text | json_values,
        "crv": st.sampled_from(["P-256", "P-384", "P-521", "secp256k1", "Ed25519", "X"]),
        "x": b64_text | json_values,
        "y": b64_text | json_values,
        "k": b64_text | json_values,
        "d": b64_text,
        "alg": st.sampled_from(["RS256", "ES256", "HS256", "EdDSA", "none", "PS512"]),
        "use": st.sampled_from(["sig", "enc", "x"]),
        "key_ops": st.lists(st.sampled_from(["verify", "sign", "encrypt"]), max_size=2),
    },
)


@PROPERTY
@given(st.lists(jwk_members | json_values, max_size=4), st.sampled_from(REAL_TOKENS))
def test_hostile_jwks_never_breaks_inspection(keys: list[Any], token: str) -> None:
    try:
        KeySet.from_document({"keys": keys})
    except TransportError as exc:
        assert exc.kind == "invalid_document"
    result = inspect_token(token, jwks={"keys": keys}, now=NOW)
    signature = result.finding("signature")
    assert signature.reason
    json.dumps(result.to_dict())


@PROPERTY
@given(json_values | st.floats(), json_values, st.floats(allow_nan=False, allow_infinity=False))
def test_time_helpers_never_raise(exp: Any, iat: Any, now: float) -> None:
    claims = {"exp": exp, "iat": iat, "nbf": exp, "auth_time": iat}
    result = expiry(claims, now)
    assert result.describe()
    rows = claim_rows(claims, now)
    assert [r.name for r in rows] == ["exp", "iat", "nbf", "auth_time"]
    if isinstance(exp, float):
        assert format_local(exp)
        assert format_relative(exp)
