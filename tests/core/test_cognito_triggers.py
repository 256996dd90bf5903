"""Pool insight for the pre-token-generation trigger: DescribeUserPool read from moto's real
server, and the words and flags for each trigger version.

moto 5.2 stores ``LambdaConfig`` (``PreTokenGeneration`` and ``PreTokenGenerationConfig``) and
``UserPoolTier`` as sent and returns them from DescribeUserPool; it does not check that a
V2_0/V3_0 trigger needs the Essentials or Plus plan, does not fill in PreTokenGenerationConfig
for a legacy ARN, leaves ``UserPoolTier`` out when it was not sent (a new real pool reports its
plan), and never invokes the Lambda function (the demo server's trigger lab runs handlers).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cognito_peer import MotoPool
from workbench.core.cognito.admin import CognitoPoolAdmin
from workbench.core.cognito.triggers import (
    PreTokenTriggerConfig,
    read_pre_token_trigger,
    trigger_problems,
)
from workbench.core.hints import worded

ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-token"


def config(version: str | None, plan: str | None = "ESSENTIALS") -> PreTokenTriggerConfig:
    return PreTokenTriggerConfig("us-east-1_x", ARN if version else None, version, plan)


def words(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


def test_the_pool_trigger_is_read_from_moto(make_pool: Callable[..., MotoPool]) -> None:
    moto = make_pool()
    moto.admin.update_user_pool(
        UserPoolId=moto.pool_id,
        UserPoolTier="ESSENTIALS",
        LambdaConfig={
            "PreTokenGeneration": ARN,
            "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": ARN},
        },
    )
    admin = CognitoPoolAdmin(moto.describe())
    try:
        found = read_pre_token_trigger(admin)
        exchange = admin.log.items()[-1]
    finally:
        admin.close()
    assert found == PreTokenTriggerConfig(moto.pool_id, ARN, "V2_0", "ESSENTIALS")
    assert "DescribeUserPool" in exchange.purpose + exchange.url + exchange.request_body
    assert (
        found.reaches()[-1] == "Needs the Essentials or Plus feature plan (this pool: Essentials)."
    )


def test_a_pool_without_trigger(make_pool: Callable[..., MotoPool]) -> None:
    moto = make_pool()
    admin = CognitoPoolAdmin(moto.describe())
    try:
        found = read_pre_token_trigger(admin)
    finally:
        admin.close()
    assert not found.attached and found.version is None
    assert found.reaches()[0].startswith("No pre token generation trigger")
    assert words(trigger_problems(found, "USER_PASSWORD_AUTH", ["api/read"])) == [
        "error: PreTokenGenerationConfig: USER_PASSWORD_AUTH tokens carry only "
        "aws.cognito.signin.user.admin: custom scopes (api/read) come from a V2_0 or V3_0 "
        "trigger's scopesToAdd, and there is no trigger."
    ]


def test_legacy_arn_alone_is_v1() -> None:
    found = PreTokenTriggerConfig.from_pool(
        {"Id": "p", "LambdaConfig": {"PreTokenGeneration": ARN}}
    )
    assert found.version == "V1_0" and found.feature_plan is None
    assert found.reaches()[0].startswith("V1_0 changes the ID token only")
    assert found.plan_name == "not reported"


def test_v1_cannot_put_custom_scopes_into_api_door_tokens() -> None:
    (problem,) = trigger_problems(config("V1_0"), "USER_SRP_AUTH", ["openid", "api/read"])
    assert problem.severity == "error" and problem.setting == "PreTokenGenerationConfig"
    assert worded(problem.advice).endswith("and the V1_0 trigger changes ID tokens only.")
    assert trigger_problems(config("V2_0"), "USER_SRP_AUTH", ["api/read"]) == []


@pytest.mark.parametrize(("version", "flagged"), [("V1_0", True), ("V2_0", True), ("V3_0", False)])
def test_client_credentials_need_v3(version: str, flagged: bool) -> None:
    problems = trigger_problems(config(version), "client_credentials", ["api/read"])
    assert bool(problems) is flagged
    if flagged:
        assert problems[0].severity == "warning"
        assert f"A {version} trigger does not run for client-credentials" in str(problems[0])


def test_v2_and_v3_need_essentials_or_plus() -> None:
    (problem,) = trigger_problems(config("V3_0", "LITE"), "authorization_code")
    assert "needs the Essentials or Plus feature plan; this pool is on Lite" in str(problem)
    assert trigger_problems(config("V3_0", "PLUS"), "authorization_code") == []
    assert trigger_problems(config("V1_0", "LITE"), "authorization_code") == []
    reaches = config("V3_0").reaches()
    assert "V3_0 also runs for client-credentials (machine-to-machine) tokens." in reaches
