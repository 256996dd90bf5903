"""Client-credentials round trip through the core vs a bare ``requests.post``, same run.

    python -m tests.bench.bench_core_roundtrip [--rounds N]   (from the repository root)

Both sides send the same form to the same embedded demo server. The core side goes through
OAuthSession (builder, client auth, HttpClient with its masked exchange record, parser); the
baseline is one ``requests.post`` per request, as a script would do it. Goal: ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession
from workbench.demo.clients import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET
from workbench.demo.server import DemoConfig, DemoServer


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with DemoServer(DemoConfig()) as server:
        client = ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
        session = OAuthSession(Provider(client=client, issuer=server.issuer, scope="api:read"))
        token_endpoint = session.metadata().require("token_endpoint")
        form = {"grant_type": "client_credentials", "scope": "api:read"}
        auth = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)

        def bare() -> None:
            resp = requests.post(token_endpoint, data=form, auth=auth, timeout=30)
            assert resp.status_code == 200 and "access_token" in resp.json()

        kept = requests.Session()

        def bare_session() -> None:
            resp = kept.post(token_endpoint, data=form, auth=auth, timeout=30)
            assert resp.status_code == 200 and "access_token" in resp.json()

        def core() -> None:
            assert session.client_credentials().access_token

        paths = (("bare", bare), ("session", bare_session), ("core", core))
        for _, fn in paths:  # warm up every path
            for _ in range(10):
                fn()
        samples: dict[str, list[float]] = {name: [] for name, _ in paths}
        for _ in range(args.rounds):  # interleave so drift hits all alike
            for name, fn in paths:
                t0 = time.perf_counter()
                fn()
                samples[name].append(time.perf_counter() - t0)
        session.close()
        kept.close()
    bare_ms, core_ms = _median_ms(samples["bare"]), _median_ms(samples["core"])
    kept_ms = _median_ms(samples["session"])
    print(f"client_credentials round trip, {args.rounds} rounds each (median):")
    print(f"  bare requests.post      : {bare_ms:8.3f} ms")
    print(f"  requests.Session.post   : {kept_ms:8.3f} ms  (keep-alive, like the core)")
    print(f"  core OAuthSession       : {core_ms:8.3f} ms")
    print(f"  ratio core / bare post  : {core_ms / bare_ms:8.3f}  (goal <= 1.2)")
    print(f"  ratio core / Session    : {core_ms / kept_ms:8.3f}  (the core's own overhead)")
    print(f"  exchanges recorded : {len(session.log)}")


if __name__ == "__main__":
    main()
