"""Reading a resource server's refusal (RFC 6750 §3, RFC 9110 §11.6.1) and its metadata
(RFC 9728): parsing, wording, next steps and the §3.3 resource check."""

from __future__ import annotations

import pytest

from workbench.core.errors import TransportError
from workbench.core.oauth.rfc6750_bearer import (
    MAX_PARAMS,
    NextStep,
    bearer_challenge,
    explain,
    first_challenge,
    next_step,
    parse_challenges,
)
from workbench.core.oauth.rfc9728_resource import (
    MetadataSource,
    ResourceMatch,
    metadata_candidates,
    parse_resource_metadata,
    resource_match,
    well_known_url,
)


def test_several_challenges_with_quoted_commas_and_escapes() -> None:
    value = (
        'Newauth realm="apps", type=1, title="Login to \\"apps\\"", '
        'Bearer realm="api, v2", error="insufficient_scope", scope="a b", '
        'Basic realm=simple, DPoP algs="ES256 PS256"'
    )
    found = parse_challenges(value)
    assert [c.scheme for c in found] == ["Newauth", "Bearer", "Basic", "DPoP"]
    assert found[0].params == {"realm": "apps", "type": "1", "title": 'Login to "apps"'}
    assert found[1].params == {"realm": "api, v2", "error": "insufficient_scope", "scope": "a b"}
    assert found[2].get("realm") == "simple"
    assert found[3].get("algs") == "ES256 PS256"


def test_scheme_alone_token68_and_case() -> None:
    found = parse_challenges("bearer, Negotiate abc123==, BEARER ERROR=invalid_token")
    assert [(c.scheme, c.token68) for c in found] == [
        ("bearer", None),
        ("Negotiate", "abc123=="),
        ("BEARER", None),
    ]
    assert found[2].error == "invalid_token"  # parameter names are case-insensitive


def test_hostile_values_are_bounded() -> None:
    many = "Bearer " + ", ".join(f'p{i}="{i}"' for i in range(1000))
    challenge = parse_challenges(many)[0]
    assert challenge.scheme == "Bearer"
    assert len(challenge.params) == MAX_PARAMS
    assert parse_challenges("Bearer " + "x" * 1_000_000) != []
    assert (
        parse_challenges('Bearer error="unterminated') == [parse_challenges("Bearer")[0]]
        or parse_challenges('Bearer error="unterminated')[0].error is None
    )
    assert parse_challenges("") == [] and parse_challenges("=,=") == []


def test_bearer_challenge_among_headers_of_any_case() -> None:
    headers = {"www-authenticate": 'Basic realm="x", Bearer error="invalid_token"'}
    challenge = bearer_challenge(headers)
    assert challenge is not None and challenge.error == "invalid_token"
    assert bearer_challenge({"Content-Type": "text/plain"}) is None
    dpop = first_challenge({"WWW-Authenticate": 'DPoP error="use_dpop_nonce"'})
    assert dpop is not None and dpop.scheme == "DPoP"


@pytest.mark.parametrize(
    ("header", "status", "step", "words"),
    [
        ('Bearer error="invalid_token"', 401, NextStep.REFRESH, "expired, revoked"),
        (
            'Bearer error="insufficient_scope", scope="api:write"',
            403,
            NextStep.REQUEST_SCOPE,
            "“api:write”",
        ),
        ('Bearer error="invalid_request"', 400, NextStep.FIX_REQUEST, "malformed"),
        (
            'Bearer realm="x", resource_metadata="https://a/.well-known/oauth-protected-resource"',
            401,
            NextStep.GET_TOKEN,
            "RFC 9728",
        ),
        ('Basic realm="x"', 401, NextStep.OTHER_SCHEME, "Basic authentication"),
        ('Bearer error="made_up"', 401, NextStep.GET_TOKEN, "does not define"),
    ],
)
def test_explain_and_next_step(header: str, status: int, step: NextStep, words: str) -> None:
    challenge = first_challenge({"WWW-Authenticate": header})
    assert next_step(challenge, status) is step
    assert words in explain(challenge, status)


def test_no_challenge_on_401_is_named_and_2xx_needs_nothing() -> None:
    assert "without a WWW-Authenticate challenge" in explain(None, 401)
    assert next_step(None, 401) is NextStep.NONE
    ok = first_challenge({"WWW-Authenticate": 'Bearer error="invalid_token"'})
    assert next_step(ok, 200) is NextStep.NONE


def test_explanation_masks_control_characters_and_bounds_length() -> None:
    challenge = first_challenge(
        {
            "WWW-Authenticate": 'Bearer error="invalid_token", error_description="a\x1b[31mb'
            + "x" * 5000
            + '"'
        }
    )
    text = explain(challenge, 401)
    assert "\x1b" not in text
    assert len(text) < 1000


def test_well_known_url_goes_between_host_and_path() -> None:
    assert (
        well_known_url("https://api.example.com/v1/items")
        == "https://api.example.com/.well-known/oauth-protected-resource/v1/items"
    )
    assert (
        well_known_url("https://api.example.com/")
        == "https://api.example.com/.well-known/oauth-protected-resource"
    )


def test_candidates_challenge_first_then_path_then_origin_without_repeats() -> None:
    found = metadata_candidates("https://api.example.com/v1/me?x=1#f", "https://meta.example/doc")
    assert [(c.url, c.source, c.resource) for c in found] == [
        ("https://meta.example/doc", MetadataSource.CHALLENGE, "https://api.example.com/v1/me"),
        (
            "https://api.example.com/.well-known/oauth-protected-resource/v1/me",
            MetadataSource.WELL_KNOWN,
            "https://api.example.com/v1/me",
        ),
        (
            "https://api.example.com/.well-known/oauth-protected-resource",
            MetadataSource.WELL_KNOWN,
            "https://api.example.com",
        ),
    ]
    assert len(metadata_candidates("https://api.example.com/", None)) == 1


@pytest.mark.parametrize(
    ("declared", "expected", "match"),
    [
        ("https://a.example/v1", "https://a.example/v1", ResourceMatch.IDENTICAL),
        ("https://a.example/v1", "https://a.example/v1/me", ResourceMatch.PREFIX),
        ("https://a.example/", "https://a.example/v1/me", ResourceMatch.PREFIX),
        ("https://a.example/v1", "https://a.example/v10/me", None),  # not at a segment boundary
        ("https://a.example:8443/v1", "https://a.example/v1/me", None),  # another origin
        ("http://a.example/v1", "https://a.example/v1/me", None),
        ("https://evil.example/v1", "https://a.example/v1/me", None),
    ],
)
def test_resource_match(declared: str, expected: str, match: ResourceMatch | None) -> None:
    assert resource_match(declared, expected) is match


def test_metadata_must_name_the_resource_asked_about() -> None:
    (candidate, *_) = metadata_candidates("https://api.example/v1/me", "https://api.example/m")
    good = parse_resource_metadata(
        {"resource": "https://api.example/v1", "authorization_servers": ["https://as.example"]},
        candidate,
    )
    assert good.match is ResourceMatch.PREFIX
    assert good.authorization_servers == ("https://as.example",)
    with pytest.raises(TransportError, match=r"§3\.3"):
        parse_resource_metadata(
            {"resource": "https://api.example/v1", "authorization_servers": ["https://as"]},
            candidate,
            allow_prefix=False,
        )
    with pytest.raises(TransportError, match=r"§3\.3"):
        parse_resource_metadata(
            {"resource": "https://evil.example/", "authorization_servers": ["https://as"]},
            candidate,
        )
    with pytest.raises(TransportError, match="no authorization_servers"):
        parse_resource_metadata({"resource": "https://api.example/v1/me"}, candidate)
    with pytest.raises(TransportError, match="array of strings"):
        parse_resource_metadata(
            {"resource": "https://api.example/v1/me", "authorization_servers": "https://as"},
            candidate,
        )
    with pytest.raises(TransportError, match="not a JSON object"):
        parse_resource_metadata(["x"], candidate)
