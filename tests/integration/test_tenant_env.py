# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_tenant_env and hasura_tenant_env_info through real ansible-playbook / ansible runs.

Tenants are created and checked through the emulator's side channel (``emulator.graphql``),
never through the module under test. Request counts come from ``/_emulator/stats``, reset
just before the run they measure.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from integration_harness import AnsibleRunner  # pylint: disable=import-error

APPLY = "env_apply.yml"
TASK = "Apply env"

# Every test here runs on both execution paths and their results are compared (differential.py).
pytestmark = pytest.mark.both_paths


def apply(run_playbook, tenant_id=None, env=None, **options):
    extra = {"env": env or {}}
    if tenant_id is not None:
        extra["env_tenant_id"] = tenant_id
    for key, value in options.items():
        extra["env_" + key] = value
    check = extra.pop("env_check", False)
    diff = extra.pop("env_diff", False)
    return run_playbook(APPLY, extra_vars=extra, check=check, diff=diff)


# --------------------------------------------------------------------------- idempotency and request counts


def test_first_run_changes_second_does_not(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"KEEP": "k"})
    env = {"A": "1", "B": "two"}

    first, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, env))
    first.assert_ok()
    assert first.changed(TASK)
    result = first.result(TASK)
    assert result["added"] == ["A", "B"] and result["updated"] == [] and result["removed"] == []
    assert stats["requests"] == 2
    assert stats["operations"] == {"getTenantEnv": 1, "updateTenantEnv": 1}
    env_hash = emulator.get_env(tenant_id)[0]
    assert emulator.app_env(tenant_id) == {"KEEP": "k", "A": "1", "B": "two"}
    assert result["hash"] == env_hash and result["previous_hash"] != env_hash
    assert result["tenant_id"] == tenant_id

    second, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, env))
    second.assert_ok()
    assert not second.changed(TASK)
    assert second.result(TASK)["unchanged"] == ["A", "B"]
    assert second.result(TASK)["hash"] == second.result(TASK)["previous_hash"] == env_hash
    assert stats["requests"] == 1 and stats["mutations"] == 0


def test_update_then_removal_counts(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1", "OLD": "o", "HASURA_GRAPHQL_ADMIN_SECRET": "s"})

    run, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "2", "NEW": "n"}, purge=True))
    run.assert_ok()
    result = run.result(TASK)
    assert result["updated"] == ["A"] and result["added"] == ["NEW"] and result["removed"] == ["OLD"]
    assert stats["requests"] == 3
    assert stats["operations"] == {"getTenantEnv": 1, "updateTenantEnv": 1, "deleteTenantEnv": 1}
    # purge keeps HASURA_GRAPHQL_* by default
    assert emulator.get_env(tenant_id)[1] == {"A": "2", "NEW": "n", "HASURA_GRAPHQL_ADMIN_SECRET": "s"}

    again, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "2", "NEW": "n"}, purge=True))
    assert not again.assert_ok().changed(TASK)
    assert stats["requests"] == 1


def test_removal_only_counts(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1", "B": "2"})
    run, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": None}, state="absent"))
    assert run.assert_ok().changed(TASK)
    assert run.result(TASK)["removed"] == ["A"]
    assert stats["operations"] == {"getTenantEnv": 1, "deleteTenantEnv": 1}
    assert emulator.app_env(tenant_id) == {"B": "2"}


def test_purge_custom_exclude(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={
        "HASURA_GRAPHQL_ADMIN_SECRET": "s", "MY_KEEP": "k", "my_keep": "l", "DROP": "d", "A": "1"})
    run = apply(run_playbook, tenant_id, {"A": "1"}, purge=True, purge_exclude=["MY_*"]).assert_ok()
    assert run.result(TASK)["removed"] == ["DROP", "HASURA_GRAPHQL_ADMIN_SECRET", "my_keep"]
    assert emulator.app_env(tenant_id) == {"MY_KEEP": "k", "A": "1"}


def test_absent(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1", "B": "2", "C": "3"})
    run = apply(run_playbook, tenant_id, {"A": None, "C": "ignored", "MISSING": None}, state="absent").assert_ok()
    assert run.changed(TASK)
    assert run.result(TASK)["removed"] == ["A", "C"] and run.result(TASK)["unchanged"] == ["MISSING"]
    assert emulator.app_env(tenant_id) == {"B": "2"}

    again, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": None}, state="absent"))
    assert not again.assert_ok().changed(TASK)
    assert stats["requests"] == 1


def test_tenant_name_lookup(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1"})
    run, stats = emulator.measured(lambda: apply(run_playbook, env={"A": "1"}, tenant_name=tenant_name))
    assert not run.assert_ok().changed(TASK)
    assert run.result(TASK)["tenant_id"] == tenant_id
    assert stats["requests"] == 2  # one lookup, one read
    assert stats["operations"] == {"projects": 1, "getTenantEnv": 1}


# --------------------------------------------------------------------------- value types


def test_values_true_1_yes_and_numbers(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Typed values
      hasura.cloud.hasura_tenant_env:
        tenant_id: %s
        env:
          BOOL_TRUE: true
          BOOL_YES: yes
          BOOL_FALSE: false
          QUOTED_YES: "yes"
          QUOTED_TRUE: "True"
          INT_ONE: 1
          INT_BIG: 12345678901234567890
          FLOAT: 2.50
          FLOAT_EXP: 1.0e+21
          NEGATIVE: -7
          ZERO_PADDED: "007"
          TEMPLATED: "{{ 40 + 2 }}"
""" % tenant_id
    run = run_playbook(playbook).assert_ok()
    assert run.changed("Typed values")
    assert emulator.app_env(tenant_id) == {
        "BOOL_TRUE": "true", "BOOL_YES": "true", "BOOL_FALSE": "false", "QUOTED_YES": "yes", "QUOTED_TRUE": "True",
        "INT_ONE": "1", "INT_BIG": "12345678901234567890", "FLOAT": "2.5", "FLOAT_EXP": "1000000000000000000000",
        "NEGATIVE": "-7", "ZERO_PADDED": "007", "TEMPLATED": "42",
    }
    again = run_playbook(playbook).assert_ok()
    assert not again.changed("Typed values")


# --------------------------------------------------------------------------- check and diff


def test_check_mode_sends_no_mutation(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1", "OLD": "o"})
    before = emulator.get_env(tenant_id)
    run, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "2", "NEW": "n"}, purge=True,
                                                 check=True, diff=True))
    run.assert_ok()
    assert run.changed(TASK)
    result = run.result(TASK)
    assert result["added"] == ["NEW"] and result["updated"] == ["A"] and result["removed"] == ["OLD"]
    assert result["hash"] == result["previous_hash"] == before[0]
    assert result["diff"] == {"before": {"A": "<hidden>", "OLD": "<hidden>"},
                              "after": {"A": "<hidden, changed>", "NEW": "<hidden>"}}
    assert stats["mutations"] == 0
    assert stats["operations"] == {"getTenantEnv": 1}
    assert emulator.get_env(tenant_id) == before


def test_diff_mode_hides_values_unless_show_values(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "old-secret-a"})
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Hidden
      hasura.cloud.hasura_tenant_env:
        tenant_id: %(id)s
        env: {A: new-secret-a}
    - name: Shown
      hasura.cloud.hasura_tenant_env:
        tenant_id: %(id)s
        env: {A: newer-value-a}
        show_values: true
""" % {"id": tenant_id}
    run = run_playbook(playbook, diff=True).assert_ok()
    assert run.result("Hidden")["diff"] == {"before": {"A": "<hidden>"}, "after": {"A": "<hidden, changed>"}}
    assert run.result("Shown")["diff"] == {"before": {"A": "new-secret-a"}, "after": {"A": "newer-value-a"}}
    assert "old-secret-a" not in run.stdout + run.stderr


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("env, fragment", [
    ({"BAD-KEY": "x"}, "env key 'BAD-KEY' is not a valid variable name"),
    ({"LIST_VALUE": ["secret-item-1", "secret-item-2"]}, "env value of LIST_VALUE is a list"),
    ({"DICT_VALUE": {"k": "secret-nested"}}, "env value of DICT_VALUE is a dict"),
])
def test_bad_input_fails_before_any_request(emulator, run_playbook, tenant_name, env, fragment):
    tenant_id = emulator.create_tenant(tenant_name)
    run, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, env))
    msg = run.failure(TASK)["msg"]
    assert fragment in msg
    assert "secret-" not in run.stdout + run.stderr
    assert stats["requests"] == 0


def test_invalid_uuid(emulator, run_playbook):
    run, stats = emulator.measured(lambda: apply(run_playbook, "not-a-uuid", {"A": "1"}))
    assert "tenant_id must be a UUID" in run.failure(TASK)["msg"]
    assert stats["requests"] == 0


def test_unknown_tenant(emulator, run_playbook):
    missing = str(uuid.uuid4())
    msg = apply(run_playbook, missing, {"A": "1"}).failure(TASK)["msg"]
    assert "tenant %s does not exist" % missing in msg


def test_unknown_tenant_name(emulator, run_playbook, unique_name):
    msg = apply(run_playbook, env={"A": "1"}, tenant_name=unique_name("missing")).failure(TASK)["msg"]
    assert "not found" in msg


@pytest.mark.parametrize("form", ["access-denied", "invalid-jwt", "invalid-headers"])
def test_wrong_token(emulator, run_playbook, tenant_name, form):
    emulator.set_faults(auth_error=form)
    tenant_id = emulator.create_tenant(tenant_name)
    run = run_playbook(APPLY, extra_vars={"env_tenant_id": tenant_id, "env": {"A": "1"}},
                       env={"HASURA_CLOUD_PAT": "wrong-token-value"})
    msg = run.failure(TASK)["msg"]
    assert msg.startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert "wrong-token-value" not in run.stdout + run.stderr


def test_missing_token(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    run = run_playbook(APPLY, extra_vars={"env_tenant_id": tenant_id, "env": {"A": "1"}}, env={"HASURA_CLOUD_PAT": None})
    assert "api_token is required" in run.failure(TASK)["msg"]


# --------------------------------------------------------------------------- secrets in -vvv output


def test_vvv_output_holds_neither_token_nor_values(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"OLD": "old-Secret-Removed-77"})
    secrets = {"S_ONE": "1", "S_TRUE": "true", "S_A": "a", "S_ZERO": "0",
               "S_LONG": "Sup3r-Secret-Value-42", "S_URL": "postgres://user:Pa55-word-x@db:5432/app"}
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Secret env
      hasura.cloud.hasura_tenant_env:
        tenant_id: %s
        env: %s
        purge: true
""" % (tenant_id, json.dumps(secrets))
    run = run_playbook(playbook, verbosity=3, diff=True).assert_ok()
    output = run.stdout + run.stderr
    assert emulator.token not in output
    for value in ("Sup3r-Secret-Value-42", "Pa55-word-x", "old-Secret-Removed-77"):
        assert value not in output
    for value in ("1", "true", "a", "0"):
        assert '"%s"' % value not in output  # never as a JSON string in the printed result
    result = run.result("Secret env")
    env_hash = emulator.get_env(tenant_id)[0]
    assert result["hash"] == env_hash and env_hash in output  # not garbled by masking
    assert result["added"] == sorted(secrets) and result["removed"] == ["OLD"]
    assert "********" not in json.dumps(result)
    assert emulator.app_env(tenant_id) == secrets


# --------------------------------------------------------------------------- concurrency and faults


@pytest.mark.differential_exempt("which writer meets a conflict depends on how the two playbooks interleave")
def test_two_playbooks_racing_both_land(emulator, tenant_name, tmp_path, execution_path, differential):
    tenant_id = emulator.create_tenant(tenant_name, env={"BASE": "b"})
    emulator.set_faults(latency_ms=150)  # widen the window between each read and its write
    emulator.reset()
    runs = {}

    def writer(prefix):
        runner = AnsibleRunner(emulator, tmp_path / prefix, execution_path)
        (tmp_path / prefix).mkdir()
        runs[prefix] = runner.playbook("env_race.yml", extra_vars={
            "env_tenant_id": tenant_id, "race_prefix": prefix, "race_count": 4})

    threads = [threading.Thread(target=writer, args=(prefix,)) for prefix in ("LEFT", "RIGHT")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for run in runs.values():
        run.assert_ok()
    env = emulator.app_env(tenant_id)
    expected = {"BASE": "b"}
    for prefix in ("LEFT", "RIGHT"):
        expected.update({"%s_%d" % (prefix, i): "%s-value-%d" % (prefix, i) for i in range(4)})
    assert env == expected
    stats = emulator.stats()["operations"]
    # 8 keys: one read and one write each, plus a re-read (and usually a second write) for
    # every conflict or lost answer; a write is never sent without the read before it.
    assert stats["getTenantEnv"] >= stats["updateTenantEnv"] >= 8


def test_lost_answer_is_not_written_twice(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "1"})
    emulator.set_faults(lose_answer={"updateTenantEnv": 1})
    run, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "1", "B": "2"}))
    run.assert_ok()
    assert run.changed(TASK)
    assert run.result(TASK)["added"] == ["B"]
    assert stats["operations"] == {"getTenantEnv": 2, "updateTenantEnv": 1}
    assert stats["faults"]["lost_answers"] == 1
    assert emulator.app_env(tenant_id) == {"A": "1", "B": "2"}


def test_transient_errors_are_retried(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    emulator.set_faults(error_rate=0.5, error_statuses=[429, 503], retry_after=0, seed=7)
    run = apply(run_playbook, tenant_id, {"A": "1", "B": "2"}, max_retries=10).assert_ok()
    assert run.changed(TASK)
    emulator.set_faults(error_rate=0.0)
    assert emulator.app_env(tenant_id) == {"A": "1", "B": "2"}


# --------------------------------------------------------------------------- ad-hoc and info


def test_adhoc(emulator, run_adhoc, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    run = run_adhoc("hasura.cloud.hasura_tenant_env", 'tenant_name=%s env={"A":"1","B":"x"}' % tenant_name).assert_ok()
    assert run.results[-1]["status"] == "changed"
    assert emulator.app_env(tenant_id) == {"A": "1", "B": "x"}
    again = run_adhoc("hasura.cloud.hasura_tenant_env", 'tenant_name=%s env={"A":"1"}' % tenant_name).assert_ok()
    assert again.results[-1]["status"] == "ok"
    assert emulator.token not in run.stdout + again.stdout


def test_flat_env_vars_are_read_the_same(emulator, run_playbook, tenant_name):
    """Some clients see envVars flat (no environment wrapper): the modules read both shapes alike."""
    emulator.set_faults(flat_env_vars=True)
    tenant_id = emulator.create_tenant(tenant_name, env={"KEEP": "k", "OLD": "o"})
    first, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "1", "KEEP": "k"}, purge=True))
    first.assert_ok()
    result = first.result(TASK)
    assert result["added"] == ["A"] and result["unchanged"] == ["KEEP"] and result["removed"] == ["OLD"]
    assert stats["operations"] == {"getTenantEnv": 1, "updateTenantEnv": 1, "deleteTenantEnv": 1}
    second, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "1", "KEEP": "k"}, purge=True))
    assert not second.assert_ok().changed(TASK) and stats["requests"] == 1
    emulator.set_faults(flat_env_vars=False)
    assert emulator.app_env(tenant_id) == {"A": "1", "KEEP": "k"}


def test_wait_after_a_change_until_the_engine_is_back(emulator, run_playbook, tenant_name):
    """Each env change restarts the engine (/healthz 503 for restart_delay): wait returns once it answers 200."""
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "0"})
    emulator.set_faults(restart_delay=2.0)
    started = time.monotonic()
    run, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "1"}, wait=True))
    elapsed = time.monotonic() - started
    assert run.assert_ok().changed(TASK)
    assert elapsed >= 2.0
    # The endpoint came with the first read: still two API requests for a change.
    assert stats["requests"] == 2 and stats["operations"] == {"getTenantEnv": 1, "tenant_by_pk": 1, "updateTenantEnv": 1}
    tenant = emulator.get_tenant(tenant_id)
    status, _body = emulator.request("GET", tenant["project"]["endpoint"][len(emulator.base):] + "/healthz")
    assert status == 200

    again, stats = emulator.measured(lambda: apply(run_playbook, tenant_id, {"A": "1"}, wait=True))
    assert not again.assert_ok().changed(TASK) and stats["requests"] == 1


def test_wait_timeout_after_a_change_keeps_the_change(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"A": "0"})
    emulator.set_faults(restart_delay=60)
    run = apply(run_playbook, tenant_id, {"A": "1"}, wait=True, wait_timeout=1)
    msg = run.failure(TASK)["msg"]
    assert tenant_id in msg and "wait_timeout=1 seconds after its environment changed (the change is kept)" in msg
    result = run.result(TASK)
    assert result["changed"] is True and result["updated"] == ["A"]
    assert emulator.app_env(tenant_id) == {"A": "1"}


def test_info_module(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, env={"Z": "z", "A": "1"})
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Read env
      hasura.cloud.hasura_tenant_env_info:
        tenant_name: %s
      register: project_env
      no_log: true
    - name: Names only
      ansible.builtin.assert:
        that:
          - project_env.names == ['A', 'HASURA_GRAPHQL_ADMIN_SECRET', 'Z']
          - "project_env.env.A == '1' and project_env.env.Z == 'z'"
          - project_env is not changed
""" % tenant_name
    run, stats = emulator.measured(lambda: run_playbook(playbook))
    run.assert_ok()
    assert stats["operations"] == {"projects": 1, "getTenantEnv": 1}
    assert "'z'" not in run.stdout
    # check mode reads too
    check = run_playbook(playbook, check=True).assert_ok()
    assert check.status("Names only") == "ok"
    assert tenant_id
