# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for tests/benchmarks/run.py: the emulator process, GraphQL set-up calls and
timed ansible-playbook / ansible runs. Standard library, plus the emulator launcher of tests/emulator."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests


REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "emulator"))

from emulator_process import Emulator as EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position

GET_ENV = "query ($id: uuid!) { getTenantEnv(tenantId: $id) { hash envVars } }"
# The real createTenant takes envs as [UpdateEnvsObject] (the launcher's create() is being fixed upstream).
CREATE = ("mutation ($cloud: String!, $region: String!, $name: String, $envs: [UpdateEnvsObject]) {"
          " createTenant(cloud: $cloud, region: $region, name: $name, envs: $envs) { id } }")
ENGINE = ("query ($id: uuid!) { getTenantEnv(tenantId: $id) { envVars }"
          " tenant_by_pk(id: $id) { project { endpoint } } }")
UPDATE_ENV = """
mutation ($id: uuid!, $hash: String!, $envs: [UpdateEnvObject!]!) {
  updateTenantEnv(tenantId: $id, currentHash: $hash, envs: $envs) { hash }
}"""
DELETE_ENV = """
mutation ($id: uuid!, $hash: String!, $keys: [String!]!) {
  deleteTenantEnv(tenantId: $id, currentHash: $hash, deleteEnvs: $keys) { hash }
}"""


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Emulator(EmulatorProcess):
    """The emulator on a free port with a random token (tests/emulator's launcher), plus set-up calls.

    The set-up calls are never counted: the benchmarks reset the stats after them.
    """

    def __init__(self, *extra: str) -> None:
        super().__init__(*extra, token="bench-" + secrets.token_hex(16))

    def create_tenant(self, name: str, env: dict | None = None) -> str:
        envs = [{"key": k, "value": v} for k, v in (env or {}).items()]
        return self.data(CREATE, {"cloud": "aws", "region": "us-east-1", "name": name, "envs": envs})[
            "createTenant"]["id"]

    def replace_metadata(self, tenant_id: str, metadata: dict) -> None:
        """Set a project's engine metadata through its metadata API (the side channel)."""
        found = self.data(ENGINE, {"id": tenant_id})
        endpoint = found["tenant_by_pk"]["project"]["endpoint"]
        secret = found["getTenantEnv"]["envVars"]["environment"]["HASURA_GRAPHQL_ADMIN_SECRET"]
        answer = requests.post(endpoint + "/v1/metadata", timeout=30, headers={"X-Hasura-Admin-Secret": secret},
                               json={"type": "replace_metadata", "version": 2, "args": {"metadata": metadata}})
        if answer.status_code != 200:
            raise RuntimeError("replace_metadata answered HTTP %s: %s" % (answer.status_code, answer.text[:500]))

    def set_env(self, tenant_id: str, env: dict, exact: bool = True) -> None:
        """Make the tenant's env exactly ``env`` (or a superset with exact=False)."""
        current = self.get_env(tenant_id)
        current_hash, current_env = current["hash"], current["envVars"]["environment"]
        if exact:
            extra = sorted(set(current_env) - set(env))
            if extra:
                current_hash = self.data(DELETE_ENV, {"id": tenant_id, "hash": current_hash, "keys": extra})[
                    "deleteTenantEnv"]["hash"]
        if any(current_env.get(k) != v for k, v in env.items()):
            self.data(UPDATE_ENV, {"id": tenant_id, "hash": current_hash,
                                   "envs": [{"key": k, "value": v} for k, v in env.items()]})


class Ansible:
    """Runs ansible-playbook / ansible with a clean, fixed configuration."""

    def __init__(self, workdir: Path, emulator: Emulator, python: str | None = None) -> None:
        self.workdir = workdir
        self.python = python or sys.executable
        bindir = Path(self.python).parent
        self.playbook_bin = str(bindir / "ansible-playbook") if (bindir / "ansible-playbook").exists() \
            else shutil.which("ansible-playbook")
        self.adhoc_bin = str(bindir / "ansible") if (bindir / "ansible").exists() else shutil.which("ansible")
        if not self.playbook_bin or not self.adhoc_bin:
            raise RuntimeError("ansible-playbook not found next to %s nor on PATH" % self.python)
        collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH")
        if not collections or not _has_collection(collections):
            collections = str(workdir / "collections")
            link = Path(collections) / "ansible_collections" / "hasura" / "cloud"
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                link.symlink_to(REPO)
        self.remote_tmp = workdir / "remote_tmp"
        self.remote_tmp.mkdir(exist_ok=True)
        (workdir / "ansible.cfg").write_text("[defaults]\n")  # ignore any ansible.cfg elsewhere
        self.env = dict(os.environ)
        for key in list(self.env):
            if key.startswith("ANSIBLE_") or key.startswith("HASURA_CLOUD_"):
                del self.env[key]
        self.env.update({
            "ANSIBLE_CONFIG": str(workdir / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_LIBRARY": str(Path(__file__).resolve().parent / "library"),
            "ANSIBLE_HOME": str(workdir / "ansible_home"),
            "ANSIBLE_LOCAL_TEMP": str(workdir / "local_tmp"),
            "ANSIBLE_REMOTE_TMP": str(self.remote_tmp),
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_PYTHON_INTERPRETER": self.python,
            "HASURA_CLOUD_PAT": emulator.token,
            "HASURA_CLOUD_API_URL": emulator.url,
        })
        self.counter = 0

    def write(self, name: str, data) -> Path:
        """Write a playbook or inventory as JSON (valid YAML, no quoting surprises)."""
        path = self.workdir / name
        path.write_text(json.dumps(data, indent=1))
        return path

    def playbook(self, tasks: list, name: str | None = None, hosts: str = "localhost",
                 play_vars: dict | None = None) -> Path:
        self.counter += 1
        play = {"name": "bench", "hosts": hosts, "connection": "local", "gather_facts": False, "tasks": tasks}
        if play_vars:
            play["vars"] = play_vars
        return self.write(name or "play-%04d.yml" % self.counter, [play])

    def children_peak_rss(self, playbook: Path, inventory: str = "localhost,") -> dict:
        """Run the playbook through _rss_launcher.py: peak RSS (KiB) of ansible-playbook itself
        ("main") and of the largest process it started and reaped ("children": its workers and,
        for module processes, the modules)."""
        report = self.workdir / "rss.json"
        cmd = [self.python, str(Path(__file__).resolve().parent / "_rss_launcher.py"), str(report),
               "-i", inventory, str(playbook)]
        proc = subprocess.run(cmd, cwd=self.workdir, env=self.env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError("ansible-playbook %s failed (rc %s):\n%s\n%s" % (
                playbook.name, proc.returncode, proc.stdout[-3000:], proc.stderr[-2000:]))
        return json.loads(report.read_text())

    def run_playbook(self, playbook: Path, inventory: str = "localhost,", forks: int | None = None,
                     extra_env: dict | None = None, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
        cmd = [self.playbook_bin, "-i", inventory, str(playbook)]
        if forks:
            cmd += ["--forks", str(forks)]
        env = dict(self.env, **(extra_env or {}))
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=self.workdir, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if check and proc.returncode != 0:
            raise RuntimeError("ansible-playbook %s failed (rc %s):\n%s\n%s" % (
                playbook.name, proc.returncode, proc.stdout[-3000:], proc.stderr[-2000:]))
        return elapsed, proc

    def run_adhoc(self, module: str, args: dict, extra_env: dict | None = None) -> tuple[float, int, subprocess.CompletedProcess]:
        """Run ``ansible localhost -m module -a JSON``; returns wall time, peak RSS (KiB) of the
        largest process of the run (controller or module), and the process."""
        cmd = [self.adhoc_bin, "localhost", "-i", "localhost,", "-c", "local", "-m", module]
        if args:
            cmd += ["-a", json.dumps(args)]
        env = dict(self.env, **(extra_env or {}))
        return measure_rss(cmd, env=env, cwd=self.workdir)


def measure_rss(cmd: list, env: dict | None = None, cwd=None) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``cmd`` in a fresh helper process so RUSAGE_CHILDREN covers this run only.

    Returns (wall seconds, peak RSS in KiB of the largest process in the tree, process)."""
    helper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "t = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'rc': p.returncode, 'wall': t, 'maxrss': r, 'out': p.stdout, 'err': p.stderr}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", helper, *cmd], env=env, cwd=cwd, capture_output=True, text=True,
                          check=False)
    data = json.loads(proc.stdout)
    done = subprocess.CompletedProcess(cmd, data["rc"], data["out"], data["err"])
    return data["wall"], data["maxrss"], done


def _has_collection(paths: str) -> bool:
    return any((Path(p) / "ansible_collections" / "hasura" / "cloud" / "galaxy.yml").exists()
               for p in paths.split(os.pathsep) if p)


def recap(stdout: str) -> dict:
    """The PLAY RECAP counters summed over hosts: ok, changed, failed, ..."""
    totals: dict = {}
    in_recap = False
    for line in stdout.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap = True
            continue
        if in_recap and ":" in line:
            for field in line.split(":", 1)[1].split():
                if "=" in field:
                    key, _sep, value = field.partition("=")
                    if value.isdigit():
                        totals[key] = totals.get(key, 0) + int(value)
    return totals


def modules_present() -> list:
    """The module files the benchmark needs that do not exist yet."""
    wanted = ["hasura_tenant.py", "hasura_tenant_env.py"]
    return [m for m in wanted if not (REPO / "plugins" / "modules" / m).exists()]
