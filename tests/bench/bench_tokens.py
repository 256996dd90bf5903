"""Token inspection cost on a ~16 KB RS256 JWT, against PyJWT's bare ``jwt.decode``, same run.

    python -m tests.bench.bench_tokens [--rounds N]   (from the repository root)

Measured (median of N runs, time.perf_counter_ns, after a warm-up):
  decode            workbench decode_jwt (no verification)
  decode+verify     workbench inspect_token with a pre-warmed JwksCache and every expectation
                    given (signature, iss, aud, exp, nbf, typ, nonce, at_hash all evaluated)
  PyJWT baseline    jwt.decode(token, public_key, algorithms=["RS256"], audience, issuer)
The baseline does less (no findings, no at_hash/typ/nonce checks, no human-readable times), yet
on a large token it is the slower one: PyJWT 2.15 checks every base64url character of each
segment in a Python generator, while decode_jwt lets binascii's strict mode validate in C and
only explains a bad segment when there is one. The RSA verification itself is ~30 us of either.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from workbench.core.tokens.checks import CHECKS, inspect_token
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.jwks import JwksCache

ISSUER = "https://issuer.example"
JWKS_URI = ISSUER + "/jwks.json"
ACCESS_TOKEN = "bench-access-token-0123456789"
TARGET_BYTES = 16 * 1024


def _median_us(fn: Callable[[], object], rounds: int) -> float:
    for _ in range(min(50, rounds)):
        fn()
    samples: list[int] = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000.0


def _big_token(key: rsa.RSAPrivateKey, now: float) -> str:
    digest = hashlib.sha256(ACCESS_TOKEN.encode()).digest()
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": ["client-1", "api"],
        "azp": "client-1",
        "iat": int(now) - 60,
        "nbf": int(now) - 60,
        "exp": int(now) + 3600,
        "nonce": "n-0S6_WzA2Mj",
        "at_hash": base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode(),
        "email": "alice@example.com",
        "groups": [],
    }
    i = 0
    while True:
        claims["groups"].append(f"org/department-{i:04d}/team-role")
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1", "typ": "JWT"})
        if len(token) >= TARGET_BYTES:
            return token
        i += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    jwk["kid"] = "k1"
    document = {"keys": [jwk]}
    now = time.time()
    token = _big_token(key, now)

    fetches: list[str] = []

    def fetch(url: str) -> Mapping[str, Any]:
        fetches.append(url)
        return document

    cache = JwksCache(fetch)
    cache.get(JWKS_URI)  # pre-warm: no fetch is timed

    def decode() -> None:
        decode_jwt(token)

    def decode_verify() -> None:
        result = inspect_token(
            token,
            jwks=cache,
            jwks_uri=JWKS_URI,
            issuer=ISSUER,
            client_id="client-1",
            audience="api",
            nonce="n-0S6_WzA2Mj",
            access_token=ACCESS_TOKEN,
            now=now,
        )
        assert result.ok and result.signature_valid

    def pyjwt() -> None:
        jwt.decode(token, public, algorithms=["RS256"], audience="api", issuer=ISSUER)

    decode_verify()
    pyjwt()
    t_decode = _median_us(decode, args.rounds)
    t_verify = _median_us(decode_verify, args.rounds)
    t_pyjwt = _median_us(pyjwt, args.rounds)
    assert fetches == [JWKS_URI], f"the JWKS was fetched {len(fetches)} times"

    rows = [
        ("workbench decode_jwt (no verification)", f"{t_decode:9.1f} us"),
        (f"workbench inspect_token (decode+verify, {len(CHECKS)} checks)", f"{t_verify:9.1f} us"),
        ("PyJWT jwt.decode (baseline, same key)", f"{t_pyjwt:9.1f} us"),
        ("ratio inspect_token / PyJWT jwt.decode", f"{t_verify / t_pyjwt:9.2f} x"),
    ]
    print(f"token: RS256, {len(token):,} characters; median of {args.rounds} rounds each")
    for label, value in rows:
        print(f"  {label:<52}{value}")


if __name__ == "__main__":
    main()
