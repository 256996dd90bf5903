"""The client's own signing keys: generate, load, publish and sign with them.

One :class:`SigningKey` holds a private key (RSA, EC or OKP), the JWS algorithm it signs with
and its key id. It gives the public JWK and JWKS a server registers (``kid`` is the RFC 7638
thumbprint unless one is given, with ``alg`` and ``use: sig``), and signs a JWT with header
extras (``typ``, ``kid``, the public ``jwk`` for DPoP). The private half never leaves the object
except through :meth:`SigningKey.private_pem`, which is for a 0600 file or the keyring; its
``repr`` and ``str`` say only the type, the algorithm and the kid.

Every client-side signature of the workbench comes from here: ``private_key_jwt`` client
assertions (RFC 7523 §2.2), and later request objects (RFC 9101), JWT bearer assertions
(RFC 7523 §2.1) and DPoP proofs (RFC 9449). :func:`sign_with_secret` is the HMAC twin for
``client_secret_jwt``, keyed by the client secret.

A key file that is missing, unreadable, not a private key, encrypted, or of a type that cannot
sign with the asked algorithm is a :class:`~workbench.core.errors.ConfigError` that says which.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from jwt.algorithms import get_default_algorithms

from workbench.core.errors import ConfigError
from workbench.core.private_files import write_private_text

#: The algorithms :func:`generate_key` makes a key for, in the order the faces offer them.
GENERATED_ALGS: tuple[str, ...] = ("ES256", "RS256", "PS256", "EdDSA")
#: Every asymmetric algorithm a loaded key may sign with (RFC 7518 §3.1, RFC 8037 §3.1).
RSA_SIGNING_ALGS: tuple[str, ...] = ("RS256", "PS256", "RS384", "PS384", "RS512", "PS512")
EC_CURVE_ALG: dict[str, str] = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
EC_CURVE_JWK: dict[str, str] = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
#: The HMAC algorithms of ``client_secret_jwt`` (RFC 7518 §3.2).
HMAC_ALGS: tuple[str, ...] = ("HS256", "HS384", "HS512")
#: RSA keys shorter than this are refused (RFC 7518 §3.3 and §3.5).
MIN_RSA_BITS = 2048
#: Bytes read from a key file at most: a PEM private key is a few KiB.
MAX_KEY_FILE = 64 * 1024

PrivateKeyObject = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)

_ALGORITHMS = get_default_algorithms()
#: The members of each key type's public JWK that its RFC 7638 thumbprint covers.
_THUMBPRINT_MEMBERS: dict[str, tuple[str, ...]] = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a JWK (base64url): its required members only, in
    lexical order, without white space."""
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise ConfigError(f"No thumbprint for a key of type {kty!r} (RFC 7638 knows RSA, EC, OKP).")
    missing = [m for m in members if not isinstance(jwk.get(m), str)]
    if missing:
        raise ConfigError(f"The {kty} key lacks {', '.join(missing)}: no thumbprint.")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def _describe(key: PrivateKeyObject) -> str:
    """The key's type in words: ``RSA 2048-bit``, ``EC P-256``, ``Ed25519``."""
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA {key.key_size}-bit"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC {EC_CURVE_JWK.get(key.curve.name, key.curve.name)}"
    return "Ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "Ed448"


def signing_algs(key: PrivateKeyObject) -> tuple[str, ...]:
    """The JWS algorithms ``key`` can sign with (RSA: RS*/PS*; EC: its curve's ES*; OKP: EdDSA)."""
    if isinstance(key, rsa.RSAPrivateKey):
        return RSA_SIGNING_ALGS
    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = EC_CURVE_ALG.get(key.curve.name)
        return (alg,) if alg else ()
    return ("EdDSA",)


class SigningKey:
    """A private signing key, its JWS algorithm and its key id (see the module's words)."""

    __slots__ = ("_key", "alg", "kid", "source")

    def __init__(
        self,
        key: PrivateKeyObject,
        alg: str | None = None,
        kid: str | None = None,
        source: str = "the key",
    ) -> None:
        algs = signing_algs(key)
        if not algs:
            raise ConfigError(f"{source} is an {_describe(key)} key, a curve JWS has no alg for.")
        if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
            raise ConfigError(
                f"{source} is an {_describe(key)} key: RSA keys need {MIN_RSA_BITS} bits at least"
                " (RFC 7518 §3.3)."
            )
        if alg is not None and alg not in algs:
            raise ConfigError(
                f"{source} is an {_describe(key)} key: it cannot sign {alg}"
                f" (it signs {', '.join(algs)})."
            )
        self._key = key
        #: The JWS algorithm this key signs with (the asked one, else its type's first).
        self.alg: str = alg or algs[0]
        #: Where the key came from, for messages (a file name, "the keyring", "a new key").
        self.source = source
        #: The key id: the given one, else the RFC 7638 thumbprint of the public JWK.
        self.kid: str = kid or self.thumbprint()

    # -- what the key is -----------------------------------------------------------------
    @property
    def kind(self) -> str:
        """The key's type in words (``EC P-256``, ``RSA 3072-bit``, ``Ed25519``)."""
        return _describe(self._key)

    @property
    def algs(self) -> tuple[str, ...]:
        """Every algorithm this key can sign with."""
        return signing_algs(self._key)

    def with_alg(self, alg: str | None = None, kid: str | None = None) -> SigningKey:
        """The same key, signing with ``alg`` and known by ``kid`` (None: keep each)."""
        return SigningKey(self._key, alg or self.alg, kid or self.kid, self.source)

    def __repr__(self) -> str:  # never the private material
        return f"SigningKey({self.kind}, alg={self.alg}, kid={self.kid!r}, private key hidden)"

    __str__ = __repr__

    # -- the public half -----------------------------------------------------------------
    def _public_members(self) -> dict[str, Any]:
        public = self._key.public_key()
        jwk: dict[str, Any] = json.loads(_ALGORITHMS[self._family()].to_jwk(public))
        return {k: v for k, v in jwk.items() if k in ("kty", "crv", "n", "e", "x", "y")}

    def _family(self) -> str:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return "RS256"
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return "ES256"
        return "EdDSA"

    def thumbprint(self) -> str:
        """The RFC 7638 SHA-256 thumbprint of the public key (DPoP's ``jkt``, RFC 9449 §6)."""
        return jwk_thumbprint(self._public_members())

    def public_jwk(self) -> dict[str, Any]:
        """The public JWK: the key's members, ``kid``, ``alg`` and ``use: sig``."""
        return {**self._public_members(), "kid": self.kid, "alg": self.alg, "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        """The public JWKS (RFC 7517 §5) with this key alone, to register with a server."""
        return {"keys": [self.public_jwk()]}

    def public_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo)."""
        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    # -- the private half ----------------------------------------------------------------
    def private_pem(self) -> str:
        """The private key as unencrypted PKCS#8 PEM: for a 0600 file or the keyring only."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def sign_jwt(
        self,
        claims: Mapping[str, Any],
        *,
        typ: str | None = "JWT",
        kid: bool = True,
        embed_jwk: bool = False,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """A compact JWS of ``claims`` signed with :attr:`alg`.

        The header carries ``typ`` (None: none), ``kid`` unless ``kid=False``, the public JWK
        when ``embed_jwk`` (a DPoP proof's ``jwk``, RFC 9449 §4.2, without ``kid``/``use``),
        and any ``headers`` given (they win).
        """
        header: dict[str, Any] = {"typ": typ}
        if kid:
            header["kid"] = self.kid
        if embed_jwk:
            header["jwk"] = self._public_members()
        header.update(headers or {})
        return jwt.encode(dict(claims), self._key, algorithm=self.alg, headers=header)


def sign_with_secret(
    secret: str,
    claims: Mapping[str, Any],
    alg: str = "HS256",
    *,
    typ: str | None = "JWT",
    headers: Mapping[str, Any] | None = None,
) -> str:
    """A compact JWS of ``claims`` MACed with ``secret`` (``client_secret_jwt``, RFC 7523
    §2.2 with OIDC Core §9): HS256, HS384 or HS512."""
    if alg not in HMAC_ALGS:
        raise ConfigError(
            f"A client secret signs with {', '.join(HMAC_ALGS)}, not {alg} (RFC 7518 §3.2)."
        )
    if not secret:
        raise ConfigError("client_secret_jwt needs a client secret, and none is set.")
    header: dict[str, Any] = {"typ": typ, **(headers or {})}
    return jwt.encode(dict(claims), secret.encode("utf-8"), algorithm=alg, headers=header)


def generate_key(alg: str = "ES256", kid: str | None = None) -> SigningKey:
    """A new private key for ``alg`` (RS256/PS256: RSA 2048; ES256: P-256; EdDSA: Ed25519)."""
    key: PrivateKeyObject
    if alg in ("RS256", "PS256"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS)
    elif alg == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif alg == "EdDSA":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ConfigError(
            f"No key is generated for {alg!r}: pick one of {', '.join(GENERATED_ALGS)}."
        )
    return SigningKey(key, alg, kid, source="a new key")


def _pem_problem(text: str, source: str) -> str:
    """Why ``text`` (which cryptography could not load) is no private key we can use."""
    if "ENCRYPTED" in text:
        return (
            f"{source} is encrypted with a passphrase; the workbench reads unencrypted keys only"
            " (decrypt a copy, e.g. openssl pkey -in KEY -out PLAIN, and keep it private)."
        )
    if "PUBLIC KEY-----" in text:
        return f"{source} holds a public key, not a private key."
    if "CERTIFICATE-----" in text:
        return f"{source} holds a certificate, not a private key."
    if "-----BEGIN" not in text:
        return f"{source} is not a PEM file (no -----BEGIN … PRIVATE KEY----- block)."
    return f"{source} holds no private key that can be read (damaged or of an unknown type)."


def key_from_pem(
    text: str | bytes, alg: str | None = None, kid: str | None = None, source: str = "the key"
) -> SigningKey:
    """The signing key in PEM ``text`` (PKCS#8, or traditional RSA/EC), signing with ``alg``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    shown = data.decode("utf-8", errors="replace")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:  # "Password was not given but private key is encrypted"
        raise ConfigError(_pem_problem("ENCRYPTED", source)) from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(_pem_problem(shown, source)) from None
    if not isinstance(
        key,
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | ed448.Ed448PrivateKey,
    ):
        raise ConfigError(f"{source} is a {type(key).__name__}, which signs no JWS.")
    return SigningKey(key, alg, kid, source)


def load_key(path: str | Path, alg: str | None = None, kid: str | None = None) -> SigningKey:
    """The signing key in the PEM file at ``path`` (see :func:`key_from_pem`)."""
    source = f"The key file {path}"
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE + 1)
    except FileNotFoundError:
        raise ConfigError(f"{source} does not exist.") from None
    except IsADirectoryError:
        raise ConfigError(f"{source} is a directory, not a key file.") from None
    except OSError as exc:
        raise ConfigError(f"{source} cannot be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_KEY_FILE:
        raise ConfigError(f"{source} is larger than {MAX_KEY_FILE // 1024} KiB: no PEM key.")
    return key_from_pem(data, alg, kid, source)


def _write(path: str | Path, text: str, force: bool, what: str, private: bool) -> None:
    try:
        if private:
            write_private_text(path, text, overwrite=force)
        else:
            with open(path, "w" if force else "x", encoding="utf-8") as handle:
                handle.write(text)
    except FileExistsError:
        raise ConfigError(f"{path} exists already: the {what} was not written over it.") from None
    except OSError as exc:
        raise ConfigError(
            f"The {what} could not be written to {path}: {exc.strerror or exc}."
        ) from None


def write_key_file(key: SigningKey, path: str | Path, *, force: bool = False) -> None:
    """Write the private key as PEM to ``path``, readable by its owner only (mode 0600);
    an existing file only with ``force``."""
    _write(path, key.private_pem(), force, "private key", private=True)


def write_jwks_file(key: SigningKey, path: str | Path, *, force: bool = False) -> None:
    """Write the public JWKS of ``key`` as JSON to ``path`` (an existing file: ``force``)."""
    _write(path, json.dumps(key.jwks(), indent=2) + "\n", force, "public JWKS", private=False)


__all__ = [
    "GENERATED_ALGS",
    "HMAC_ALGS",
    "SigningKey",
    "generate_key",
    "jwk_thumbprint",
    "key_from_pem",
    "load_key",
    "sign_with_secret",
    "signing_algs",
    "write_jwks_file",
    "write_key_file",
]
