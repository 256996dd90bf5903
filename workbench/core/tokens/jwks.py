"""JSON Web Key Sets (RFC 7517 §5): parse, choose the signing key, verify a JWS (RFC 7515 §5.2).

The algorithm allow-list comes from the KEY, never from the token: an RSA key admits RS*/PS*,
an EC key the one ES* of its curve, an OKP key EdDSA, and a key's own ``alg`` narrows that to one
(RFC 8725 §3.1). ``none`` and HS* against a public key are therefore impossible by construction.

Fetching is injected: ``JwksCache(fetch)`` calls ``fetch(url)`` for the parsed JSON document, so
the caller decides how HTTP happens (and records it); ``JwksCache.through(http)`` is the one
every face uses, fetching through the bounded, logged sender. The cache is keyed by URL,
refetches once on an unknown ``kid`` (key rotation), and is safe to share between threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from jwt.algorithms import Algorithm, get_default_algorithms
from jwt.exceptions import PyJWTError

from workbench.core.errors import TransportError

if TYPE_CHECKING:
    from workbench.core.transport.http import HttpClient

RSA_ALGORITHMS: frozenset[str] = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
HMAC_ALGORITHMS: frozenset[str] = frozenset({"HS256", "HS384", "HS512"})
EC_CURVE_ALGORITHMS: dict[str, str] = {
    "P-256": "ES256",
    "P-384": "ES384",
    "P-521": "ES512",
    "secp256k1": "ES256K",
}
OKP_CURVES: frozenset[str] = frozenset({"Ed25519", "Ed448"})

_ALGORITHMS: dict[str, Algorithm] = get_default_algorithms()

# What can go wrong turning hostile key material into a key object (PyJWT and cryptography).
_KEY_ERRORS = (PyJWTError, ValueError, TypeError, KeyError, AttributeError, UnsupportedAlgorithm)

_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


class Jwk:
    """One member of a JWKS, with the algorithms it admits and its key object built lazily."""

    __slots__ = ("_key", "alg", "allowed", "crv", "data", "kid", "kty", "problem", "use")

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data: dict[str, Any] = dict(data)
        kty = data.get("kty")
        self.kty: str = kty if isinstance(kty, str) else ""
        kid = data.get("kid")
        self.kid: str | None = kid if isinstance(kid, str) else None
        alg = data.get("alg")
        self.alg: str | None = alg if isinstance(alg, str) else None
        crv = data.get("crv")
        self.crv: str | None = crv if isinstance(crv, str) else None
        use = data.get("use")
        self.use: str | None = use if isinstance(use, str) else None
        self._key: Any = None
        family, problem = _family(self.kty, self.crv)
        if self.alg is not None and problem is None:
            if self.alg in family:
                family = frozenset({self.alg})
            else:
                problem = f"declares alg {self.alg}, which does not fit its key type {self.kty}"
                family = frozenset()
        self.allowed: frozenset[str] = family
        self.problem: str | None = problem

    @property
    def label(self) -> str:
        """``kid 'abc'`` or ``the RSA key without kid``, for messages."""
        return f"kid {self.kid!r}" if self.kid is not None else f"the {self.kty} key without kid"

    @property
    def is_public(self) -> bool:
        return self.kty != "oct"

    @property
    def has_private_members(self) -> bool:
        """The JWK carries private key parameters (``d``, ``p``, …), which a JWKS never should."""
        return any(name in self.data for name in _PRIVATE_MEMBERS)

    @property
    def for_signatures(self) -> bool:
        """Usable to verify signatures: not an encryption key (RFC 7517 §4.2, §4.3)."""
        if self.use not in (None, "sig"):
            return False
        ops = self.data.get("key_ops")
        return not isinstance(ops, list) or "verify" in ops

    def key_object(self) -> Any:
        """The cryptography key (or HMAC secret); ``ValueError`` if the JWK cannot make one."""
        if self._key is None:
            if self.problem is not None or not self.allowed:
                raise ValueError(self.problem or "no algorithm fits this key")
            algorithm = _ALGORITHMS[min(self.allowed)]
            data = self.data
            if self.is_public:  # never build a private key, even if the JWKS leaks one
                data = {k: v for k, v in data.items() if k not in _PRIVATE_MEMBERS}
            try:
                self._key = algorithm.from_jwk(data)
            except _KEY_ERRORS as exc:
                raise ValueError(f"{self.label} is not a usable key: {exc}") from None
        return self._key

    def weakness(self, alg: str) -> str | None:
        """PyJWT's note when the key is shorter than recommended for ``alg`` (RSA < 2048 bits)."""
        try:
            return _ALGORITHMS[alg].check_key_length(self.key_object())
        except (*_KEY_ERRORS, LookupError):
            return None

    def verify(self, alg: str, signing_input: bytes, signature: bytes) -> bool:
        """Check ``signature`` over ``signing_input`` with ``alg``, which this key must allow."""
        if alg not in self.allowed:
            raise ValueError(f"{self.label} does not allow {alg}")
        key = self.key_object()
        try:
            return bool(_ALGORITHMS[alg].verify(signing_input, key, signature))
        except (InvalidSignature, ValueError, TypeError, AttributeError):
            return False


def _family(kty: str, crv: str | None) -> tuple[frozenset[str], str | None]:
    """Algorithms a key type admits (RFC 7518 §3.1, RFC 8037 §3.1), or why none."""
    if kty == "RSA":
        return RSA_ALGORITHMS, None
    if kty == "EC":
        alg = EC_CURVE_ALGORITHMS.get(crv or "")
        if alg is None:
            return frozenset(), f"EC key with unsupported curve {crv!r}"
        return frozenset({alg}), None
    if kty == "OKP":
        if crv not in OKP_CURVES:
            return frozenset(), f"OKP key with unsupported curve {crv!r}"
        return frozenset({"EdDSA"}), None
    if kty == "oct":
        return HMAC_ALGORITHMS, None
    return frozenset(), f"unsupported key type {kty!r}"


@dataclass(frozen=True)
class KeyChoice:
    """The key picked for a token, or ``key=None`` with the reason none could be picked."""

    key: Jwk | None
    reason: str = ""
    unknown_kid: bool = False
    refetched: bool = False


class KeySet:
    """A parsed JWKS. Build it with :meth:`from_document` (validates) or from ``Jwk`` objects."""

    def __init__(self, keys: Sequence[Jwk], notes: Sequence[str] = (), source: str | None = None):
        self.keys: tuple[Jwk, ...] = tuple(keys)
        self.notes: tuple[str, ...] = tuple(notes)
        self.source = source

    @classmethod
    def from_document(cls, document: object, source: str | None = None) -> KeySet:
        """Validate a JWKS document; ``TransportError(kind="invalid_document")`` if not one."""
        where = f" from {source}" if source else ""
        if not isinstance(document, Mapping):
            raise TransportError(
                f"the JWKS{where} is not a JSON object (got {type(document).__name__})",
                kind="invalid_document",
            )
        if "keys" not in document:
            members = ", ".join(sorted(str(k) for k in document)[:6]) or "none"
            raise TransportError(
                f"the document{where} is not a JWKS: it has no 'keys' member (members: {members});"
                " is this really the jwks_uri?",
                kind="invalid_document",
            )
        entries = document["keys"]
        if not isinstance(entries, list):
            raise TransportError(
                f"the JWKS{where} is invalid: 'keys' is not a list", kind="invalid_document"
            )
        keys: list[Jwk] = []
        notes: list[str] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("kty"), str):
                notes.append(f"keys[{index}] skipped: not a JWK object with a kty")
                continue
            jwk = Jwk(entry)
            if jwk.problem is not None:
                notes.append(f"keys[{index}] ({jwk.label}) unusable: {jwk.problem}")
            keys.append(jwk)
        if entries and not keys:
            raise TransportError(
                f"the JWKS{where} is invalid: none of its {len(entries)} entries is a JWK",
                kind="invalid_document",
            )
        return cls(keys, notes, source)

    def kids(self) -> list[str]:
        return [k.kid for k in self.keys if k.kid is not None]

    def signing_keys(self) -> list[Jwk]:
        return [k for k in self.keys if k.for_signatures]

    def select(self, kid: str | None, alg: str) -> KeyChoice:
        """The key for a token with header ``kid`` and ``alg`` (RFC 7515 §4.1.4)."""
        candidates = self.signing_keys()
        if kid is not None:
            matching = [k for k in candidates if k.kid == kid]
            if not matching:
                return KeyChoice(None, self._unknown_kid_reason(kid), unknown_kid=True)
            fitting = [k for k in matching if alg in k.allowed]
            return KeyChoice((fitting or matching)[0])
        if not candidates:
            return KeyChoice(None, "the issuer's JWKS has no signing keys")
        if len(candidates) == 1:
            return KeyChoice(candidates[0])
        fitting = [k for k in candidates if alg in k.allowed]
        if len(fitting) == 1:
            return KeyChoice(fitting[0])
        if not fitting:
            return KeyChoice(
                None, f"the token has no kid and none of the {len(candidates)} keys allows {alg}"
            )
        return KeyChoice(
            None,
            f"the token has no kid and {len(fitting)} keys of the issuer's JWKS allow {alg}:"
            " cannot tell which one signed it",
        )

    def _unknown_kid_reason(self, kid: str) -> str:
        known = ", ".join(repr(k) for k in self.kids()) or "none"
        return f"no key with kid {kid!r} in the issuer's JWKS (kids there: {known})"


@dataclass
class _Entry:
    keys: KeySet
    fetched_at: float


class JwksCache:
    """JWKS documents per URL, fetched through ``fetch`` and reused.

    ``fetch(url)`` returns the parsed JSON and may raise ``TransportError`` / ``OAuthError``;
    those propagate. A cached set older than ``max_age`` seconds is fetched again. An unknown
    ``kid`` triggers one refetch (unless the set was fetched by this very lookup); a kid still
    unknown after that is remembered for ``unknown_kid_cooldown`` seconds so a stream of tokens
    with a bogus kid cannot make us hammer the issuer.
    """

    def __init__(
        self,
        fetch: Callable[[str], Mapping[str, Any]],
        *,
        max_age: float | None = 3600.0,
        unknown_kid_cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._cooldown = unknown_kid_cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._url_locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, _Entry] = {}
        self._missing: dict[tuple[str, str], float] = {}

    @classmethod
    def through(cls, http: HttpClient) -> JwksCache:
        """A cache fetching through ``http``: bounded, and every fetch in its exchange log."""
        return cls(lambda url: http.get_json(url, purpose="jwks"))

    def get(self, url: str) -> KeySet:
        """The key set for ``url``, from the cache when it is fresh enough."""
        with self._lock_for(url):
            return self._get_locked(url)[0]

    def refresh(self, url: str) -> KeySet:
        """Fetch ``url`` again now, replacing the cached set."""
        with self._lock_for(url):
            return self._fetch_locked(url)

    def cached(self, url: str) -> KeySet | None:
        """The cached set without fetching (``None`` if there is none)."""
        with self._lock:
            entry = self._entries.get(url)
        return entry.keys if entry is not None else None

    def clear(self, url: str | None = None) -> None:
        with self._lock:
            if url is None:
                self._entries.clear()
                self._missing.clear()
            else:
                self._entries.pop(url, None)
                self._missing = {k: v for k, v in self._missing.items() if k[0] != url}

    def select(self, url: str, kid: str | None, alg: str) -> KeyChoice:
        """Pick the key for a token, refetching once if its ``kid`` is not in the cached set."""
        with self._lock_for(url):
            keys, fetched_now = self._get_locked(url)
            choice = keys.select(kid, alg)
            if kid is None or not choice.unknown_kid or fetched_now:
                return choice
            now = self._clock()
            with self._lock:
                missed_at = self._missing.get((url, kid))
            if missed_at is not None and now - missed_at < self._cooldown:
                return replace(choice, reason=f"{choice.reason}; looked again recently")
            keys = self._fetch_locked(url)
            choice = replace(keys.select(kid, alg), refetched=True)
            with self._lock:
                if choice.unknown_kid:
                    self._forget_old_misses(now)
                    self._missing[(url, kid)] = now
                    choice = replace(choice, reason=f"{choice.reason}; fetched again once")
                else:
                    self._missing.pop((url, kid), None)
            return choice

    def _lock_for(self, url: str) -> threading.Lock:
        with self._lock:
            lock = self._url_locks.get(url)
            if lock is None:
                lock = self._url_locks[url] = threading.Lock()
            return lock

    def _get_locked(self, url: str) -> tuple[KeySet, bool]:
        with self._lock:
            entry = self._entries.get(url)
        if entry is not None and (
            self._max_age is None or self._clock() - entry.fetched_at < self._max_age
        ):
            return entry.keys, False
        return self._fetch_locked(url), True

    def _fetch_locked(self, url: str) -> KeySet:
        document = self._fetch(url)
        keys = KeySet.from_document(document, source=url)
        with self._lock:
            self._entries[url] = _Entry(keys, self._clock())
        return keys

    def _forget_old_misses(self, now: float) -> None:
        if len(self._missing) > 256:
            self._missing = {k: t for k, t in self._missing.items() if now - t < self._cooldown}
