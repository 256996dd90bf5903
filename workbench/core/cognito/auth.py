"""Cognito sign-in and token management: sign-in, challenges, refresh, revoke, sign-out, GetUser.

Sign-in is a UI-agnostic state machine. :meth:`CognitoAuth.sign_in` returns a
:class:`~workbench.core.oauth.tokenset.TokenSet` or a :class:`Challenge` saying what must be asked
(``questions``) and in what words (``prompt``); :meth:`CognitoAuth.respond` takes the answers and
returns tokens or the next challenge. The CLI asks on the terminal, the UI in dialogs.

* ``USER_PASSWORD_AUTH`` (InitiateAuth), ``ADMIN_USER_PASSWORD_AUTH`` (AdminInitiateAuth, signed
  with AWS credentials), ``USER_SRP_AUTH`` (InitiateAuth + PASSWORD_VERIFIER, the SRP maths by
  ``pycognito.aws_srp.AWSSRP``), ``REFRESH_TOKEN_AUTH``.
* SECRET_HASH = Base64(HMAC_SHA256(client secret, username + client id)) on every call when
  the app client has a secret; :attr:`CognitoAuth.last_secret_hash` shows its inputs.
* Challenges answered: NEW_PASSWORD_REQUIRED (with required attributes), SOFTWARE_TOKEN_MFA,
  SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP for an authenticator app (TOTP). Any other
  challenge comes back named, with ``answerable=False``.
* GetUser is the only server-side check of an access token (Cognito has no introspection);
  :mod:`workbench.core.cognito.door` turns it into the inspector's server verdict and reality
  check, and the pool into what the inspector verifies against.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from workbench.core.cognito.api import CognitoApi
from workbench.core.cognito.errors import CognitoError
from workbench.core.cognito.pool import CognitoPool, SecretHash
from workbench.core.errors import ConfigError, FlowError, TokenError
from workbench.core.hints import Setting
from workbench.core.model import RefreshResult
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.jwks import JwksCache
from workbench.core.transport import bounded_json
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.http import HttpClient
from workbench.core.transport.limits import DEFAULT_TIMEOUT

__all__ = [
    "AUTH_FLOWS",
    "MFA_CODE",
    "MFA_TYPE",
    "NEW_PASSWORD",
    "AuthFlow",
    "Challenge",
    "CognitoAuth",
    "Question",
    "cognito_username",
    "tokens_from_result",
]

AuthFlow = Literal["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH"]
AUTH_FLOWS: tuple[AuthFlow, ...] = (
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH",
)

#: Answer keys used in :attr:`Question.key`.
NEW_PASSWORD = "new_password"
MFA_CODE = "mfa_code"
MFA_TYPE = "mfa_type"

_CODE_FIELD = {
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "SMS_MFA": "SMS_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
}


@dataclass(frozen=True)
class Question:
    """One thing a challenge needs from the person: ``key`` in the answers mapping, a ``label``,
    whether it is ``secret`` (hidden input), and ``choices`` when it is a pick. Each face says
    how to give it (the command line by an option per ``key``)."""

    key: str
    label: str
    secret: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Challenge:
    """A Cognito challenge waiting for answers.

    ``name`` (NEW_PASSWORD_REQUIRED ...), ``session`` to send back, Cognito's ``parameters``,
    the ``questions`` to ask and a human ``prompt``; ``username`` is the name the responses carry
    (Cognito's own USERNAME when it gives one), ``flow`` the auth flow that led here, ``admin``
    whether AdminRespondToAuthChallenge answers it. ``answerable`` is False for a challenge the
    workbench does not answer (the prompt says what to do). For MFA_SETUP with an authenticator
    app, ``totp_secret`` and ``totp_uri`` are the key to add to the app (shown once, never logged).
    """

    name: str
    session: str = field(repr=False)
    parameters: Mapping[str, Any]
    questions: tuple[Question, ...]
    prompt: str
    username: str
    flow: str
    admin: bool = False
    answerable: bool = True
    totp_secret: str | None = field(default=None, repr=False)
    totp_uri: str | None = field(default=None, repr=False)


def tokens_from_result(result: Mapping[str, Any]) -> TokenSet:
    """Cognito's AuthenticationResult as a TokenSet whose ``raw`` uses the OAuth names."""
    names = {
        "AccessToken": "access_token",
        "IdToken": "id_token",
        "RefreshToken": "refresh_token",
        "ExpiresIn": "expires_in",
        "TokenType": "token_type",
    }
    data = {snake: result[camel] for camel, snake in names.items() if result.get(camel)}
    return TokenSet.from_response(data)


def cognito_username(token: str) -> str | None:
    """The user's Cognito username from a token: ``username`` (access token) or
    ``cognito:username`` (ID token), else ``sub``. REFRESH_TOKEN_AUTH's SECRET_HASH uses it."""
    try:
        claims = decode_jwt(token).claims
    except TokenError:
        return None
    for name in ("username", "cognito:username", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _string_list(value: Any) -> list[str]:
    """A challenge parameter that is a list, or a list in a string.

    Cognito sends a JSON list (``'["SOFTWARE_TOKEN_MFA"]'``); moto 5.2.5 and later send a Python
    list's repr (``"['SOFTWARE_TOKEN_MFA']"``); a bare comma-separated string is read as well.
    """
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.strip():
        try:
            parsed = bounded_json.loads(value)  # a server's string: no unbounded nesting
        except ValueError:
            inner = value.strip()
            if inner.startswith("[") and inner.endswith("]"):
                inner = inner[1:-1]
            items = (item.strip().strip("'\"").strip() for item in inner.split(","))
            return [item for item in items if item]
        if isinstance(parsed, list):
            return [str(v) for v in parsed]
    return []


class CognitoAuth(CognitoApi):
    """Sign-in and token management against one user pool and app client (blocking calls)."""

    def __init__(
        self,
        pool: CognitoPool,
        log: ExchangeLog | None = None,
        *,
        client: Any | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(pool, log, client=client, timeout=timeout)
        self.http = HttpClient(self.log, timeout=timeout, verify_tls=pool.verify_tls)
        self.jwks = JwksCache.through(self.http)
        self.last_secret_hash: SecretHash | None = None

    # -- helpers ------------------------------------------------------------------------------
    def _with_secret_hash(self, params: dict[str, str], username: str) -> dict[str, str]:
        hashed = self.pool.secret_hash(username)
        self.last_secret_hash = hashed
        if hashed is not None:
            self.log.add_secret(hashed.value)
            params["SECRET_HASH"] = hashed.value
        return params

    def _remember(self, tokens: TokenSet) -> TokenSet:
        for value in (tokens.access_token, tokens.refresh_token, tokens.id_token):
            self.log.add_secret(value)
        return tokens

    def _outcome(
        self, response: Mapping[str, Any], username: str, flow: str, admin: bool
    ) -> TokenSet | Challenge:
        result = response.get("AuthenticationResult")
        if isinstance(result, Mapping) and result.get("AccessToken"):
            return self._remember(tokens_from_result(result))
        name = response.get("ChallengeName")
        if not name:
            raise CognitoError(
                "UnexpectedResponse",
                "Cognito answered with neither tokens nor a challenge.",
                "This is not a Cognito answer the workbench understands; see the exchange log.",
            )
        session = str(response.get("Session") or "")
        self.log.add_secret(session)
        params = dict(response.get("ChallengeParameters") or {})
        who = str(params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or username)
        return self._challenge(str(name), session, params, who, flow, admin)

    def _challenge(
        self,
        name: str,
        session: str,
        params: dict[str, Any],
        username: str,
        flow: str,
        admin: bool,
    ) -> Challenge:
        def make(prompt: str, *questions: Question, **extra: Any) -> Challenge:
            return Challenge(
                name, session, params, questions, prompt, username, flow, admin, **extra
            )

        code = Question(MFA_CODE, "Code")
        if name == "NEW_PASSWORD_REQUIRED":
            attrs = [
                a if a.startswith("userAttributes.") else f"userAttributes.{a}"
                for a in _string_list(params.get("requiredAttributes"))
            ]
            questions = [
                Question(NEW_PASSWORD, "New password", secret=True),
                *(
                    Question(a, f"Value of the required attribute {a.split('.', 1)[1]}")
                    for a in attrs
                ),
            ]
            return make(
                f"Cognito requires a new password for {username} (NEW_PASSWORD_REQUIRED: the "
                "account was created or reset by an administrator with a temporary password).",
                *questions,
            )
        if name == "SOFTWARE_TOKEN_MFA":
            return make(
                f"Enter the current code of {username}'s authenticator app (SOFTWARE_TOKEN_MFA).",
                code,
            )
        if name in ("SMS_MFA", "EMAIL_OTP"):
            where = params.get("CODE_DELIVERY_DESTINATION") or "the user"
            medium = "SMS" if name == "SMS_MFA" else "email"
            return make(f"Cognito sent a code by {medium} to {where} ({name}): enter it.", code)
        if name == "SELECT_MFA_TYPE":
            choices = tuple(_string_list(params.get("MFAS_CAN_CHOOSE"))) or (
                "SOFTWARE_TOKEN_MFA",
                "SMS_MFA",
            )
            pick = Question(MFA_TYPE, "MFA type", choices=choices)
            return make(f"Choose how {username} proves the second factor (SELECT_MFA_TYPE).", pick)
        if name == "MFA_SETUP":
            return self._mfa_setup(session, params, username, flow, admin)
        return make(
            f"Cognito asks for the {name} challenge, which the workbench does not answer. "
            "Use an app client flow without it, or answer it with the AWS SDK.",
            answerable=False,
        )

    def _mfa_setup(
        self, session: str, params: dict[str, Any], username: str, flow: str, admin: bool
    ) -> Challenge:
        can = _string_list(params.get("MFAS_CAN_SETUP"))
        if "SOFTWARE_TOKEN_MFA" not in can:
            return Challenge(
                "MFA_SETUP",
                session,
                params,
                (),
                f"The pool requires MFA and {username} has none set up (MFA_SETUP); it offers "
                f"{', '.join(can) or 'nothing'} here. SMS needs a verified phone number on the "
                "user: add one (AdminUpdateUserAttributes), then sign in again.",
                username,
                flow,
                admin,
                answerable=False,
            )
        response = self.call(
            "associate_software_token", {"operation": "MFA_SETUP"}, Session=session
        )
        secret = str(response.get("SecretCode") or "")
        new_session = str(response.get("Session") or session)
        self.log.add_secret(secret)
        self.log.add_secret(new_session)
        label = quote(self.pool.name or "Cognito", safe="")
        uri = f"otpauth://totp/{label}:{quote(username, safe='')}?secret={secret}&issuer={label}"
        return Challenge(
            "MFA_SETUP",
            new_session,
            params,
            (Question(MFA_CODE, "Code from the authenticator app"),),
            f"The pool requires MFA and {username} has none set up (MFA_SETUP). Add this key to "
            "an authenticator app (or scan the QR code), then enter the code it shows.",
            username,
            flow,
            admin,
            totp_secret=secret,
            totp_uri=uri,
        )

    # -- sign-in --------------------------------------------------------------------------------
    def sign_in(
        self, username: str, password: str, flow: AuthFlow = "USER_PASSWORD_AUTH"
    ) -> TokenSet | Challenge:
        """Start signing in: tokens, or the first challenge to answer with :meth:`respond`."""
        if not username:
            raise ConfigError("A user name is needed to sign in.", fix=(Setting.USERNAME,))
        client_id = self.pool.require_client()
        self.log.add_secret(password)
        context = {"auth_flow": flow}
        if flow == "USER_SRP_AUTH":
            return self._sign_in_srp(username, password)
        params = self._with_secret_hash({"USERNAME": username, "PASSWORD": password}, username)
        if flow == "USER_PASSWORD_AUTH":
            response = self.call(
                "initiate_auth", context, ClientId=client_id, AuthFlow=flow, AuthParameters=params
            )
            return self._outcome(response, username, flow, admin=False)
        if flow == "ADMIN_USER_PASSWORD_AUTH":
            response = self.call(
                "admin_initiate_auth",
                context,
                UserPoolId=self.pool.require_pool(),
                ClientId=client_id,
                AuthFlow=flow,
                AuthParameters=params,
            )
            return self._outcome(response, username, flow, admin=True)
        raise ConfigError(f"Unknown Cognito auth flow {flow!r} (one of {', '.join(AUTH_FLOWS)}).")

    def _sign_in_srp(self, username: str, password: str) -> TokenSet | Challenge:
        from pycognito.aws_srp import AWSSRP  # SRP-6a maths as Cognito does it; not ours

        flow = "USER_SRP_AUTH"
        srp = AWSSRP(
            username=username,
            password=password,
            pool_id=self.pool.require_pool(),
            client_id=self.pool.require_client(),
            client=self.client,
        )
        params = self._with_secret_hash(dict(srp.get_auth_params()), username)
        response = self.call(
            "initiate_auth",
            {"auth_flow": flow},
            ClientId=self.pool.client_id,
            AuthFlow=flow,
            AuthParameters=params,
        )
        if response.get("ChallengeName") != "PASSWORD_VERIFIER":
            return self._outcome(response, username, flow, admin=False)
        with warnings.catch_warnings():
            # pycognito formats the timestamp from datetime.utcnow(), deprecated in Python 3.12.
            warnings.filterwarnings("ignore", "datetime.datetime.utcnow", DeprecationWarning)
            answers = dict(srp.process_challenge(response["ChallengeParameters"], params))
        internal = str(answers.get("USERNAME") or username)
        self.log.add_secret(answers.get("PASSWORD_CLAIM_SIGNATURE"))
        self._with_secret_hash(answers, internal)
        extra = {"Session": response["Session"]} if response.get("Session") else {}
        verified = self.call(
            "respond_to_auth_challenge",
            {"auth_flow": flow},
            ClientId=self.pool.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=answers,
            **extra,
        )
        return self._outcome(verified, internal, flow, admin=False)

    def respond(self, challenge: Challenge, answers: Mapping[str, str]) -> TokenSet | Challenge:
        """Answer ``challenge``; returns tokens or the next challenge."""
        if not challenge.answerable:
            raise FlowError(challenge.prompt, kind="unsupported_challenge")
        missing = [q.key for q in challenge.questions if not answers.get(q.key)]
        if missing:
            raise ConfigError(
                f"The {challenge.name} challenge needs an answer for: {', '.join(missing)}."
            )
        for question in challenge.questions:
            if question.secret:
                self.log.add_secret(answers[question.key])
        responses: dict[str, str] = {"USERNAME": challenge.username}
        session = challenge.session
        name = challenge.name
        if name == "NEW_PASSWORD_REQUIRED":
            responses["NEW_PASSWORD"] = answers[NEW_PASSWORD]
            for question in challenge.questions:
                if question.key.startswith("userAttributes."):
                    responses[question.key] = answers[question.key]
        elif name in _CODE_FIELD:
            responses[_CODE_FIELD[name]] = answers[MFA_CODE].strip()
        elif name == "SELECT_MFA_TYPE":
            responses["ANSWER"] = answers[MFA_TYPE]
        elif name == "MFA_SETUP":
            verified = self.call(
                "verify_software_token",
                {"operation": "MFA_SETUP"},
                Session=session,
                UserCode=answers[MFA_CODE].strip(),
                FriendlyDeviceName="Token Workbench",
            )
            if verified.get("Status") not in (None, "SUCCESS"):
                raise CognitoError(
                    "EnableSoftwareTokenMFAException",
                    f"VerifySoftwareToken answered {verified.get('Status')}",
                    "The code is wrong: use the current code of the authenticator app.",
                )
            session = str(verified.get("Session") or session)
            self.log.add_secret(session)
        self._with_secret_hash(responses, challenge.username)
        context = {"auth_flow": challenge.flow, "challenge": name}
        if challenge.admin:
            response = self.call(
                "admin_respond_to_auth_challenge",
                context,
                UserPoolId=self.pool.require_pool(),
                ClientId=self.pool.require_client(),
                ChallengeName=name,
                ChallengeResponses=responses,
                Session=session,
            )
        else:
            response = self.call(
                "respond_to_auth_challenge",
                context,
                ClientId=self.pool.require_client(),
                ChallengeName=name,
                ChallengeResponses=responses,
                Session=session,
            )
        return self._outcome(response, challenge.username, challenge.flow, challenge.admin)

    # -- token management ----------------------------------------------------------------------
    def refresh(self, refresh_token: str, username: str | None = None) -> RefreshResult:
        """REFRESH_TOKEN_AUTH. With a client secret, ``username`` (the user's Cognito username:
        :func:`cognito_username` of a token, the sub in email-alias pools) goes into the hash."""
        self.log.add_secret(refresh_token)
        params = {"REFRESH_TOKEN": refresh_token}
        if self.pool.has_secret:
            if not username:
                raise ConfigError(
                    "REFRESH_TOKEN_AUTH with a client secret needs the user's Cognito username "
                    "for the SECRET_HASH (the 'username' claim of the access token; the sub in "
                    "pools that sign in with email).",
                    fix=(Setting.USERNAME,),
                )
            self._with_secret_hash(params, username)
        response = self.call(
            "initiate_auth",
            {"auth_flow": "REFRESH_TOKEN_AUTH"},
            ClientId=self.pool.require_client(),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters=params,
        )
        outcome = self._outcome(response, username or "", "REFRESH_TOKEN_AUTH", admin=False)
        if not isinstance(outcome, TokenSet):
            raise FlowError(f"Refreshing led to the {outcome.name} challenge.", kind="challenge")
        return RefreshResult.of(refresh_token, outcome)

    def revoke(self, refresh_token: str) -> None:
        """RevokeToken: the refresh token and the access/ID tokens issued from it (needs
        EnableTokenRevocation on the app client)."""
        self.log.add_secret(refresh_token)
        params: dict[str, str] = {"Token": refresh_token, "ClientId": self.pool.require_client()}
        if self.pool.client_secret:
            params["ClientSecret"] = self.pool.client_secret
        self.call("revoke_token", {"operation": "revoke_token"}, **params)

    def global_sign_out(self, access_token: str) -> None:
        """GlobalSignOut: every refresh token of the user, and their access tokens, are revoked."""
        self.log.add_secret(access_token)
        self.call("global_sign_out", AccessToken=access_token)

    def get_user(self, access_token: str) -> dict[str, Any]:
        """GetUser: the user's attributes, if Cognito still accepts the access token."""
        self.log.add_secret(access_token)
        return self.call("get_user", AccessToken=access_token)

    def close(self) -> None:
        super().close()
        self.http.close()
