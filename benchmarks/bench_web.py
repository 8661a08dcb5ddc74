#!/usr/bin/env python3
"""matcalc serve under load: a bounded loopback load test of the page's JSON API.

Run from the repository root:   python benchmarks/bench_web.py [--good 200] [--heavy 20]
                                                              [--workers 4] [--budget 2]

Starts `python -m matcalc serve --port 0` (this checkout's matcalc) and sends, all at
once, GOOD tutorial queries mixed with HEAVY ones (a product of ~150 factors: far past
the time budget), each on its own connection, in a shuffled order, while a poller asks
GET /api/health every 100 ms. Passes when

  - every good query is answered 200 with the text `matcalc.derivative` gives in-process,
  - every heavy query is refused cleanly: 422 with "limit": "time",
  - every health poll is answered, each within 2 s (the server stays responsive),
  - afterwards the pool is back to its full size, every worker idle (none left busy);

prints p50/p99 latency, throughput and the health latencies; exits 1 on any failure.
Loopback only; the whole run is bounded (--deadline, default 300 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

from _common import calibrate, hr, loadavg, pkg_version  # benchmarks/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import matcalc  # noqa: E402

GOOD = [
    ("ln(sin(x^3)^2)", "x"),
    ("w, x: vector(n); w * x", "w"),
    ("w, x: vector(n); w / x", "x"),
    ("x: vector(n); z: scalar; sum(x * z)", "x"),
    ("x: vector(n); exp(sin(x))", "x"),
    ("w, x: vector(n); b: scalar; max(0, w·x + b)", "w"),
    (
        ("X: matrix(N, n); w: vector(n); y: vector(N); b: scalar; mean((y - max(0, X @ w + b))^2)"),
        "w",
    ),
    ("X: matrix(n, n); log(det(X))", "X"),
    ("x: vector(n); A: matrix(n, n); x @ A @ x", "x"),
    ("W: matrix(k, n); x: vector(n); y: simplex(k); -(y @ log(softmax(W @ x)))", "W"),
]
HEALTH_LIMIT = 2.0  # seconds: a health poll slower than this is a failure


def heavy_query(k: int) -> str:
    """~1.9 KB whose derivative takes far longer than any budget (a product of 149 sines)."""
    return "x: vector(n); sum(" + " * ".join(f"sin({i + k}*x)" for i in range(1, 150)) + ")"


async def call(port: int, method: str, path: str, body: dict | None = None):
    """(status, JSON body, seconds) over a fresh loopback connection."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    writer.write(head.encode() + data)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    header, _, payload = raw.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1])
    return status, json.loads(payload), time.perf_counter() - started


def pct(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def load(port: int, args, expected: dict, failures: list) -> dict:
    rng = random.Random(0)
    jobs = [("good", GOOD[i % len(GOOD)]) for i in range(args.good)]
    jobs += [("heavy", (heavy_query(k), "x")) for k in range(args.heavy)]
    rng.shuffle(jobs)
    health: list = []
    done = asyncio.Event()

    async def poll():
        while not done.is_set():
            try:
                status, body, took = await asyncio.wait_for(
                    call(port, "GET", "/api/health"), HEALTH_LIMIT
                )
                health.append(took)
                if status != 200 or body.get("ok") is not True:
                    failures.append(f"health answered {status} {body}")
            except asyncio.TimeoutError:
                failures.append(f"a health poll took longer than {HEALTH_LIMIT} s")
                health.append(HEALTH_LIMIT)
            await asyncio.sleep(0.1)

    async def one(kind, query_wrt):
        query, wrt = query_wrt
        try:
            status, body, took = await call(
                port, "POST", "/api/derivative", {"query": query, "wrt": wrt}
            )
        except (OSError, ValueError, IndexError) as err:
            failures.append(f"{kind} query: no answer ({err})")
            return kind, None
        if kind == "good" and (status != 200 or body.get("text") != expected[query_wrt]):
            failures.append(f"good query {query!r}: {status} {body.get('text') or body}")
        if kind == "heavy" and (status != 422 or body.get("limit") != "time"):
            failures.append(f"heavy query: {status} {str(body)[:200]}")
        return kind, took

    poller = asyncio.ensure_future(poll())
    started = time.perf_counter()
    results = await asyncio.gather(*(one(kind, q) for kind, q in jobs))
    wall = time.perf_counter() - started
    done.set()
    await poller
    return {
        "wall": wall,
        "health": health,
        "good": [t for k, t in results if k == "good" and t is not None],
        "heavy": [t for k, t in results if k == "heavy" and t is not None],
    }


async def settle(port: int, workers: int, failures: list) -> dict:
    """The pool after the load: back to `workers` workers, all idle, within 30 s."""
    deadline = time.monotonic() + 30
    body = {}
    while time.monotonic() < deadline:
        _, body, _ = await call(port, "GET", "/api/health")
        if body.get("workers") == workers and body.get("idle") == workers:
            return body
        await asyncio.sleep(0.2)
    failures.append(f"the pool did not recover: {body}")
    return body


def start_server(args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matcalc",
            "serve",
            "--port",
            "0",
            "--workers",
            str(args.workers),
            "--budget",
            str(args.budget),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    line = proc.stdout.readline()
    if "http://127.0.0.1:" not in line:
        proc.kill()
        sys.exit(f"FAIL: matcalc serve did not start: {line!r}")
    return proc, int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--good", type=int, default=200)
    p.add_argument("--heavy", type=int, default=20)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--budget", type=float, default=2.0)
    p.add_argument("--deadline", type=float, default=300.0)
    args = p.parse_args()

    hr(
        f"matcalc serve under load: {args.good} good + {args.heavy} heavy queries at once "
        f"(loopback; {args.workers} workers, {args.budget:g} s budget)"
    )
    print(
        f"python {sys.version.split()[0]}, starlette {pkg_version('starlette')}, "
        f"uvicorn {pkg_version('uvicorn')}; {os.cpu_count()} cores; load average "
        f"{loadavg()}; calibration {calibrate():.1f} ms"
    )
    expected = {q: str(matcalc.derivative(*q)) for q in GOOD}
    proc, port = start_server(args)
    failures: list = []
    try:

        async def run():
            figures = await load(port, args, expected, failures)
            figures["after"] = await settle(port, args.workers, failures)
            return figures

        try:
            figures = asyncio.run(asyncio.wait_for(run(), args.deadline))
        except asyncio.TimeoutError:
            print(f"FAIL: the load test did not finish within {args.deadline:g} s")
            return 1
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    good, heavy, health = figures["good"], figures["heavy"], figures["health"]
    wall = figures["wall"]
    ok_good = args.good - sum(f.startswith("good") for f in failures)
    ok_heavy = args.heavy - sum(f.startswith("heavy") for f in failures)
    print(
        f"good:    {ok_good}/{args.good} answered correctly; latency p50 {median(good):.2f} s, "
        f"p99 {pct(good, 0.99):.2f} s, max {max(good):.2f} s"
    )
    if heavy:
        print(
            f"heavy:   {ok_heavy}/{args.heavy} refused (422, time budget); latency p50 "
            f"{median(heavy):.2f} s, max {max(heavy):.2f} s"
        )
    print(
        f"throughput: {len(good) / wall:.1f} good answers/s, {(len(good) + len(heavy)) / wall:.1f} "
        f"requests/s; all {len(good) + len(heavy)} done in {wall:.1f} s"
    )
    if health:
        print(
            f"health:  {len(health)} polls during the load, latency p50 "
            f"{median(health) * 1e3:.0f} ms, p99 {pct(health, 0.99) * 1e3:.0f} ms, "
            f"max {max(health) * 1e3:.0f} ms"
        )
    after = figures["after"]
    print(
        f"after:   {after.get('workers')} workers, {after.get('idle')} idle, "
        f"{after.get('replaced')} replaced"
    )
    for failure in failures[:20]:
        print("FAIL:", failure)
    print("PASS" if not failures else f"FAIL: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
