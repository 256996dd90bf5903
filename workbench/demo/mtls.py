"""Mutual TLS for the demo server (RFC 8705): its TLS port, its two mTLS clients, and
certificate-bound access tokens.

With :attr:`DemoConfig.mtls` the server makes a throwaway CA at start (:mod:`.tls`) and serves
the same app on a second, TLS port whose server certificate that CA issued for the loopback
names. The port asks every client for a certificate (optionally: the plain endpoints keep
working without one) and accepts one issued by the CA or one of the self-signed certificates
registered with a client. Its URLs are the discovery document's ``mtls_endpoint_aliases``.

* ``workbench-mtls`` authenticates with ``tls_client_auth``: a certificate from the demo CA
  whose subject is :data:`MTLS_CLIENT_SUBJECT` (RFC 8705 §2.1).
* ``workbench-mtls-self-signed`` authenticates with ``self_signed_tls_client_auth``: the
  self-signed certificate in its JWKS (``x5c``), compared whole (RFC 8705 §2.2).

Both certificates and their keys (public demo values) are written at start into
:attr:`DemoMtls.directory`, beside the CA's certificate, which a workbench profile names as its
CA bundle: the demo CA is trusted for the demo provider only.

Every access token issued over the TLS port to a client that presented a certificate, whatever
its authentication method, is bound to it: ``cnf`` ``x5t#S256`` (RFC 8705 §3.1). The demo APIs
refuse a bound token presented without that certificate.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import has_request_context
from flask import request as flask_request
from joserfc.jwk import ECKey

from .clients import MTLS_CLIENT_SUBJECT, MTLS_SELF_SIGNED_SUBJECT
from .tls import LOOPBACK_NAMES, ThrowawayCa, self_signed_pair, server_context

__all__ = [
    "MTLS_ALIASED_ENDPOINTS",
    "MTLS_AUTH_METHODS",
    "DemoMtls",
    "authenticate_self_signed_tls",
    "authenticate_tls_client_auth",
    "peer_certificate",
    "thumbprint",
]

#: The RFC 8705 §2 client authentication methods.
MTLS_AUTH_METHODS = ("tls_client_auth", "self_signed_tls_client_auth")
#: Metadata name -> endpoint name of each ``mtls_endpoint_aliases`` entry.
MTLS_ALIASED_ENDPOINTS = {
    "token_endpoint": "token",
    "revocation_endpoint": "revocation",
    "introspection_endpoint": "introspection",
    "userinfo_endpoint": "userinfo",
    "device_authorization_endpoint": "device_authorization",
    "backchannel_authentication_endpoint": "backchannel_authentication",
    "pushed_authorization_request_endpoint": "par",
}


@dataclass(frozen=True)
class DemoMtls:
    """The TLS material of one run, its files, and the TLS port's base URL."""

    directory: Path
    #: ``https://host:port`` of the TLS port (set once it is bound).
    base_url: str
    ca_file: Path
    client_cert_file: Path
    client_key_file: Path
    self_signed_cert_file: Path
    self_signed_key_file: Path
    #: The self-signed client's certificate, DER (its JWKS's x5c).
    self_signed_der: bytes
    context: ssl.SSLContext

    @classmethod
    def create(cls, base_url: str) -> DemoMtls:
        """A CA, the server certificate, both clients' certificates, written to a private
        temporary directory (remove it with :meth:`remove`)."""
        ca = ThrowawayCa("Token Workbench demo CA")
        server = ca.issue_server(LOOPBACK_NAMES)
        client = ca.issue_client(x509.Name.from_rfc4514_string(MTLS_CLIENT_SUBJECT))
        self_signed = self_signed_pair(x509.Name.from_rfc4514_string(MTLS_SELF_SIGNED_SUBJECT))
        directory = Path(tempfile.mkdtemp(prefix="workbench-demo-mtls-"))
        ca_file = directory / "demo-ca.pem"
        ca_file.write_bytes(ca.cert_pem)
        client_files = client.write(directory, "tls-client")
        self_signed_files = self_signed.write(directory, "self-signed-client")
        return cls(
            directory=directory,
            base_url=base_url.rstrip("/"),
            ca_file=ca_file,
            client_cert_file=client_files[0],
            client_key_file=client_files[1],
            self_signed_cert_file=self_signed_files[0],
            self_signed_key_file=self_signed_files[1],
            self_signed_der=self_signed.der,
            context=server_context(server, (ca.cert_pem, self_signed.cert)),
        )

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def self_signed_jwks(self) -> dict[str, Any]:
        """The self-signed client's JWKS: its public key with the certificate in ``x5c``."""
        certificate = x509.load_der_x509_certificate(self.self_signed_der)
        pem = certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        jwk = ECKey.import_key(pem).as_dict(private=False)
        jwk["x5c"] = [base64.b64encode(self.self_signed_der).decode("ascii")]
        jwk["x5t#S256"] = thumbprint(self.self_signed_der)
        return {"keys": [jwk]}


def thumbprint(der: bytes) -> str:
    """``x5t#S256``: base64url of the certificate's SHA-256, unpadded (RFC 8705 §3.1)."""
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


def peer_certificate() -> bytes | None:
    """The DER certificate the client presented on this request's TLS connection, if any."""
    if not has_request_context():
        return None
    pem = flask_request.environ.get("SSL_CLIENT_CERT")
    if not isinstance(pem, str) or not pem:
        return None
    return ssl.PEM_cert_to_DER_cert(pem)


def _subject(der: bytes) -> x509.Name:
    return x509.load_der_x509_certificate(der).subject


def _client_id(request: Any) -> str:
    value = request.form.get("client_id") if request.form else None
    return value if isinstance(value, str) else ""


def authenticate_tls_client_auth(query_client: Any, request: Any) -> Any:
    """Authlib client authentication ``tls_client_auth``: the client named by ``client_id``,
    when the certificate presented carries the subject it registered."""
    der = peer_certificate()
    client_id = _client_id(request)
    if der is None or not client_id:
        return None
    client = query_client(client_id)
    registered = getattr(client, "tls_client_auth_subject_dn", None)
    if not registered:
        return None
    if _subject(der) != x509.Name.from_rfc4514_string(registered):
        return None
    return client


def authenticate_self_signed_tls(query_client: Any, request: Any) -> Any:
    """``self_signed_tls_client_auth``: the client named by ``client_id``, when the
    certificate presented is one of those it registered."""
    der = peer_certificate()
    client_id = _client_id(request)
    if der is None or not client_id:
        return None
    client = query_client(client_id)
    if der not in getattr(client, "tls_client_certificates", ()):
        return None
    return client


def bound_claims() -> dict[str, Any]:
    """``cnf`` for an access token issued on this request, when a certificate was presented."""
    der = peer_certificate()
    return {"cnf": {"x5t#S256": thumbprint(der)}} if der is not None else {}


def binding_refusal(claims: Any) -> str | None:
    """Why a resource server refuses this token on this request (RFC 8705 §3), or None."""
    cnf = claims.get("cnf") if isinstance(claims, dict) else None
    bound = cnf.get("x5t#S256") if isinstance(cnf, dict) else None
    if bound is None:
        return None
    der = peer_certificate()
    if der is None:
        return (
            "The access token is bound to a client certificate (cnf x5t#S256) and the request"
            " presented none (RFC 8705 §3)."
        )
    if thumbprint(der) != bound:
        return (
            "The access token is bound to another client certificate than the one presented"
            " (RFC 8705 §3)."
        )
    return None
