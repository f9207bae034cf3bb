#!/usr/bin/env python
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): getTenantEnv requests per second against the local emulator.

Starts the emulator on a free loopback port, creates one tenant with a few env vars, then
for each thread count sends a fixed number of getTenantEnv requests, split over that many
threads, each with its own keep-alive ``requests.Session``. Prints a small table.

    python tests/benchmarks/emulator_throughput.py [--requests 2000] [--threads 1,4]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

import requests

EMULATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "emulator",
                        "hasura_cloud_emulator.py")
TOKEN = "bench-token"
GET_ENV = "query($id: uuid!) { getTenantEnv(tenantId: $id) { hash envVars } }"


def start_emulator() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, EMULATOR, "--host", "127.0.0.1", "--port", "0", "--token", TOKEN],
        stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    return proc, line.split(" ", 2)[2]


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"pat {TOKEN}"
    return session


def create_tenant(url: str) -> str:
    envs = [{"key": f"VAR_{i}", "value": f"value-{i}"} for i in range(10)]
    body = new_session().post(url, timeout=10, json={
        "query": "mutation($e: [UpdateEnvsObject]) { createTenant(cloud: \"aws\","
                 " region: \"us-east-1\", name: \"bench\", envs: $e) { id } }",
        "variables": {"e": envs},
    }).json()
    return body["data"]["createTenant"]["id"]


def run(url: str, tenant_id: str, total: int, threads: int) -> tuple[float, list[float]]:
    """Send ``total`` requests over ``threads`` threads; returns (elapsed s, latencies s)."""
    per_thread = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]
    latencies: list[list[float]] = [[] for _thread in range(threads)]
    failures: list[str] = []
    payload = {"query": GET_ENV, "variables": {"id": tenant_id}}
    sessions = [new_session() for _thread in range(threads)]
    for session in sessions:  # open the keep-alive connections outside the timing
        session.post(url, json=payload, timeout=10)
    barrier = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        session, mine = sessions[index], latencies[index]
        barrier.wait()
        for _request in range(per_thread[index]):
            started = time.perf_counter()
            response = session.post(url, json=payload, timeout=10)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200 or "data" not in response.json():
                failures.append(response.text[:200])

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
    return elapsed, [value for chunk in latencies for value in chunk]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per run")
    parser.add_argument("--threads", default="1,4", help="comma-separated thread counts")
    args = parser.parse_args()
    thread_counts = [int(n) for n in args.threads.split(",")]

    proc, url = start_emulator()
    try:
        tenant_id = create_tenant(url)
        print(f"getTenantEnv on {url}, {args.requests} requests per run, keep-alive sessions")
        print(f"{'threads':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'total s':>8}")
        for threads in thread_counts:
            elapsed, latencies = run(url, tenant_id, args.requests, threads)
            latencies.sort()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
            print(f"{threads:>7} {args.requests / elapsed:>9.0f} {p50:>8.2f} {p99:>8.2f}"
                  f" {elapsed:>8.2f}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
