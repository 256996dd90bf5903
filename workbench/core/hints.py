"""Which setting would fix a problem, as data: each face words it in its own terms.

The core names the setting (:class:`Setting`) on an error (``WorkbenchError.fix``) or a check's
finding (``Finding.fix``) and writes its message without any face's vocabulary ("no issuer
keys"). The command line says which option to pass (``--issuer or --jwks-uri``, in
``workbench.cli.output``); the app names its own fields and choices.

A sentence that names a setting in its middle ("check the user pool id and the region") is a
:data:`Phrase`: its text pieces with the settings between them, which :func:`worded` fills in
with a face's words (``--user-pool-id`` on the command line, "the User pool ID" on the Cognito
tab). Errors carry their message (``WorkbenchError.phrase``) and a server error's advice
(``OAuthError.advice``) as phrases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Setting(Enum):
    """A setting a person can give to fix a problem, whatever face they give it on."""

    ISSUER = "issuer"
    JWKS_URI = "jwks_uri"
    AUDIENCE = "audience"
    CLIENT_ID = "client_id"
    REGION = "region"  # an AWS region (Cognito)
    USER_POOL_ID = "user_pool_id"  # a Cognito user pool id
    USERNAME = "username"  # the user who signs in
    AWS_PROFILE = "aws_profile"  # a named profile of the AWS configuration
    CLIENT_SECRET = "client_secret"  # the app client's secret (Cognito)
    ENDPOINT_URL = "endpoint_url"  # the Cognito API endpoint (an emulator's, a VPC endpoint)
    REDIRECT_URI = "redirect_uri"  # the redirect URI a browser flow uses
    RESOURCE_SCOPE = "resource_scope"  # a custom scope to give a resource server (Cognito)


@dataclass(frozen=True)
class Endpoint:
    """An endpoint given by hand, by its metadata name (``revocation_endpoint``)."""

    name: str


#: The settings of a fix, in the order a face offers them ("A or B").
Fix = tuple[Setting | Endpoint, ...]

#: A sentence with settings where they fall: ``("check ", Setting.USER_POOL_ID, " and the
#: region.")``. Each face words the settings (:func:`worded`); a plain string is one piece.
Phrase = tuple[str | Setting | Endpoint, ...]


def as_phrase(text: str | Phrase) -> Phrase:
    """``text`` as a phrase: a plain string is its only piece, "" is the empty phrase."""
    if isinstance(text, str):
        return (text,) if text else ()
    return text


def plain_word(setting: Setting | Endpoint) -> str:
    """A setting in no face's words (``user pool id``): for ``str()`` of an error, and logs."""
    if isinstance(setting, Endpoint):
        return setting.name
    return setting.value.replace("_", " ")


def worded(text: Phrase, word: Callable[[Setting | Endpoint], str] = plain_word) -> str:
    """The phrase as one string, each setting in the words ``word`` gives it."""
    return "".join(part if isinstance(part, str) else word(part) for part in text)


__all__ = ["Endpoint", "Fix", "Phrase", "Setting", "as_phrase", "plain_word", "worded"]
