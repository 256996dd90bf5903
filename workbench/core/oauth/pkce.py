"""PKCE (RFC 7636): code verifier and S256 challenge."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def random_token(nbytes: int = 32) -> str:
    """An unguessable URL-safe value for state and nonce."""
    return b64url(secrets.token_bytes(nbytes))


def s256_challenge(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier)))."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"

    @classmethod
    def generate(cls) -> Pkce:
        """RFC 7636 §4.1: 32 random octets → a 43-character verifier."""
        verifier = random_token(32)
        return cls(verifier=verifier, challenge=s256_challenge(verifier))
