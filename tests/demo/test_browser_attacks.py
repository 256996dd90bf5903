"""Hostile pages in a real headless Chromium (issue 7 §5): a page served from another
127.0.0.1 port (same site, other origin: the demo's cookies go along) tries silent
authorization with ``prompt=none`` and auto-submits the consent and device approval forms.
None of it may yield a code or an approval; the real pages keep working."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

from tests.browser import chromium_page
from tests.demo_driver import pkce_pair
from workbench.demo import NATIVE_CLIENT_ID, DemoServer
from workbench.demo.store import DeviceStatus

pytestmark = pytest.mark.browser


class HostileSite:
    """Another origin on 127.0.0.1: serves the pages it is given and records what arrives
    at its ``/callback`` (which is also a redirect URI the demo accepts, RFC 8252)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.callbacks: list[dict[str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5  # an idle browser connection does not hold a thread for long

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/callback":
                    site.callbacks.append(dict(parse_qsl(urlsplit(self.path).query)))
                    body = "<!DOCTYPE html><title>callback</title><p id=landed>landed</p>"
                else:
                    body = site.pages.get(path, "<!DOCTYPE html><title>nothing</title>")
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = False  # joined on close: no thread outlives the test
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.redirect_uri = self.origin + "/callback"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="hostile-site")
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def navigating_page(self, path: str, url: str) -> str:
        self.pages[path] = (
            f"<!DOCTYPE html><title>hostile</title><script>location.href = {url!r};</script>"
        )
        return self.origin + path

    def auto_submit_page(self, path: str, action: str, fields: dict[str, str]) -> str:
        inputs = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in fields.items()
        )
        self.pages[path] = (
            "<!DOCTYPE html><title>hostile</title>"
            f'<form id="f" method="post" action="{html.escape(action)}">{inputs}</form>'
            "<script>document.getElementById('f').submit();</script>"
        )
        return self.origin + path


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    site = HostileSite()
    yield site
    site.close()


def authorize_url(demo: DemoServer, redirect_uri: str, scope: str, **extra: str) -> str:
    _, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": NATIVE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": "st",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{demo.url('authorize')}?{urlencode(query)}"


def sign_in_and_consent(page: Any, url: str) -> None:
    """The real pages: sign in as alice, approve."""
    page.goto(url)
    page.fill("#username", "alice")
    page.fill("#password", "alice-password")
    page.click("#sign-in")
    page.click("#approve")
    page.wait_for_selector("#landed")


def test_prompt_none_from_another_origin_never_gets_a_code(
    demo: DemoServer, hostile: HostileSite
) -> None:
    wide = "openid profile api:write offline_access"
    with chromium_page() as page:
        # Nobody signed in: login_required.
        page.goto(
            hostile.navigating_page(
                "/a", authorize_url(demo, hostile.redirect_uri, wide, prompt="none")
            )
        )
        page.wait_for_selector("#landed")
        assert hostile.callbacks[-1]["error"] == "login_required"

        # Alice signs in and consents to "openid profile" only.
        sign_in_and_consent(page, authorize_url(demo, hostile.redirect_uri, "openid profile"))
        assert "code" in hostile.callbacks[-1]

        # A silent request for more than that: consent_required, no code.
        page.goto(
            hostile.navigating_page(
                "/b", authorize_url(demo, hostile.redirect_uri, wide, prompt="none")
            )
        )
        page.wait_for_selector("#landed")
        answer = hostile.callbacks[-1]
        assert answer["error"] == "consent_required" and "code" not in answer
        assert answer["state"] == "st" and answer["iss"] == demo.issuer

        # The session cookie did travel: within the consented scopes prompt=none works.
        page.goto(
            hostile.navigating_page(
                "/c", authorize_url(demo, hostile.redirect_uri, "openid profile", prompt="none")
            )
        )
        page.wait_for_selector("#landed")
        assert "code" in hostile.callbacks[-1]


def test_auto_submitted_consent_form_from_another_origin_is_refused(
    demo: DemoServer, hostile: HostileSite
) -> None:
    with chromium_page() as page:
        sign_in_and_consent(page, authorize_url(demo, hostile.redirect_uri, "openid"))
        codes_before = len([c for c in hostile.callbacks if "code" in c])

        target = authorize_url(demo, hostile.redirect_uri, "openid api:write offline_access")
        response = page.goto(
            hostile.auto_submit_page("/consent", target, {"decision": "approve"}),
            wait_until="load",
        )
        assert response is not None
        page.wait_for_selector("#error")
        assert page.url.startswith(demo.issuer)  # stayed on the demo's refusal page
        assert "did not come from this page" in page.inner_text("#error")
        assert len([c for c in hostile.callbacks if "code" in c]) == codes_before


def test_auto_submitted_device_approval_from_another_origin_is_refused(
    demo: DemoServer, hostile: HostileSite
) -> None:
    def device_grant() -> Any:
        response = requests.post(
            demo.url("device_authorization"),
            data={"client_id": NATIVE_CLIENT_ID, "scope": "openid api:write"},
            timeout=5,
        )
        assert response.status_code == 200
        return response.json()

    decoy, victim = device_grant(), device_grant()
    store = demo.authority.store
    with chromium_page() as page:
        # Alice signs in on the real device page (approving her own device).
        page.goto(decoy["verification_uri_complete"])
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#continue")
        page.click("#approve")
        assert page.get_attribute("#result", "data-result") == "approved"

        # A hostile page auto-submits the approval of the attacker's device code.
        page.goto(
            hostile.auto_submit_page(
                "/device",
                demo.url("device_verification"),
                {"user_code": victim["user_code"], "decision": "approve"},
            )
        )
        page.wait_for_selector("#error")
        assert "did not come from this page" in page.inner_text("#error")
        record = store.find_device_grant(victim["device_code"])
        assert record is not None and record.status is DeviceStatus.PENDING

        # The real form still works for the signed-in user.
        page.goto(victim["verification_uri_complete"])
        page.click("#continue")
        page.click("#approve")
        assert page.get_attribute("#result", "data-result") == "approved"
        assert record.status is DeviceStatus.APPROVED
