"""An independent OpenID provider as a test peer, shared by the interop and UI tests: npm
``oidc-provider`` (OpenID Certified), pinned in tests/interop/package.json and
package-lock.json, configured by tests/interop/provider.mjs and started with ``node`` on a free
loopback port (fixture ``independent_provider``, one per test module).

``.ci/run`` installs it (``npm ci`` in tests/interop/). Outside CI, a missing ``node`` or
``node_modules`` skips the tests that need it, with that reason; in CI (``CI=true``) it fails
them.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from workbench.core.keys import generate_key, write_key_file

HERE = Path(__file__).resolve().parent / "interop"
SCRIPT = HERE / "provider.mjs"
START_TIMEOUT_S = 60.0  # node under a loaded 2-core machine can take a while

# The clients provider.mjs registers.
NATIVE_CLIENT_ID = "workbench-native"  # public: implicit (id_token token), code + PKCE
DEVICE_CLIENT_ID = "workbench-device"  # public: device code
CONFIDENTIAL_CLIENT_ID = "workbench-confidential"  # client_secret_basic: client credentials
CONFIDENTIAL_CLIENT_SECRET = "interop-secret"
DPOP_NONCE_CLIENT_ID = "workbench-dpop-nonce"  # like the confidential one; DPoP nonces required
CIBA_CLIENT_ID = "workbench-ciba"  # client_secret_basic (the same secret): CIBA, poll mode
API_AUDIENCE = "urn:workbench:interop-api"
PRIVATE_KEY_JWT_CLIENT_ID = "workbench-private-key-jwt"  # private_key_jwt, keys made per run
SECRET_JWT_CLIENT_ID = "workbench-secret-jwt"  # client_secret_jwt (HS256)
SECRET_JWT_CLIENT_SECRET = "interop-jwt-secret-of-at-least-32-bytes"
#: One client key per algorithm, generated when the provider starts: their public JWKS is the
#: private_key_jwt client's (passed to provider.mjs in INTEROP_CLIENT_JWKS).
CLIENT_KEY_ALGS = ("RS256", "PS256", "ES256", "EdDSA")


@dataclass(frozen=True)
class IndependentProvider:
    issuer: str
    process: subprocess.Popen[bytes]
    #: The private_key_jwt client's private key files (PEM), by algorithm.
    client_keys: Mapping[str, Path] = field(default_factory=dict)

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (.ci/run should have installed it)")
    pytest.skip(reason)


def provider_env(**extra: str) -> dict[str, str]:
    """The environment for provider.mjs: ours, plus its RS256 signing key made here (a private
    JWK in INTEROP_SIGNING_JWK), since Node 20 sometimes deadlocks freeing an RSA key generation
    job at start-up (one start in about fifteen hung for good)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    # PyJWT marks a private JWK key_ops ["sign"]; the provider would publish that beside the
    # public key, and a client rightly refuses a key not meant to verify.
    jwk.pop("key_ops", None)
    return {
        **os.environ,
        "NODE_ENV": "test",
        "INTEROP_SIGNING_JWK": json.dumps(jwk),
        **extra,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], log: Path) -> str:
    """The issuer from the provider's ``ready <issuer>`` line, or a failure with its log."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            line = process.stdout.readline().decode("utf-8", "replace").strip()
            if line.startswith("ready "):
                return line.removeprefix("ready ")
            if not line and process.poll() is not None:
                break
    process.kill()
    process.wait(5)
    raise RuntimeError(f"oidc-provider did not start: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def running_provider(
    directory: Path, port: int, **extra_env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """provider.mjs in a ``node`` subprocess on 127.0.0.1:``port`` (its log in ``directory``,
    ``extra_env`` beside :func:`provider_env`): its issuer and process, stopped on leaving."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is missing: install Node.js 20 or later")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        _unavailable(f"{HERE / 'node_modules'} is missing: run `npm ci` in {HERE}")
    assert node is not None
    log = directory / "provider.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [node, str(SCRIPT), str(port)],
            cwd=HERE,
            stdin=subprocess.PIPE,  # closing it stops the provider, even if we are killed
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=provider_env(**extra_env),
        )
        try:
            yield _wait_ready(process, log), process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


@pytest.fixture(scope="module")
def independent_provider() -> Iterator[IndependentProvider]:
    """oidc-provider in a ``node`` subprocess on 127.0.0.1, stopped after the module."""
    with tempfile.TemporaryDirectory(prefix="wb-oidc-provider-") as tmp:
        keys: dict[str, Path] = {}
        public: list[dict[str, object]] = []
        for alg in CLIENT_KEY_ALGS:
            key = generate_key(alg)
            keys[alg] = Path(tmp) / f"client-{alg}.pem"
            write_key_file(key, keys[alg])
            public += key.jwks()["keys"]
        jwks = json.dumps({"keys": public})
        with running_provider(Path(tmp), _free_port(), INTEROP_CLIENT_JWKS=jwks) as started:
            issuer, process = started
            yield IndependentProvider(issuer, process, keys)
