# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the emulator as a subprocess and drive it over HTTP (used by test_emulator.py).

A uniquely named module rather than conftest.py: several conftest.py files share the
module name ``conftest`` when the whole repository is collected, so tests cannot import
from theirs."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from typing import Any

import requests

EMULATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hasura_cloud_emulator.py")
TOKEN = "test-token-0123456789"
START_TIMEOUT = 10.0
# Every run-time setting at its start-up default (POST /_emulator/faults takes them all).
DEFAULT_SETTINGS = {
    "latency_ms": 0, "error_rate": 0, "error_statuses": [429, 502, 503], "retry_after": 1, "drop_rate": 0,
    "lose_answer": {}, "healthz_delay": 0, "restart_delay": 0, "dns_delay": 0, "ignore_create_name": False,
    "flat_env_vars": False, "auth_error": "access-denied", "seed": None,
}


class Emulator:
    """One emulator process on a free port, plus helpers to drive it."""

    def __init__(self, *extra_args: str, token: str = TOKEN) -> None:
        self.token = token
        self.proc = subprocess.Popen(
            [sys.executable, EMULATOR, "--host", "127.0.0.1", "--port", "0", "--token", token,
             *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.listening_line = self._read_listening_line()
        self.url = self.listening_line.split(" ", 2)[2]
        self.base = self.url[: -len("/v1/graphql")]
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"pat {token}"
        # Per request, not session.verify: REQUESTS_CA_BUNDLE would override the session's.
        self.verify: bool | str = True

    def _read_listening_line(self) -> str:
        # readline() in a helper thread so that a hung start fails the test, not the run.
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()),
                         daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).rstrip("\n")
        except queue.Empty:
            self.proc.kill()
            raise RuntimeError("emulator did not print its listening line") from None
        if not line.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"emulator failed to start: {line!r} {self.proc.stderr.read()}")
        return line

    # --- GraphQL helpers

    def post(self, payload: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        kwargs.setdefault("verify", self.verify)
        return self.session.post(self.url, json=payload, **kwargs)

    def gql(self, query: str, variables: dict | None = None, **kwargs: Any) -> dict:
        """POST a document; assert HTTP 200 and return the JSON body."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        response = self.post(payload, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict | None = None) -> dict:
        """Like gql() but asserts success and returns ``data``."""
        body = self.gql(query, variables)
        assert "errors" not in body, body
        return body["data"]

    def create(self, name: str | None = None, cloud: str = "aws", region: str = "us-east-1",
               **extra: Any) -> dict:
        variables = {"cloud": cloud, "region": region, "name": name, **extra}
        return self.data(
            "mutation($cloud: String!, $region: String!, $name: String, $plan: String,"
            " $envs: [UpdateEnvsObject]) { createTenant(cloud: $cloud, region: $region,"
            " name: $name, plan: $plan, envs: $envs) { id name } }",
            variables,
        )["createTenant"]

    def get_env(self, tenant_id: str) -> dict:
        return self.data(
            "query($id: uuid!) { getTenantEnv(tenantId: $id) { hash envVars } }", {"id": tenant_id}
        )["getTenantEnv"]

    # --- control endpoints

    def stats(self) -> dict:
        return requests.get(f"{self.base}/_emulator/stats", timeout=10).json()

    def reset(self, state: bool = False) -> None:
        body = {"state": True} if state else None
        response = requests.post(f"{self.base}/_emulator/reset", json=body, timeout=10)
        assert response.status_code == 200, response.text

    def set_faults(self, **settings: Any) -> dict:
        response = requests.post(f"{self.base}/_emulator/faults", json=settings, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def set_dns(self, fqdn: str, dns_validation: str | None) -> dict:
        response = requests.post(f"{self.base}/_emulator/dns", timeout=10,
                                 json={"fqdn": fqdn, "dns_validation": dns_validation})
        assert response.status_code == 200, response.text
        return response.json()

    def health(self, slug: str, route: str = "healthz") -> requests.Response:
        """GET a project's own endpoint: ``<base>/projects/<slug>/<route>``."""
        return requests.get(f"{self.base}/projects/{slug}/{route}", timeout=10)

    # --- lifecycle

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.session.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=10)
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()
