"""Pool insight for the pre-token-generation Lambda trigger: which version is attached, what it
can change in which token, and whether it can do what the chosen flow and scopes need.

:func:`read_pre_token_trigger` reads the pool (DescribeUserPool: ``LambdaConfig`` and
``UserPoolTier``) into a :class:`PreTokenTriggerConfig`; :func:`trigger_problems` (pure) flags a
trigger whose version cannot do what is being tried, as admin's
:class:`~workbench.core.cognito.admin.Problem` s.
What each version reaches (the Cognito developer guide, "Pre token generation Lambda trigger"):

* ``V1_0`` (any feature plan): ID-token claims and groups only.
* ``V2_0``: also access-token claims and scopes (``scopesToAdd``): custom scopes without a
  domain, and the only way to get them into tokens from the API door; not for client
  credentials. Needs the Essentials or Plus feature plan.
* ``V3_0``: as ``V2_0``, and also machine-to-machine (client credentials) access tokens.

A pool with only the legacy ``LambdaConfig.PreTokenGeneration`` ARN runs ``V1_0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.core.cognito.admin import Problem
from workbench.core.cognito.api import CognitoApi
from workbench.core.hints import as_phrase

__all__ = [
    "API_FLOWS",
    "PreTokenTriggerConfig",
    "read_pre_token_trigger",
    "trigger_problems",
]

#: The sign-in flows of the API door (tokens carry ``aws.cognito.signin.user.admin`` only).
API_FLOWS = frozenset(
    {"USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH"}
)
_PLANS = {"LITE": "Lite", "ESSENTIALS": "Essentials", "PLUS": "Plus"}
_SETTING = "PreTokenGenerationConfig"


@dataclass(frozen=True)
class PreTokenTriggerConfig:
    """The pool's pre token generation trigger, as DescribeUserPool reports it."""

    user_pool_id: str
    function_arn: str | None
    version: str | None
    #: ``UserPoolTier``: ``LITE``, ``ESSENTIALS``, ``PLUS``; ``None`` when not reported.
    feature_plan: str | None

    @classmethod
    def from_pool(cls, pool: Mapping[str, Any]) -> PreTokenTriggerConfig:
        lambdas = pool.get("LambdaConfig") or {}
        config = lambdas.get("PreTokenGenerationConfig") or {}
        arn = config.get("LambdaArn") or lambdas.get("PreTokenGeneration") or None
        version = config.get("LambdaVersion") or ("V1_0" if arn else None)
        tier = pool.get("UserPoolTier")
        return cls(
            user_pool_id=str(pool.get("Id") or ""),
            function_arn=str(arn) if arn else None,
            version=str(version) if version else None,
            feature_plan=str(tier) if tier else None,
        )

    @property
    def attached(self) -> bool:
        return self.function_arn is not None

    @property
    def plan_name(self) -> str:
        if self.feature_plan is None:
            return "not reported"
        return _PLANS.get(self.feature_plan, self.feature_plan)

    def reaches(self) -> list[str]:
        """What the trigger changes in which token, in words (one line each)."""
        if not self.attached:
            return [
                "No pre token generation trigger: tokens carry what Cognito puts in them.",
                "Custom scopes then come only from the hosted endpoints (a domain, a resource "
                "server); tokens from the API door carry aws.cognito.signin.user.admin only.",
            ]
        if self.version == "V1_0":
            return [
                "V1_0 changes the ID token only: claims and groups (claimsOverrideDetails).",
                "Access tokens and their scopes are untouched; client-credentials tokens too.",
            ]
        lines = [
            f"{self.version}: one event for both tokens (claimsAndScopeOverrideDetails): ID- "
            "and access-token claims, groups, and the access token's scopes (scopesToAdd, "
            "scopesToSuppress).",
            "That is the way to custom scopes without a domain, and for the API door.",
        ]
        if self.version == "V3_0":
            lines.append("V3_0 also runs for client-credentials (machine-to-machine) tokens.")
        else:
            lines.append("It does not run for client-credentials tokens: that needs V3_0.")
        lines.append(f"Needs the Essentials or Plus feature plan (this pool: {self.plan_name}).")
        return lines


def read_pre_token_trigger(api: CognitoApi) -> PreTokenTriggerConfig:
    """DescribeUserPool, signed with the AWS credentials of ``api``'s pool."""
    response = api.call("describe_user_pool", UserPoolId=api.pool.require_pool())
    return PreTokenTriggerConfig.from_pool(dict(response.get("UserPool") or {}))


def trigger_problems(
    config: PreTokenTriggerConfig, flow: str, scopes: Sequence[str] = ()
) -> list[Problem]:
    """What the trigger cannot do for ``flow`` with ``scopes`` (custom scopes have a ``/``)."""
    problems: list[Problem] = []
    version = config.version if config.attached else None
    custom = [s for s in scopes if "/" in s]
    if version in ("V2_0", "V3_0") and config.feature_plan == "LITE":
        problems.append(
            _problem(
                "error",
                f"A {version} trigger needs the Essentials or Plus feature plan; this pool is "
                "on Lite, where only V1_0 (ID token) customisation is available.",
            )
        )
    if flow in API_FLOWS and custom and version not in ("V2_0", "V3_0"):
        has = f"the {version} trigger changes ID tokens only" if version else "there is no trigger"
        problems.append(
            _problem(
                "error",
                f"{flow} tokens carry only aws.cognito.signin.user.admin: custom scopes "
                f"({', '.join(custom)}) come from a V2_0 or V3_0 trigger's scopesToAdd, and "
                f"{has}.",
            )
        )
    if flow == "client_credentials" and version in ("V1_0", "V2_0"):
        problems.append(
            _problem(
                "warning",
                f"A {version} trigger does not run for client-credentials tokens: use V3_0 to "
                "change machine-to-machine access tokens.",
            )
        )
    return problems


def _problem(severity: str, advice: str) -> Problem:
    return Problem("error" if severity == "error" else "warning", _SETTING, as_phrase(advice))
