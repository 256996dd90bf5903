"""One family of errors for everything the core reports to a person.

``OAuthError`` is the server's own verdict (RFC 6749 §5.2 error response);
``TransportError`` is everything that stopped us hearing a verdict at all;
``TokenError`` is a token we could not read. Anything else escaping the core is a bug.
"""

from __future__ import annotations

from workbench.core.hints import Fix, Phrase, as_phrase, worded


class WorkbenchError(Exception):
    """Base of every error the core raises on purpose.

    ``fix`` names the settings that would fix it (:mod:`workbench.core.hints`); each face
    words them (the message itself names no command-line option or field). A message that
    names a setting in its middle is given as a :data:`~workbench.core.hints.Phrase`:
    ``phrase`` keeps it for the faces to word, ``message`` is it in no face's words.
    """

    def __init__(self, message: str | Phrase, *, fix: Fix = ()) -> None:
        self.phrase = as_phrase(message)
        self.message = worded(self.phrase)
        super().__init__(self.message)
        self.fix = fix

    def __str__(self) -> str:
        return self.message


#: What to do about an error code whose usual cause is on the client's side, in words that
#: suit the command line and the app alike (both show it below the server's own text).
OAUTH_ADVICE: dict[str, str] = {
    "invalid_client": (
        "the server did not accept the client's credentials: check the client ID and the"
        " client secret (one of another client or environment, or with a stray space, is the"
        " usual cause) and the client authentication method the server expects"
        " (client_secret_basic or client_secret_post; client_secret_jwt, or private_key_jwt"
        " with the key whose public JWKS the server has registered; none for a public client)"
    ),
}


class OAuthError(WorkbenchError):
    """An OAuth/OIDC error response: ``error``, ``error_description``, ``error_uri``.

    ``advice`` says what to do, for the codes of :data:`OAUTH_ADVICE` (else empty), as a
    :data:`~workbench.core.hints.Phrase` each face words.
    """

    def __init__(
        self,
        error: str,
        description: str | None = None,
        uri: str | None = None,
        status: int | None = None,
    ) -> None:
        self.error = error
        self.description = description
        self.uri = uri
        self.status = status
        self.advice: Phrase = as_phrase(OAUTH_ADVICE.get(error, ""))
        code = error or "(an empty error code)"  # a hostile or broken server's "error": ""
        text = f"{code}: {description}" if description else code
        super().__init__(text)


class TransportError(WorkbenchError):
    """No usable answer: refused, timeout, TLS failure, HTML or non-JSON body, bad document.

    ``kind`` is a short machine-readable tag: ``refused``, ``timeout``, ``tls``, ``http``,
    ``not_json``, ``invalid_document``, ``network``, ``invalid_url``, and the two bounds every
    response is held to (core.http):

    * ``too_large``: the body passed the size cap (4 MiB unless the client or request sets
      another), announced by Content-Length or counted as it arrived; it was not read further.
    * ``deadline``: the whole exchange (connect, headers, body) took longer than the total
      deadline (60 s unless the client sets another), however steadily bytes were trickling.

    JSON nested too deeply to be a real document is ``invalid_document``. ``status`` is the HTTP
    status when a response had begun.
    """

    def __init__(
        self, message: str | Phrase, kind: str = "network", status: int | None = None
    ) -> None:
        self.kind = kind
        self.status = status
        super().__init__(message)


class TokenError(WorkbenchError):
    """A token that cannot be decoded (not a JWT, bad base64, bad JSON)."""


class FlowError(WorkbenchError):
    """A flow stopped on the client side: state mismatch, cancelled, timed out, bad callback."""

    def __init__(self, message: str, kind: str = "flow") -> None:
        self.kind = kind
        super().__init__(message)


class Cancelled(FlowError):
    """The person cancelled: the wait or the request in flight was stopped (its connection
    closed). Shown as "Cancelled", never as a failure."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message, kind="cancelled")


class ConfigError(WorkbenchError):
    """Missing or contradictory configuration (no token endpoint, unknown profile...)."""

    def __init__(self, message: str | Phrase, *, fix: Fix = ()) -> None:
        super().__init__(message, fix=fix)
