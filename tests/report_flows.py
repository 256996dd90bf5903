"""Real flows against the demo server, each run as one flow of the session's exchange log: the
material of the sequence, Mermaid and report tests."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.demo_driver import decide_device_code, sign_in_and_decide
from workbench.core.errors import OAuthError
from workbench.core.model import Provider
from workbench.core.session import OAuthSession, run_to_end
from workbench.demo import DemoServer
from workbench.demo.clients import DEMO_PASSWORD, confidential_client, native_client


def session_for(demo: DemoServer, native: bool = False, scope: str = "") -> OAuthSession:
    client = native_client() if native else confidential_client()
    return OAuthSession(Provider(client=client, issuer=demo.issuer, scope=scope))


def client_credentials(session: OAuthSession) -> None:
    with session.log.flow("client_credentials"):
        session.client_credentials()


def authorization_code(session: OAuthSession) -> dict[str, Any]:
    """The code flow with a browser's part played over HTTP; returns the secrets it saw."""
    with session.log.flow("authorization_code"):
        flow = session.browser_login()
        pending: Any = next(flow)
        location = sign_in_and_decide(pending.url)
        requests.get(location, timeout=5).raise_for_status()
        tokens = run_to_end(flow)
    return {
        "code": location.split("code=")[1].split("&")[0],
        "verifier": pending.request.pkce.verifier,
        "refresh_token": tokens.refresh_token,
        "access_token": tokens.access_token,
    }


def device(session: OAuthSession, approve_after: int = 2) -> None:
    """The device flow, approved after ``approve_after`` polls."""
    with session.log.flow("device_code"):
        flow = session.device_login()
        auth: Any = next(flow)
        polls = 0
        while True:
            try:
                next(flow)
            except StopIteration:
                break
            polls += 1
            if polls == approve_after:
                decide_device_code(auth.verification_uri, auth.user_code)


def refresh_reuse(session: OAuthSession) -> dict[str, Any]:
    """Password grant, a rotating refresh, then the old refresh token again: invalid_grant."""
    with pytest.raises(OAuthError), session.log.flow("refresh_reuse"):
        first = session.password("alice", DEMO_PASSWORD)
        session.refresh(first.refresh_token or "")
        session.refresh(first.refresh_token or "")
    return {"password": DEMO_PASSWORD, "refresh_token": first.refresh_token}
