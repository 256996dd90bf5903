"""OpenID CIBA (poll mode) against the independent provider, npm ``oidc-provider`` with its
``features.ciba`` (provider.mjs): the workbench's request, its polls and the tokens, through the
core and the CLI. The user's authentication device is provider.mjs itself: the test approves or
denies through its ``/test/ciba`` route, which calls the provider's ``backchannelResult`` API.

What this provider does not offer, and so is checked only against the demo server: ``slow_down``
(it answers ``authorization_pending`` however fast the polls come) and an ``interval`` in the
response (the workbench polls at the CIBA Core §7.3 default, 5 s).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.oidc_provider_peer import (
    CIBA_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    IndependentProvider,
)
from workbench.cli import main
from workbench.core.errors import OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.ciba import CibaAuthentication, CibaHint, ciba_login
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession
from workbench.core.tokens.findings import Outcome


@pytest.fixture
def session(independent_provider: IndependentProvider) -> Iterator[OAuthSession]:
    client = ClientConfig(CIBA_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, "client_secret_basic")
    opened = OAuthSession(
        Provider(client=client, issuer=independent_provider.issuer, scope="openid")
    )
    yield opened
    opened.close()


def decide(issuer: str, message: str, decision: str) -> None:
    """Approve or deny on the provider's side, once the request reached it."""
    for _ in range(50):
        answer = requests.post(
            f"{issuer}/test/ciba",
            params={"decision": decision, "binding_message": message},
            timeout=5,
        )
        if answer.status_code == 204:
            return
        time.sleep(0.1)
    raise AssertionError(f"the provider never listed the request {message}: {answer.text}")


def run(flow: Any, on_started: Any) -> Any:
    try:
        while True:
            value = next(flow)
            if isinstance(value, CibaAuthentication):
                on_started(value)
    except StopIteration as done:
        return done.value


def test_its_discovery_offers_ciba_in_poll_mode(session: OAuthSession) -> None:
    meta = session.metadata()
    assert meta.raw["backchannel_authentication_endpoint"].startswith(meta.issuer)
    assert "poll" in meta.raw["backchannel_token_delivery_modes_supported"]


def test_approved_gives_an_id_token_for_the_hinted_user_verified_by_its_keys(
    session: OAuthSession, independent_provider: IndependentProvider
) -> None:
    flow = ciba_login(session, CibaHint(login_hint="alice"), binding_message="PLUM-42")
    tokens = run(flow, lambda _: decide(independent_provider.issuer, "PLUM-42", "approve"))
    inspection = session.inspect(tokens.id_token, kind="id")
    assert inspection.decoded.claims["sub"] == "alice"
    signature = next(f for f in inspection.findings if f.check == "signature")
    assert signature.outcome is Outcome.PASS


def test_denied_is_access_denied(
    session: OAuthSession, independent_provider: IndependentProvider
) -> None:
    flow = ciba_login(session, CibaHint(login_hint="alice"), binding_message="NO-7")
    with pytest.raises(OAuthError) as info:
        run(flow, lambda _: decide(independent_provider.issuer, "NO-7", "deny"))
    assert info.value.error == "access_denied"


def test_an_unknown_user_is_unknown_user_id(session: OAuthSession) -> None:
    with pytest.raises(OAuthError) as info:
        next(ciba_login(session, CibaHint(login_hint="nobody")))
    assert info.value.error == "unknown_user_id"


def test_the_cli_against_it(
    independent_provider: IndependentProvider,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIBA_SECRET", CONFIDENTIAL_CLIENT_SECRET)
    approver = threading.Thread(
        target=decide, args=(independent_provider.issuer, "CLI-1", "approve")
    )
    approver.start()
    code = main(
        ["token", "--grant", "ciba", "--issuer", independent_provider.issuer, "--client-id",
         CIBA_CLIENT_ID, "--client-secret-env", "CIBA_SECRET", "--scope", "openid",
         "--login-hint", "bob", "--binding-message", "CLI-1", "--json"]
    )  # fmt: skip
    approver.join()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out)["id_token"]
    assert "polling every 5 s" in captured.err
