"""What ``workbench demo-server`` prints of a running :class:`~workbench.demo.server.DemoServer`:
issuer, endpoints, clients, users, the demo APIs and, with ``--mtls``, the TLS port's files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounts import CLIENTS, LOOPBACK_HOSTS, REDIRECT_PATH, SCOPES, USERS
from .api import WRITE_SCOPE, api_urls

if TYPE_CHECKING:
    from .server import DemoServer

__all__ = ["describe"]


def _url_host(host: str) -> str:
    host = host.strip("[]")
    return f"[{host}]" if ":" in host else host


def describe(server: DemoServer) -> str:
    """What ``workbench demo-server`` prints: issuer, endpoints, clients, users."""
    config = server.config
    lines = [
        "Token Workbench demo authorization server",
        f"  issuer:     {server.issuer}",
        f"  discovery:  {server.discovery_url}",
        f"  tokens:     RS256 JWT access tokens (typ at+jwt), {config.access_token_ttl} s; "
        f"refresh tokens {config.refresh_token_ttl} s, rotated on every use",
        "  register:   "
        + (
            f"RFC 7591 with the initial access token {config.initial_access_token}"
            " (a public demo value; send it as Bearer)"
            if config.initial_access_token
            else "RFC 7591, open (no initial access token); RFC 7592 read and delete"
        ),
        *(
            [
                "  device:     PKCE required (S256 code_challenge on the device request, "
                "code_verifier on every poll)"
            ]
            if config.require_device_pkce
            else []
        ),
        "  DPoP:       proofs checked, tokens bound (RFC 9449)"
        + ("; nonces required (use_dpop_nonce)" if config.require_dpop_nonce else ""),
        *(
            [
                f"  trigger:    pre-token generation {server.authority.trigger.label} "
                f"({server.authority.trigger.version})"
            ]
            if server.authority.trigger.active
            else []
        ),
        "",
        "Clients (public demo values):",
    ]
    mtls = server.mtls
    for client in CLIENTS.values():
        if client.tls_client_auth_subject_dn:
            subject = client.tls_client_auth_subject_dn
            auth = f"tls_client_auth: a demo CA certificate with subject {subject}"
            if mtls is None:
                auth += " (on the TLS port of demo-server --mtls)"
        elif client.is_public:
            auth = "public client, no secret (PKCE S256 required)"
        elif client.client_secret is None:
            registered = "registered" if server.authority.config.client_jwks else "none given"
            auth = f"{' or '.join(client.token_endpoint_auth_methods)} (public JWKS: {registered})"
        else:
            methods = " or ".join(client.token_endpoint_auth_methods)
            auth = f"secret: {client.client_secret}  ({methods})"
        lines += [
            f"  {client.client_id}",
            f"      {auth}",
            f"      grants: {', '.join(client.grant_types)}",
        ]
    if mtls is not None:
        lines += [
            "  workbench-mtls-self-signed",
            "      self_signed_tls_client_auth: the self-signed certificate in its JWKS (x5c)",
            "      grants: as workbench-mtls",
        ]
    hosts = ", ".join(
        f"http://{_url_host(h)}:<any port>{REDIRECT_PATH}" for h in sorted(LOOPBACK_HOSTS)
    )
    lines += [
        f"  redirect URIs (RFC 8252 loopback, any port): {hosts}",
        f"  scopes: {' '.join(SCOPES)}",
        "",
        "Users (public demo values):",
    ]
    width = max(len(u.username) for u in USERS.values())
    for user in USERS.values():
        lines.append(
            f"  {user.username:<{width}}  password: {user.password:<16} {user.name} <{user.email}>"
        )
    lines += ["", "Endpoints:"]
    paths = config.endpoint_paths
    width = max(len(name) for name in paths)
    lines += [f"  {name:<{width}}  {server.url(name)}" for name in paths]
    apis = api_urls(server.issuer)
    lines += [
        "",
        "Demo APIs (resource servers: call them with `workbench call URL --token-env VAR`):",
        f"  {apis['local']}/me         verifies the JWT itself: a revoked token still passes",
        f"  {apis['introspected']}/me  asks the server's records: a revoked token fails",
        f"  …/write needs scope {WRITE_SCOPE}; metadata (RFC 9728) at "
        f"{server.issuer}/.well-known/oauth-protected-resource/api/<local|introspected>",
    ]
    if mtls is not None:
        lines += [
            "",
            f"Mutual TLS (RFC 8705) on {mtls.base_url} (the discovery's mtls_endpoint_aliases);",
            "  tokens issued there to a client with a certificate are bound to it (cnf x5t#S256)",
            f"  CA (trust it for this provider only): {mtls.ca_file}",
            f"  workbench-mtls:             {mtls.client_cert_file}",
            f"                              key {mtls.client_key_file}",
            f"  workbench-mtls-self-signed: {mtls.self_signed_cert_file}",
            f"                              key {mtls.self_signed_key_file}",
            "  (public demo values, removed when the server stops)",
        ]
    warning = server.exposure_warning
    if warning:
        lines += ["", warning]
    return "\n".join(lines)
