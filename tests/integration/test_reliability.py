# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reliability suite (issue 6): concurrency, faults, restart, bad input, secrets.

Every test is a real ``ansible-playbook`` run (``-vvv``) against the emulator, with its
fault flags where the test is about faults. Every run's stdout and stderr, and the results
the callback recorded, are scanned for the secrets the run used: the token, the
``database_url`` and every env value, short ones included (see ``SecretScan``). A positive
control proves the scanner finds such values where a module does return them.

Faults are seeded, so each fault test sees one fixed sequence of faulted answers: the
``max_retries`` each test uses is computed from that sequence with the emulator's own
``FaultSettings`` code (``longest_fault_run``), and asserted, so the test is deterministic
rather than likely to pass.
"""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import threading
import uuid

import pytest

from integration_harness import ROOT, AnsibleRunner, Emulator  # pylint: disable=import-error

HEX40 = re.compile(r"^[0-9a-f]{40}$")
VERBOSITY = 3

# Env values used by this suite, short ones on purpose: Ansible masks no_log values as
# substrings, so "1" or "true" would garble hashes and key names if the module let them.
SHORT_VALUES = ("1", "true", "0", "a")

SCANNED = {"runs": 0, "secrets": 0}

# Every test here (the -vvv secret scans included) runs on both execution paths and their results are compared (differential.py).
pytestmark = pytest.mark.both_paths


# --------------------------------------------------------------------------- secret scanning


class SecretScan:
    """Which strings must never appear in a run's output.

    Long secrets (the token, the database URL, its password, long env values) are searched
    as plain substrings. A bare short value such as ``1`` appears everywhere in -vvv output
    (PIDs, timings, ``changed=1``), so short values are searched the way a leaked value
    would be printed by Ansible: as a JSON string (``"1"``), which the module's result,
    its echoed arguments and the diff would contain. ``test_scanner_finds_leaked_values``
    shows both forms are found when a module does print values.
    """

    def __init__(self, *secrets: str):
        self.plain: set[str] = set()
        self.quoted: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if len(secret) >= 8:
            self.plain.add(secret)
        else:
            self.quoted.add(json.dumps(secret))

    def hits(self, text: str) -> list[str]:
        found = [s for s in self.plain if s in text]
        found += [q for q in self.quoted if q in text]
        return found

    @property
    def size(self) -> int:
        return len(self.plain) + len(self.quoted)


def run_texts(run) -> str:
    return "\n".join((run.stdout, run.stderr, json.dumps(run.results)))


def scanned(run, scan: SecretScan):
    """Assert 0 hits of the run's secrets in its output and recorded results; return run."""
    hits = scan.hits(run_texts(run))
    assert not hits, "secrets %s appear in the output of %s" % (hits, " ".join(run.command))
    SCANNED["runs"] += 1
    SCANNED["secrets"] += scan.size
    return run


@pytest.fixture
def scan(emulator):
    """A SecretScan already holding the token."""
    return SecretScan(emulator.token)


@pytest.fixture
def vrun(run_playbook, scan):
    """run_playbook at -vvv, then scanned for ``scan``'s secrets."""

    def runner(playbook, **kwargs):
        kwargs.setdefault("verbosity", VERBOSITY)
        return scanned(run_playbook(playbook, **kwargs), scan)

    return runner


def assert_hash(value):
    assert isinstance(value, str) and HEX40.match(value), "garbled hash %r" % (value,)


# --------------------------------------------------------------------------- seeded faults


def _fault_settings_class():
    emulator_dir = ROOT / "tests" / "emulator"
    if str(emulator_dir) not in sys.path:
        sys.path.insert(0, str(emulator_dir))  # the emulator imports its sibling emulator_tables
    spec = importlib.util.spec_from_file_location("hasura_cloud_emulator_for_faults", emulator_dir / "hasura_cloud_emulator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Settings


def longest_fault_run(settings: dict, requests: int = 400) -> tuple[int, int]:
    """Replay the emulator's own draws for ``settings`` (with a seed): the longest run of
    consecutive faulted answers, and how many of the first ``requests`` are faulted."""
    faults = _fault_settings_class()()
    faults.update(settings)
    longest = current = total = 0
    for _request in range(requests):
        faulted = faults.draw_drop() or faults.draw_error_status() is not None
        current = current + 1 if faulted else 0
        total += faulted
        longest = max(longest, current)
    return longest, total


def env_playbook(tasks_yaml: str) -> str:
    return ("- hosts: localhost\n  gather_facts: false\n  tasks:\n" + tasks_yaml)


# --------------------------------------------------------------------------- concurrency


def run_parallel(emulator, tmp_path, playbooks, scan, execution_path):
    """Start every playbook at once (one ansible-playbook process each); return the runs."""
    runs = [None] * len(playbooks)
    barrier = threading.Barrier(len(playbooks))

    def worker(index):
        runner = AnsibleRunner(emulator, tmp_path / ("parallel-%d" % index), execution_path)
        runner.workdir.mkdir()
        barrier.wait()
        runs[index] = runner.playbook(playbooks[index], verbosity=VERBOSITY)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(playbooks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [scanned(run, scan) for run in runs]


@pytest.mark.differential_exempt("the hashes each writer sees depend on the order the parallel runs land")
def test_parallel_writers_lose_no_update(emulator, tmp_path, tenant_name, scan, execution_path, differential):
    tenant_id = emulator.create_tenant(tenant_name, env={"EXISTING": "e-" + uuid.uuid4().hex})
    values = {"PAR_%d" % i: "par-value-%d-%s" % (i, uuid.uuid4().hex[:8]) for i in range(5)}
    for value in values.values():
        scan.add(value)
    books = [env_playbook(
        "    - name: Set own key\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_id: %s\n"
        "        env: {%s: %s}\n"
        "        max_retries: 5\n" % (tenant_id, key, value)) for key, value in values.items()]
    runs = run_parallel(emulator, tmp_path, books, scan, execution_path)
    for run, key in zip(runs, values):
        run.assert_ok()
        assert run.changed("Set own key")
        result = run.result("Set own key")
        assert result["added"] == [key], result
        assert_hash(result["hash"])
    _hash, env = emulator.get_env(tenant_id)
    assert {k: env.get(k) for k in values} == values, "lost updates: %s" % env
    assert "EXISTING" in env


@pytest.mark.differential_exempt("which racing writer wins depends on the order the parallel runs land")
def test_racing_writers_leave_exactly_one_value(emulator, tmp_path, tenant_name, scan, execution_path, differential):
    tenant_id = emulator.create_tenant(tenant_name, env={"OTHER": "o"})
    candidates = ["race-%d-%s" % (i, uuid.uuid4().hex[:8]) for i in range(5)]
    for value in candidates:
        scan.add(value)
    books = [env_playbook(
        "    - name: Race\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_id: %s\n"
        "        env: {RACED: %s}\n"
        "        max_retries: 5\n" % (tenant_id, value)) for value in candidates]
    runs = run_parallel(emulator, tmp_path, books, scan, execution_path)
    for run in runs:
        run.assert_ok()
        assert_hash(run.result("Race")["hash"])
    final_hash = emulator.get_env(tenant_id)[0]
    env = emulator.app_env(tenant_id)
    assert env["RACED"] in candidates
    assert set(env) == {"OTHER", "RACED"} and env["OTHER"] == "o"
    # Each run wrote its own value, so each reported a change; the last writer's returned
    # hash is the final one, and that writer's value is the one that remains.
    assert all(run.changed("Race") for run in runs)
    last = [i for i, run in enumerate(runs) if run.result("Race")["hash"] == final_hash]
    assert len(last) == 1 and candidates[last[0]] == env["RACED"], (last, env)


# --------------------------------------------------------------------------- faults


FAULT_SEED = 20260601


def faulted_tasks(tenant_name, renamed, tenant_id, env_name, retries, value):
    return env_playbook(
        "    - name: Create under faults\n"
        "      hasura.cloud.hasura_tenant: {name: %(name)s, cloud: aws, region: us-east-1, max_retries: %(r)d}\n"
        "      register: created\n"
        "    - name: Tenant no-op under faults\n"
        "      hasura.cloud.hasura_tenant: {tenant_id: '{{ created.tenant.id }}', name: %(name)s,"
        " max_retries: %(r)d}\n"
        "    - name: Env change under faults\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_id: %(tid)s\n"
        "        env: {FAULT_A: '%(v)s', FAULT_B: 'true', FAULT_C: '1'}\n"
        "        max_retries: %(r)d\n"
        "    - name: Env removal under faults\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_id: %(tid)s\n"
        "        env: {FAULT_B: ''}\n"
        "        state: absent\n"
        "        max_retries: %(r)d\n"
        "    - name: Env no-op by name under faults\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_name: %(tname)s\n"
        "        env: {FAULT_A: '%(v)s', FAULT_C: 1}\n"
        "        max_retries: %(r)d\n"
        "    - name: Rename under faults\n"
        "      hasura.cloud.hasura_tenant: {tenant_id: '{{ created.tenant.id }}', name: %(renamed)s,"
        " max_retries: %(r)d}\n"
        "    - name: Delete under faults\n"
        "      hasura.cloud.hasura_tenant: {name: %(renamed)s, state: absent, max_retries: %(r)d}\n"
        % {"name": tenant_name, "renamed": renamed, "tid": tenant_id, "tname": env_name, "r": retries, "v": value})


@pytest.mark.parametrize("kind, settings", [
    ("503-429", {"error_rate": 0.3, "error_statuses": [503, 429], "retry_after": 1, "seed": FAULT_SEED}),
    ("dropped", {"drop_rate": 0.3, "seed": FAULT_SEED}),
], ids=["503-429-with-retry-after", "dropped-connections"])
def test_tasks_converge_under_faults(emulator, vrun, scan, unique_name, kind, settings):
    # Deterministic: the seed fixes the sequence of faulted answers. Every request the tasks
    # make is one draw, in order (one playbook, one task at a time). max_retries is one more
    # than the longest run of consecutive faulted answers in that sequence, so no request
    # (and no env write round) can exhaust its retries.
    longest, total = longest_fault_run(settings)
    retries = longest + 2
    assert 3 <= retries <= 9 and total > 60, (longest, total)
    name, renamed, env_name = unique_name("f"), unique_name("r"), unique_name("e")
    env_tenant = emulator.create_tenant(env_name, env={"FAULT_B": "x", "KEEP": "k"})
    value = "fault-value-" + uuid.uuid4().hex
    scan.add(value)
    emulator.reset()
    emulator.set_faults(**settings)
    try:
        run = vrun(faulted_tasks(name, renamed, env_tenant, env_name, retries, value))
    finally:
        emulator.set_faults(error_rate=0.0, drop_rate=0.0, seed=None)
    stats = emulator.stats()
    run.assert_ok()
    faults = sum(stats["faults"].values())
    print("%s: longest run of faulted answers %d, max_retries %d; %d faults in %d requests: %s"
          % (kind, longest, retries, faults, stats["requests"], stats["faults"]))
    assert faults >= 3, "too few faults to prove anything: %s" % stats
    assert run.changed("Create under faults") and not run.changed("Tenant no-op under faults")
    assert run.changed("Env change under faults") and run.changed("Env removal under faults")
    assert not run.changed("Env no-op by name under faults")
    assert run.changed("Rename under faults") and run.changed("Delete under faults")
    assert emulator.app_env(env_tenant) == {"FAULT_A": value, "FAULT_C": "1", "KEEP": "k"}
    assert tenants_named(emulator, name, renamed) == []
    result = run.result("Env change under faults")
    assert_hash(result["hash"])
    assert result["added"] == ["FAULT_A", "FAULT_C"] and result["updated"] == ["FAULT_B"], result


def tenants_named(emulator, *names):
    data = emulator.graphql("query ($names: [String!]) { projects(where: {name: {_in: $names}}) { id name } }",
                            {"names": list(names)})
    return data["projects"]


def test_lost_create_answer_leaves_exactly_one_project(emulator, vrun, scan, tenant_name):
    database_url = "postgres://app:Db-pw-%s@db.internal:5432/app" % uuid.uuid4().hex
    scan.add(database_url)
    scan.add(database_url.split(":")[2].split("@")[0])  # the password alone
    emulator.reset()
    emulator.set_faults(lose_answer={"createTenant": 1})
    run = vrun(env_playbook(
        "    - name: Create, answer lost\n"
        "      hasura.cloud.hasura_tenant:\n"
        "        name: %s\n"
        "        cloud: aws\n"
        "        region: us-east-1\n"
        "        database_url: %s\n" % (tenant_name, database_url)))
    stats = emulator.stats()
    run.assert_ok()
    assert stats["faults"]["lost_answers"] == 1, stats
    assert stats["operations"].get("createTenant") == 1, "createTenant re-sent blindly: %s" % stats
    assert run.changed("Create, answer lost")
    projects = tenants_named(emulator, tenant_name)
    assert len(projects) == 1, projects
    assert run.result("Create, answer lost")["tenant"]["name"] == tenant_name


# --------------------------------------------------------------------------- restart


def test_restart_from_state_file_keeps_everything(emulator, vrun, scan, tenant_name):
    value = "restart-" + uuid.uuid4().hex
    scan.add(value)
    book = env_playbook(
        "    - name: Project\n"
        "      hasura.cloud.hasura_tenant: {name: %s, cloud: gcp, region: europe-west1, plan: cloud_payg}\n"
        "    - name: Env\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_name: %s\n"
        "        env: {R_LONG: %s, R_ONE: '1', R_TRUE: true}\n" % (tenant_name, tenant_name, value))
    first = vrun(book)
    first.assert_ok()
    assert first.changed("Project") and first.changed("Env")
    emulator.restart()
    second = vrun(book)
    second.assert_ok()
    assert not second.changed("Project") and not second.changed("Env")
    assert second.result("Project")["tenant"]["id"] == first.result("Project")["tenant"]["id"]
    assert second.result("Env")["hash"] == first.result("Env")["hash"]
    assert_hash(second.result("Env")["hash"])
    assert second.result("Env")["unchanged"] == ["R_LONG", "R_ONE", "R_TRUE"]


# --------------------------------------------------------------------------- bad input


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def tls_emulator(tmp_path):
    """A second emulator serving HTTPS with a self-signed certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    instance = Emulator(tmp_path / "tls", extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    instance.workdir.mkdir()
    instance.start()
    try:
        assert instance.url.startswith("https://")
        yield instance
    finally:
        instance.stop()


ENV = "hasura.cloud.hasura_tenant_env"
TENANT = "hasura.cloud.hasura_tenant"
UNKNOWN_ID = "7a79cf94-0e53-4520-a560-1b02bf522f08"

# (case, module, options, substring of msg). {tenant}, {closed}, {tls} are filled in.
BAD_INPUT = [
    ("invalid UUID (env)", ENV, {"tenant_id": "not-a-uuid", "env": {"A": "1"}}, "tenant_id must be a UUID"),
    ("invalid UUID (tenant)", TENANT, {"tenant_id": "1234", "name": "x"}, "tenant_id must be a UUID"),
    ("empty project name", TENANT, {"name": "", "cloud": "aws", "region": "us-east-1"}, "name"),
    ("bad project name", TENANT, {"name": "Bad_Name!", "cloud": "aws", "region": "us-east-1"}, "Bad_Name!"),
    ("bad env key name", ENV, {"tenant_id": "{tenant}", "env": {"1BAD-KEY": "1"}}, "not a valid variable name"),
    ("null env value", ENV, {"tenant_id": "{tenant}", "env": {"NULL_VALUE": None}}, "NULL_VALUE"),
    ("list env value", ENV, {"tenant_id": "{tenant}", "env": {"LIST_VALUE": ["1", "true"]}}, "LIST_VALUE"),
    ("dict env value", ENV, {"tenant_id": "{tenant}", "env": {"DICT_VALUE": {"k": "true"}}}, "DICT_VALUE"),
    ("missing token", ENV, {"tenant_id": "{tenant}", "env": {"A": "1"}}, "api_token is required"),
    ("wrong token", ENV, {"tenant_id": "{tenant}", "env": {"A": "1"}, "api_token": "wrong-token-{nonce}"},
     "authentication failed"),
    ("unknown tenant (env by id)", ENV, {"tenant_id": UNKNOWN_ID, "env": {"A": "1"}}, UNKNOWN_ID),
    ("unknown tenant (env by name)", ENV, {"tenant_name": "no-such-project-{nonce}", "env": {"A": "1"}},
     "not found"),
    ("unknown tenant (tenant by id)", TENANT, {"tenant_id": UNKNOWN_ID}, "not found"),
    ("unreachable api_url", ENV, {"tenant_id": "{tenant}", "env": {"A": "1"}, "max_retries": 1,
                                  "api_url": "http://127.0.0.1:{closed}/v1/graphql"}, "cannot connect"),
    ("TLS failure, validate_certs", ENV, {"tenant_id": "{tenant}", "env": {"A": "1"}, "validate_certs": True,
                                          "api_url": "{tls}"}, "TLS verification failed"),
    ("timeout", ENV, {"tenant_id": "{tenant}", "env": {"A": "1"}, "timeout": 1, "max_retries": 0},
     "within 1 seconds"),
]
# Cases that need their own run: a different environment or emulator setting.
SEPARATE = {"missing token": {"env": {"HASURA_CLOUD_PAT": None}}, "timeout": {"faults": {"latency_ms": 2500}}}


def fill(value, subs):
    if isinstance(value, str):
        for key, sub in subs.items():
            value = value.replace("{%s}" % key, sub)
        return value
    if isinstance(value, dict):
        return {k: fill(v, subs) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, subs) for v in value]
    return value


def test_bad_input_matrix(emulator, run_playbook, scan, tenant_name, tls_emulator, differential):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1"})
    subs = {"tenant": tenant_id, "closed": str(closed_port()), "tls": tls_emulator.url, "nonce": uuid.uuid4().hex[:8]}
    for generated in (subs["closed"], tls_emulator.port, subs["nonce"]):
        differential.add_value(generated)
    scan.add("wrong-token-" + subs["nonce"])
    for value in ("1", "true"):  # the env values of the cases
        scan.add(value)
    scan.add(tls_emulator.token)
    cases = [(case, module, fill(options, subs), expected) for case, module, options, expected in BAD_INPUT]

    def play(selected):
        tasks = [{"name": case, module: options, "ignore_errors": True} for case, module, options, _expected in selected]
        return json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], indent=1) + "\n"

    outcomes = {}
    batch = [c for c in cases if c[0] not in SEPARATE]
    runs = [(batch, run_playbook(play(batch), verbosity=VERBOSITY))]
    for case in [c for c in cases if c[0] in SEPARATE]:
        setup = SEPARATE[case[0]]
        if "faults" in setup:
            emulator.set_faults(**setup["faults"])
        try:
            runs.append(([case], run_playbook(play([case]), verbosity=VERBOSITY, env=setup.get("env"))))
        finally:
            if "faults" in setup:
                emulator.set_faults(latency_ms=0)
    for selected, run in runs:
        scanned(run, scan)
        text = run.stdout + run.stderr
        assert "Traceback" not in text and "MODULE FAILURE" not in text, run.output()
        for case, _module, _options, expected in selected:
            record = run.record(case)
            msg = record["result"].get("msg", "")
            outcomes[case] = (record["failed"], msg, expected)

    lines, good = [], 0
    for case, (failed, msg, expected) in outcomes.items():
        # One line, the expected text, and not garbled by no_log masking ("127.0.0.********").
        ok = (failed and isinstance(msg, str) and expected in msg and "\n" not in msg.strip()
              and "********" not in msg)
        good += ok
        lines.append("%-4s %-32s %s" % ("ok" if ok else "BAD", case, msg))
    print("bad input matrix: %d of %d cases fail with one clear msg\n  %s" % (good, len(BAD_INPUT), "\n  ".join(lines)))
    assert len(outcomes) == len(BAD_INPUT)
    assert good == len(BAD_INPUT), "\n".join(lines)


# --------------------------------------------------------------------------- secrets


def test_short_values_do_not_garble_results(emulator, vrun, scan, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    env = {"S_ONE": "1", "S_TRUE": True, "S_ZERO": "0", "S_A": "a", "S_BOOL_FALSE": False, "S_NUM": 1}
    for value in SHORT_VALUES + ("false",):
        scan.add(value)
    book = env_playbook(
        "    - name: Short values\n"
        "      hasura.cloud.hasura_tenant_env:\n"
        "        tenant_id: %s\n"
        "        env: %s\n" % (tenant_id, json.dumps(env)))
    first = vrun(book, diff=True)
    first.assert_ok()
    result = first.result("Short values")
    assert_hash(result["hash"])
    assert_hash(result["previous_hash"])
    assert result["added"] == sorted(env), result
    assert result["tenant_id"] == tenant_id
    assert emulator.get_env(tenant_id)[0] == result["hash"]
    second = vrun(book, diff=True)
    second.assert_ok()
    assert not second.changed("Short values")
    assert second.result("Short values")["unchanged"] == sorted(env)
    assert second.result("Short values")["hash"] == result["hash"]


def test_scanner_finds_leaked_values(emulator, run_playbook, tenant_name, differential):
    """Positive control: where a module does return values (env_info, by design), the
    scanner finds the short and the long ones, so 0 hits elsewhere means something."""
    long_value = "control-" + uuid.uuid4().hex
    differential.add_value(long_value)
    tenant_id = emulator.create_tenant(tenant_name, env={"C_ONE": "1", "C_TRUE": "true", "C_LONG": long_value})
    run = run_playbook(env_playbook(
        "    - name: Read values\n"
        "      hasura.cloud.hasura_tenant_env_info: {tenant_id: %s}\n" % tenant_id), verbosity=VERBOSITY)
    run.assert_ok()
    scan = SecretScan("1", "true", long_value)
    assert sorted(scan.hits(run.stdout)) == sorted(['"1"', '"true"', long_value]), run.stdout


def test_zz_secret_scan_summary():
    print("secret scan: %d -vvv runs scanned, %d secret checks, 0 hits" % (SCANNED["runs"], SCANNED["secrets"]))
    if SCANNED["runs"] == 0:
        pytest.skip("no run of this module was scanned (the suite was filtered)")
