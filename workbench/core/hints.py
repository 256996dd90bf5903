"""Which setting would fix a problem, as data: each face words it in its own terms.

The core names the setting (:class:`Setting`) on an error (``WorkbenchError.fix``) or a check's
finding (``Finding.fix``) and writes its message without any face's vocabulary ("no issuer
keys"). The command line says which option to pass (``--issuer or --jwks-uri``, in
``workbench.cli.output``); the app names its own fields and choices.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Endpoint:
    """An endpoint given by hand, by its metadata name (``revocation_endpoint``)."""

    name: str


#: The settings of a fix, in the order a face offers them ("A or B").
Fix = tuple[Setting | Endpoint, ...]

__all__ = ["Endpoint", "Fix", "Setting"]
