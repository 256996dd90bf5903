"""Start-up time and memory of ``workbench --demo`` against a bare PySide6 window, same run.

    python -m tests.bench.bench_startup [--rounds N]   (from the repository root)

Both are launched as fresh processes with QT_QPA_PLATFORM=offscreen; the time is from just
before the spawn to the moment the process reports its window shown (the workbench reports it
when WORKBENCH_QUIT_WHEN_SHOWN is set). Goals: ratio <= 1.5, resident memory < 150 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # run this checkout's workbench, whatever is installed

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1360, 860); w.show()
def shown():
    rss = 0
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    print(f"shown at={time.time():.6f} rss_kb={rss}", file=sys.stderr, flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def _run(cmd: list[str], event: str = "shown") -> tuple[float, int]:
    """Seconds from spawn to the process reporting ``event``, and its RSS then (kB)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_QUIT_WHEN_SHOWN": "1"}
    start = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    reports = {}
    for line in proc.stderr.splitlines():
        name, _, rest = line.partition(" ")
        if name in ("shown", "ready") and "at=" in rest:
            reports[name] = dict(part.split("=") for part in rest.split())
    if event not in reports:
        raise SystemExit(f"{cmd} did not report {event!r}: {proc.stderr[-2000:]}")
    fields = reports[event]
    return float(fields["at"]) - start, int(fields["rss_kb"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, "-m", "workbench", "--demo"]
    _run(bare_cmd), _run(app_cmd)  # warm the file cache for both
    bare_t, app_t, app_rss, bare_rss, ready_t, ready_rss = [], [], [], [], [], []
    for _ in range(args.rounds):
        t, rss = _run(bare_cmd)
        bare_t.append(t)
        bare_rss.append(rss)
        t, rss = _run(app_cmd, "shown")
        app_t.append(t)
        t, rss = _run(app_cmd, "ready")
        ready_t.append(t)
        ready_rss.append(rss)
    app_rss = ready_rss  # memory once everything is loaded and the demo server runs
    b, a = statistics.median(bare_t), statistics.median(app_t)
    b_mb, a_mb = statistics.median(bare_rss) / 1024, statistics.median(app_rss) / 1024
    print(f"start-up to window shown, median of {args.rounds} (offscreen):")
    print(f"  bare PySide6 window   : {b * 1000:7.0f} ms, RSS {b_mb:6.1f} MB")
    print(f"  workbench --demo shown: {a * 1000:7.0f} ms (the frame, contents loading)")
    r = statistics.median(ready_t)
    print(f"  ratio (window shown)  : {a / b:7.2f}  (goal <= 1.5)")
    print(f"  workbench ready       : {r * 1000:7.0f} ms  (tabs built, demo provider selected)")
    print(f"  ratio (ready)         : {r / b:7.2f}")
    print(f"  workbench RSS (ready) : {a_mb:7.1f} MB  (goal < 150 MB)")


if __name__ == "__main__":
    main()
