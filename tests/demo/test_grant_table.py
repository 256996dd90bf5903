"""The demo server's grant table names the grants as the workbench's grant registry does, and
the server registers each Authlib class from it with its extensions."""

from __future__ import annotations

from typing import Any

from workbench.core.oauth.grants import grant, grant_names
from workbench.demo.authority import DemoAuthority
from workbench.demo.config import DemoConfig
from workbench.demo.grants import DEMO_GRANTS, register_grants
from workbench.demo.oauth import server_metadata
from workbench.demo.pkce import S256CodeChallenge

#: Grants of the registry the demo server does not run, and why (an entry that no longer
#: applies fails the test too).
NOT_IN_DEMO: dict[str, str] = {}


def test_the_demo_runs_every_oauth_grant_of_the_registry_by_its_name() -> None:
    registered = set(grant_names("oauth"))
    assert set(DEMO_GRANTS) <= registered, "the demo names a grant the registry does not know"
    assert set(NOT_IN_DEMO) <= registered - set(DEMO_GRANTS), "a stale NOT_IN_DEMO entry"
    assert registered - set(DEMO_GRANTS) == set(NOT_IN_DEMO), "a registered grant the demo lacks"


def test_each_class_serves_the_grant_type_the_registry_names() -> None:
    for name, demo_grants in DEMO_GRANTS.items():
        expected = grant(name).grant_type or name  # implicit: no token-endpoint grant_type
        assert demo_grants, name
        for demo_grant in demo_grants:
            assert expected == demo_grant.grant_class.GRANT_TYPE, name


def test_the_metadata_announces_the_grant_types_of_the_table_in_its_order() -> None:
    metadata = server_metadata(DemoAuthority(DemoConfig(), "http://127.0.0.1:9"))
    assert metadata["grant_types_supported"] == [
        "authorization_code",
        "implicit",
        "password",
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:openid:params:grant-type:ciba",
    ]


class _Recorder:
    """Takes what register_grants gives an Authlib server, in order."""

    def __init__(self) -> None:
        self.registered: list[tuple[type[Any], list[object] | None]] = []

    def register_grant(self, grant_class: type[Any], extensions: list[object] | None) -> None:
        self.registered.append((grant_class, extensions))


def test_register_grants_registers_every_class_with_its_extensions() -> None:
    authority = DemoAuthority(DemoConfig(), "http://127.0.0.1:9")
    server = _Recorder()
    register_grants(server, authority)

    classes = [g.grant_class for gs in DEMO_GRANTS.values() for g in gs]
    assert [cls for cls, _ in server.registered] == classes
    by_type: dict[str, list[list[object] | None]] = {}
    for cls, extensions in server.registered:
        by_type.setdefault(cls.GRANT_TYPE, []).append(extensions)

    code_extensions = by_type["authorization_code"][0]
    assert code_extensions is not None and len(code_extensions) == 2
    pkce = code_extensions[0]
    assert isinstance(pkce, S256CodeChallenge) and pkce.required
    assert type(code_extensions[1]).__name__ == "_OpenIDCode"
    assert by_type["implicit"] == [None, None]
    assert by_type["client_credentials"] == [None]
    # Password, refresh and device code share one ID-token extension.
    id_tokens = [
        by_type[t][0] for t in ("password", "refresh_token", grant("device_code").grant_type)
    ]
    assert all(e is not None and len(e) == 1 for e in id_tokens)
    assert len({id(e[0]) for e in id_tokens if e}) == 1
    assert all(e[0].authority is authority for e in id_tokens if e)  # type: ignore[attr-defined]
