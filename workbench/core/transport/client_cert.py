"""A TLS client certificate for mutual-TLS client authentication (RFC 8705).

:func:`load_client_certificate` reads a PEM certificate and its PEM private key from two files
and checks them before anything is sent: both exist and can be read, the first holds an X.509
certificate, the second an unencrypted private key (the TLS library reads it without a
passphrase), and the key is the certificate's own. Each problem is a
:class:`~workbench.core.errors.ConfigError` in words. The result, :class:`ClientCertificate`,
holds the two paths (the TLS library reads the files at each handshake), the subject and the
SHA-256 thumbprint (``x5t#S256``, RFC 8705 §3.1) the exchange log and the token check show; the
key itself is never kept, and the key's path is never shown.

:func:`self_signed_certificate` makes a self-signed certificate for a key, for
``self_signed_tls_client_auth`` (RFC 8705 §2.2).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from workbench.core.errors import ConfigError

__all__ = [
    "ClientCertificate",
    "certificate_thumbprint",
    "load_client_certificate",
    "parse_subject",
    "self_signed_certificate",
]

#: The largest certificate or key file read (a PEM chain is a few KiB).
MAX_PEM_BYTES = 256 * 1024


@dataclass(frozen=True)
class ClientCertificate:
    """A checked client certificate: where its files are, and what the log shows of it."""

    cert_path: str
    #: Given to the TLS library only; never printed, logged or put in a message.
    key_path: str = field(repr=False)
    subject: str
    #: base64url SHA-256 of the DER certificate: the ``x5t#S256`` of RFC 8705 §3.1.
    thumbprint: str
    not_after: datetime.datetime

    def describe(self) -> str:
        """What the exchange log says of an exchange that offered this certificate."""
        return f"{self.subject} (SHA-256 thumbprint {self.thumbprint})"

    def __repr__(self) -> str:
        return f"ClientCertificate(subject={self.subject!r}, x5t#S256={self.thumbprint!r})"


def certificate_thumbprint(der: bytes) -> str:
    """The ``x5t#S256`` of a DER certificate: base64url of its SHA-256, unpadded."""
    digest = hashlib.sha256(der).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _read(path: str, what: str) -> bytes:
    file = Path(path).expanduser()
    if not file.exists():
        raise ConfigError(f"The {what} file {path} does not exist.")
    if not file.is_file():
        raise ConfigError(f"The {what} file {path} is not a file.")
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_PEM_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"The {what} file {path} cannot be read: {exc.strerror}.") from None
    if len(data) > MAX_PEM_BYTES:
        raise ConfigError(f"The {what} file {path} is larger than {MAX_PEM_BYTES} bytes.")
    return data


def load_client_certificate(cert_path: str, key_path: str) -> ClientCertificate:
    """The certificate in ``cert_path`` and its key in ``key_path`` (both PEM), checked.

    Messages name the certificate's path but never the key's: the key's file is "the client
    certificate's private key file"."""
    cert_data = _read(cert_path, "client certificate")
    try:
        certificate = x509.load_pem_x509_certificate(cert_data)
    except ValueError:
        raise ConfigError(
            f"The client certificate file {cert_path} holds no PEM certificate"
            " (-----BEGIN CERTIFICATE-----)."
        ) from None
    key_data = _read(key_path, "client certificate's private key")
    if (
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in key_data
        or b"Proc-Type: 4,ENCRYPTED" in key_data
    ):
        raise ConfigError(
            "The client certificate's private key file is encrypted with a passphrase, which"
            " the TLS connection cannot ask for: give an unencrypted PEM key (openssl pkey -in"
            " KEY -out PLAIN.pem), kept readable by you only."
        )
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except (ValueError, TypeError):
        raise ConfigError(
            "The client certificate's private key file holds no PEM private key"
            " (-----BEGIN PRIVATE KEY-----)."
        ) from None
    public = certificate.public_key()
    same = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if not same:
        raise ConfigError(
            f"The private key given does not belong to the client certificate {cert_path}"
            " (their public keys differ): give the key the certificate was made for."
        )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return ClientCertificate(
        cert_path=str(Path(cert_path).expanduser()),
        key_path=str(Path(key_path).expanduser()),
        subject=certificate.subject.rfc4514_string() or "(empty subject)",
        thumbprint=certificate_thumbprint(der),
        not_after=certificate.not_valid_after_utc,
    )


def parse_subject(text: str) -> x509.Name:
    """A subject written ``CN=client,O=Example`` (RFC 4514: most specific first)."""
    try:
        name = x509.Name.from_rfc4514_string(text.strip())
    except ValueError:
        name = None
    if name is None or not list(name):
        raise ConfigError(
            f"The subject {text!r} is not of the form CN=name[,O=organisation…] (RFC 4514)."
        )
    return name


def self_signed_certificate(key_pem: bytes, subject: str, days: int = 365) -> bytes:
    """A PEM self-signed client certificate for the PEM private key ``key_pem``."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError(
            "The key file holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)."
        ) from None
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        raise ConfigError("The key is not an RSA, EC or Ed25519 private key.")
    if days <= 0:
        raise ConfigError("A certificate must be valid for at least one day.")
    name = parse_subject(subject)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    certificate = builder.sign(key, algorithm)
    return certificate.public_bytes(serialization.Encoding.PEM)
