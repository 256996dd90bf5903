"""Time to show a 32 KB JWT with 500 claims in the token inspector, against a plain table.

    python tests/bench/bench_inspector.py [--rounds N]

Measured (median of N runs, time.perf_counter_ns, after a warm-up, offscreen):
  inspector   TokenInspector.show_token(token) then QApplication.processEvents(): decode,
              the claims and header models, the local checks (no provider, so no network),
              the countdown, and the paint of everything visible
  baseline    the same 500 (claim, value, meaning) rows put into a plain QTableWidget with
              setItem, then processEvents() (no decoding, no checks, no formatting)
Two tokens alternate so that every round really replaces the table. The goal is well under
100 ms for the inspector.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's workbench

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

from workbench.core.tokens.claims import claim_rows
from workbench.ui.inspector import TokenInspector
from workbench.ui.state import AppState

CLAIMS = 500
TARGET_BYTES = 32 * 1024
WIDTH, HEIGHT = 760, 820


def build_token(key: rsa.RSAPrivateKey, now: float, variant: str) -> str:
    """An RS256 JWT with 500 claims, values padded until the token is ~32 KB."""
    claims: dict[str, Any] = {
        "iss": "https://issuer.example",
        "sub": f"user-{variant}",
        "aud": "api",
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + 3600,
        "auth_time": int(now) - 30,
    }
    base = len(claims)
    pad = 1
    while True:
        for i in range(CLAIMS - base):
            claims[f"https://claims.example/{variant}/c{i:03d}"] = f"value-{i:03d}-" + "x" * pad
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        if len(token) >= TARGET_BYTES:
            return token
        pad += 1


def median_ms(fn: Callable[[int], None], rounds: int) -> float:
    for i in range(5):
        fn(i)
    samples: list[int] = []
    for i in range(rounds):
        start = time.perf_counter_ns()
        fn(i)
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = time.time()
    tokens = [build_token(key, now, "a"), build_token(key, now, "b")]
    decoded = [jwt.decode(t, options={"verify_signature": False}) for t in tokens]
    assert all(len(d) == CLAIMS for d in decoded)

    state = AppState()
    inspector = TokenInspector(state)
    inspector.resize(WIDTH, HEIGHT)
    inspector.show()
    app.processEvents()

    def show(i: int) -> None:
        inspector.show_token(tokens[i % 2])
        app.processEvents()

    inspector_ms = median_ms(show, args.rounds)
    assert inspector.claims_model.rowCount() == CLAIMS
    assert inspector.inspection is not None
    inspector.close()

    table = QTableWidget(0, 3)
    table.setHorizontalHeaderLabels(["Claim", "Value", "Meaning"])
    table.resize(WIDTH, HEIGHT)
    table.show()
    app.processEvents()
    rows = [[(r.name, r.display, r.meaning) for r in claim_rows(claims, now)] for claims in decoded]

    def fill(i: int) -> None:
        data = rows[i % 2]
        table.setRowCount(0)
        table.setRowCount(len(data))
        for row, values in enumerate(data):
            for column, text in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(text))
        app.processEvents()

    baseline_ms = median_ms(fill, args.rounds)
    table.close()
    state.close()

    print(f"token: {len(tokens[0]):,} characters, {CLAIMS} claims (RS256)")
    print(f"inspector show_token + paint : {inspector_ms:8.2f} ms (median of {args.rounds})")
    print(f"baseline QTableWidget fill   : {baseline_ms:8.2f} ms (median of {args.rounds})")
    print(f"ratio inspector / baseline   : {inspector_ms / baseline_ms:8.2f}")
    print(f"goal: well under 100 ms -> {'met' if inspector_ms < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
