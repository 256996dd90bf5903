"""Decoding, token kinds, time formatting and claim rows (workbench.core.tokens.decode / claims)."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from workbench.core.errors import TokenError
from workbench.core.tokens.claims import (
    CLAIM_MEANINGS,
    HEADER_MEANINGS,
    TIME_CLAIMS,
    claim_rows,
    expiry,
    format_duration,
    format_local,
    format_relative,
    header_rows,
    parse_numeric_date,
)
from workbench.core.tokens.decode import DecodedJwt, decode_jwt, token_kind

PLUS_ONE = timezone(timedelta(hours=1))
# 2026-11-26 13:03:12 UTC
TS = datetime(2026, 11, 26, 13, 3, 12, tzinfo=UTC).timestamp()


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make(header: object, claims: object, signature: bytes = b"\x01\x02sig") -> str:
    return ".".join(
        [b64(json.dumps(header)), b64(json.dumps(claims)), b64(signature) if signature else ""]
    )


HEADER = {"alg": "RS256", "kid": "k1", "typ": "JWT"}
CLAIMS = {"iss": "https://issuer.example", "sub": "alice", "exp": 1_900_000_000, "nested": [1]}


# --------------------------------------------------------------------------- decode


def test_decode_returns_header_claims_signature_and_signing_input() -> None:
    token = make(HEADER, CLAIMS, b"\xffsignature-bytes")
    decoded = decode_jwt(token)
    assert isinstance(decoded, DecodedJwt)
    assert decoded.header == HEADER
    assert decoded.claims == CLAIMS
    assert decoded.signature == b"\xffsignature-bytes"
    assert decoded.signing_input == token.rsplit(".", 1)[0].encode("ascii")
    assert decoded.raw == token
    assert decoded.alg == "RS256"
    assert decoded.kid == "k1"
    assert decoded.segments == token.split(".")
    assert decoded.to_dict()["signature"] == token.split(".")[2]


@pytest.mark.parametrize(
    "wrap",
    [
        "  {t}\n",
        "Bearer {t}",
        "bearer   {t}",
        "BEARER\t{t}",
        '"{t}"',
        "{a}\n{b}",  # token wrapped over two lines when pasted from a terminal
    ],
)
def test_decode_accepts_whitespace_bearer_quotes_and_line_breaks(wrap: str) -> None:
    token = make(HEADER, CLAIMS)
    pasted = wrap.format(t=token, a=token[:20], b=token[20:])
    decoded = decode_jwt(pasted)
    assert decoded.raw == token
    assert decoded.claims == CLAIMS


def test_decode_accepts_unsigned_token_with_empty_signature() -> None:
    decoded = decode_jwt(make({"alg": "none"}, {"sub": "x"}, b""))
    assert decoded.signature == b""
    assert decoded.header == {"alg": "none"}


def test_decode_tolerates_padding() -> None:
    header = base64.urlsafe_b64encode(json.dumps(HEADER).encode()).decode()
    claims = base64.urlsafe_b64encode(b'{"a":1}').decode()
    assert decode_jwt(f"{header}.{claims}.").claims == {"a": 1}


def seg(text: str) -> str:
    return b64(text)


H = seg('{"alg":"RS256"}')


def pay(text: str) -> str:
    return H + "." + seg(text) + "."


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("Bearer ", "empty"),
        ("abcdef", "opaque"),
        (f"{H}.{seg('{}')}", "3 segments"),
        (f"{H}.{seg('{}')}.x.y", "this one has 4"),
        ("a.b.c.d.e", "encrypted token (JWE"),
        (f".{seg('{}')}.", "header segment"),
        (f"{H}..sig", "payload segment is empty"),
        (f"{H}.ab+c.", "standard base64"),
        (f"{H}.ab!c.", "'!' at position 2"),
        (f"{H}.abcde.", "impossible base64url length"),
        (f"{H}.{seg('{}')}=====.", "too much '=' padding"),
        (f"{b64(b'{}')}xx.e30.", "header segment has an impossible base64url length (5)"),
        (f"{H}.{seg('not json')}.", "payload is not valid JSON"),
        (f"{seg('[1,2]')}.{seg('{}')}.", "header is JSON but an array"),
        (f"{H}.{seg('42')}.", "payload is JSON but a number"),
        (pay('"text"'), "payload is JSON but a string"),
        (f"{H}.{seg('null')}.", "payload is JSON but a literal"),
        (H + "." + b64(b"\xff\xfe{}") + ".", "not UTF-8"),
        (pay('{"a": NaN}'), "not valid JSON"),
        (pay('{"a":1,"a":2}'), "member 'a' twice"),
        (pay('{"a":' * 70 + "1" + "}" * 70), "nested more than 64 levels"),
        (pay("[" * 50_000 + "]" * 50_000), "nested too deeply"),
        (pay('{"a":"\\ud800"}'), "unpaired surrogate"),
        (pay('{"a":' + "7" * 5000 + "}"), "thousands of digits"),
        (f"{H}.{seg('{}')}.\u00e9", "non-ASCII character 'é'"),
        (f"{H}.{seg('{}')}.\ud800", "non-ASCII character"),
    ],
)
def test_decode_malformed_raises_token_error_with_reason(token: str, message: str) -> None:
    with pytest.raises(TokenError) as info:
        decode_jwt(token)
    assert message in str(info.value)


def test_decode_jwe_names_its_algorithms_and_says_key_needed() -> None:
    jwe = seg('{"alg":"RSA-OAEP","enc":"A256GCM"}') + ".a.b.c.d"
    with pytest.raises(TokenError) as info:
        decode_jwt(jwe)
    text = str(info.value)
    assert "encrypted" in text
    assert "alg RSA-OAEP, enc A256GCM" in text
    assert "cannot be decoded without" in text


def test_decode_nested_jwt_payload_is_explained() -> None:
    inner = make(HEADER, CLAIMS)
    outer = seg('{"alg":"RS256","cty":"JWT"}') + "." + b64(inner) + ".c2ln"
    with pytest.raises(TokenError, match="nested token"):
        decode_jwt(outer)


def test_decode_rejects_non_string_input() -> None:
    with pytest.raises(TokenError, match="not bytes"):
        decode_jwt(b"abc.def.ghi")  # type: ignore[arg-type]


def test_decode_refuses_absurdly_long_token() -> None:
    with pytest.raises(TokenError, match="refusing"):
        decode_jwt("a" * 1_000_001)


# --------------------------------------------------------------------------- kind


def test_token_kind_recognises_jwt_jwe_and_opaque() -> None:
    assert token_kind(make(HEADER, CLAIMS)) == "jwt"
    assert token_kind("Bearer " + make(HEADER, CLAIMS)) == "jwt"
    jwe = seg('{"alg":"dir","enc":"A128GCM"}') + "..iv.cipher.tag"
    assert token_kind(jwe) == "jwe"
    assert token_kind("2YotnFZFEjr1zCsicMWpAA") == "opaque"  # RFC 6749 §4.1.4 example
    assert token_kind("ya29.a0AfH6SMBx-dotted-google-token") == "opaque"
    assert token_kind("a.b.c") == "opaque"
    assert token_kind("a.b.c.d.e") == "opaque"


def test_token_kind_calls_a_damaged_jwt_a_jwt_so_decode_can_explain() -> None:
    token = make(HEADER, CLAIMS)
    damaged = token[:10] + "." + token[10:]  # 4 segments, starts with eyJ
    assert token_kind(damaged) == "jwt"
    with pytest.raises(TokenError):
        decode_jwt(damaged)
    broken_payload = f"{H}.{seg('not json')}.sig"
    assert token_kind(broken_payload) == "jwt"


def test_token_kind_empty_is_an_error() -> None:
    with pytest.raises(TokenError, match="empty"):
        token_kind("  ")


# --------------------------------------------------------------------------- times


def test_format_local_with_explicit_zone() -> None:
    assert format_local(TS, PLUS_ONE) == "2026-11-26 14:03:12 UTC+01:00"
    assert format_local(TS, UTC) == "2026-11-26 13:03:12 UTC+00:00"
    india = timezone(timedelta(hours=5, minutes=30))
    assert format_local(TS, india) == "2026-11-26 18:33:12 UTC+05:30"
    west = timezone(-timedelta(hours=3, minutes=30))
    assert format_local(TS, west) == "2026-11-26 09:33:12 UTC-03:30"


def test_format_local_uses_the_process_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "XYZ-2")  # POSIX TZ: two hours east of UTC, no DST, no tz database
    time.tzset()
    try:
        assert format_local(TS) == "2026-11-26 15:03:12 UTC+02:00"
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e300, -1e300])
def test_format_local_never_raises(bad: float) -> None:
    assert format_local(bad).startswith("invalid time")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (252, "in 4 min 12 s"),
        (252.9, "in 4 min 12 s"),
        (-185, "3 min 5 s ago"),
        (2 * 3600 + 5 * 60 + 7, "in 2 h 5 min"),
        (3 * 86400 + 4 * 3600 + 59, "in 3 d 4 h"),
        (-(3 * 86400), "3 d ago"),
        (60, "in 1 min"),
        (3600, "in 1 h"),
        (42, "in 42 s"),
        (-1, "1 s ago"),
        (0, "now"),
        (0.4, "now"),
        (-0.9, "now"),
        (400 * 86400, "in 400 d"),
    ],
)
def test_format_relative(seconds: float, text: str) -> None:
    assert format_relative(seconds) == text


def test_format_relative_and_duration_odd_inputs() -> None:
    assert format_relative(float("nan")) == "at an invalid time"
    assert format_relative(float("inf")) == "in forever"
    assert format_duration(0) == "0 s"


def test_expiry_of_a_live_token() -> None:
    now = 1_000_000.0
    exp = expiry({"iat": now - 900, "exp": now + 2700}, now)
    assert exp.expires_at == now + 2700
    assert exp.issued_at == now - 900
    assert exp.seconds_left == 2700
    assert exp.expired is False
    assert exp.lifetime == 3600
    assert exp.fraction_left == pytest.approx(0.75)
    assert exp.problem is None
    assert exp.describe().startswith("expires in 45 min (")


def test_expiry_of_an_expired_token_and_the_countdown_reaching_zero() -> None:
    claims = {"iat": 1000, "exp": 1600}
    at_end = expiry(claims, 1600)
    assert at_end.expired is True
    assert at_end.seconds_left == 0
    assert at_end.fraction_left == 0.0
    later = expiry(claims, 1792)
    assert later.expired is True
    assert later.seconds_left == -192
    assert later.fraction_left == 0.0
    assert later.describe().startswith("expired 3 min 12 s ago (")


def test_expiry_without_exp_or_iat() -> None:
    none = expiry({"sub": "x"}, 5.0)
    assert (none.expires_at, none.expired, none.has_exp) == (None, False, False)
    assert none.describe() == "no expiry (no exp claim)"
    no_iat = expiry({"exp": 100}, 50)
    assert no_iat.seconds_left == 50
    assert no_iat.lifetime is None
    assert no_iat.fraction_left is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1700000000", "not a number"),
        (True, "not a number"),
        (None, "not a number"),
        ([1], "not a number"),
        (1e20, "out of range"),
        (-5, "out of range"),
        (10**400, "out of range"),
    ],
)
def test_expiry_with_invalid_exp_reports_a_problem(value: object, problem: str) -> None:
    result = expiry({"exp": value, "iat": "garbage"}, 1000.0)
    assert result.expires_at is None
    assert result.expired is False
    assert result.issued_at is None
    assert result.problem is not None and problem in result.problem
    assert result.describe().startswith("invalid exp:")
    json.dumps(result.to_dict())  # serialisable for the CLI


def test_parse_numeric_date_accepts_int_and_float() -> None:
    assert parse_numeric_date(1_700_000_000) == 1_700_000_000.0
    assert parse_numeric_date(1.5) == 1.5


# --------------------------------------------------------------------------- claim rows


def test_claim_rows_give_meaning_and_human_times() -> None:
    claims = {
        "sub": "alice",
        "exp": TS + 252,
        "iat": "yesterday",
        "amr": ["pwd", "mfa"],
        "cognito:groups": ["admins"],
        "https://example.com/roles": ["x"],
    }
    rows = {r.name: r for r in claim_rows(claims, now=TS)}
    assert list(rows) == list(claims)  # token order kept
    assert rows["sub"].display == "alice"
    assert rows["sub"].meaning.startswith("Subject")
    exp_row = rows["exp"]
    assert exp_row.raw == TS + 252
    assert exp_row.display.startswith("in 4 min 12 s (2026-11-26 ")  # what matters first
    assert exp_row.display.endswith(")")
    assert exp_row.invalid is False
    assert rows["iat"].invalid is True
    assert rows["iat"].display == 'invalid time: not a number: "yesterday"'
    assert rows["amr"].display == '["pwd","mfa"]'
    assert "Cognito" in rows["cognito:groups"].meaning
    assert rows["https://example.com/roles"].meaning == ""
    json.dumps([r.to_dict() for r in rows.values()])


def test_header_rows() -> None:
    rows = header_rows({"alg": "RS256", "kid": "k1", "x-custom": 1})
    assert [(r.name, r.display) for r in rows] == [
        ("alg", "RS256"),
        ("kid", "k1"),
        ("x-custom", "1"),
    ]
    assert "Key ID" in rows[1].meaning
    assert rows[2].meaning == ""


def test_meaning_tables_cover_the_required_names() -> None:
    for name in [
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "auth_time", "acr", "amr", "azp",
        "sid", "at_hash", "c_hash", "nonce", "scope", "scp", "client_id", "cnf", "act",
        "may_act", "token_use", "cognito:groups", "cognito:username", "origin_jti",
        "event_id", "email", "email_verified", "updated_at",
    ]:  # fmt: skip
        assert CLAIM_MEANINGS[name], name
    for name in ["alg", "kid", "typ", "cty", "x5t", "jku", "crit"]:
        assert HEADER_MEANINGS[name], name
    assert {"exp", "iat", "nbf", "auth_time", "updated_at"} == TIME_CLAIMS
