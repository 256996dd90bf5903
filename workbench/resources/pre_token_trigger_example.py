"""A starter pre-token-generation trigger for the Token Workbench trigger lab.

Run it with ``workbench demo-server --pre-token-trigger FILE.py`` (or pick it in the app's
trigger lab), edit it, reload, and compare the next token's claims with the last one.
The same code runs as an AWS Lambda function (Python runtime) attached to a Cognito user
pool as its pre token generation trigger, event version V2_0 or V3_0.
"""

from __future__ import annotations

from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Add a claim to both tokens, a custom scope to the access token, and drop one claim
    from the ID token. Cognito reads ``event["response"]`` from what is returned."""
    source = event["triggerSource"]
    attributes = event["request"].get("userAttributes", {})
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"department": "research", "trigger_source": source},
            "claimsToSuppress": ["family_name"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {
                "department": "research",
                "email_domain": attributes.get("email", "@").split("@")[-1],
            },
            "scopesToAdd": ["api:read"],
            "scopesToSuppress": [],
        },
    }
    return event
