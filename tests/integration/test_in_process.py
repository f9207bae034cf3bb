# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a hasura.cloud task runs (issue 12): in the worker, or as a module process.

Which path a run took is proven from outside, with nothing added to any result: the runs
keep their remote files (``ANSIBLE_KEEP_REMOTE_FILES``), and a module process always leaves
its ``AnsiballZ_<module>.py`` payload there while an in-process run leaves none
(``AnsibleRun.payloads``). The reason the action plugin logs at ``-vvvv`` is checked too.
The last tests of this file run on both paths, compared like the rest of the differential
suite (``differential.py``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import yaml

from integration_harness import VENV_BIN, AnsibleRunner  # pylint: disable=import-error

INFO = "hasura.cloud.hasura_tenant_info"
ENV = "hasura.cloud.hasura_tenant_env"
TASK = "The task"
IN_WORKER = "hasura.cloud: %s runs in the worker process"
AS_PROCESS = "hasura.cloud: %s runs as a module process: %s"


@pytest.fixture
def run_kept(emulator, tmp_path):
    """run_playbook with the collection's default path, remote files kept to show which path ran."""
    return AnsibleRunner(emulator, tmp_path, keep_remote_files=True).playbook


@pytest.fixture
def project(emulator, tenant_name):
    """An existing project with one variable: (tenant id, name)."""
    return emulator.create_tenant(tenant_name, env={"A": "1"}), tenant_name


def play(task, hosts="localhost", **play_keys):
    return yaml.safe_dump([dict({"hosts": hosts, "gather_facts": False, "tasks": [dict({"name": TASK}, **task)]},
                                **play_keys)], sort_keys=False)


def info_task(name, **keys):
    return dict({INFO: {"name": name}}, **keys)


def assert_in_worker(run, action=INFO):
    assert run.payloads == [], run.output()
    assert IN_WORKER % action in run.stdout, run.output()


def assert_module_process(run, reason, action=INFO):
    assert run.payloads == ["AnsiballZ_%s.py" % action.split(".")[-1]], run.output()
    assert AS_PROCESS % (action, reason) in run.stdout, run.output()


def test_by_default_a_local_task_runs_in_the_worker(emulator, run_kept, project):
    tenant_id, name = project
    emulator.reset()
    run = run_kept(play(info_task(name)), verbosity=4).assert_ok()
    assert_in_worker(run)
    assert run.result(TASK)["tenants"][0]["id"] == tenant_id
    assert emulator.stats()["requests"] == 1
    assert "EXEC" not in run.stdout  # no command at all: no module process, no temporary directory


def test_the_variable_turns_it_off_and_the_result_is_the_same(run_kept, project):
    _tenant_id, name = project
    default = run_kept(play(info_task(name)), verbosity=4).assert_ok()
    off = run_kept(play(info_task(name), vars={"hasura_cloud_in_process": False}), verbosity=4).assert_ok()
    assert_in_worker(default)
    assert_module_process(off, "turned off by variable hasura_cloud_in_process")
    assert off.result(TASK) == default.result(TASK)


def test_the_environment_variable_turns_it_off_and_the_variable_wins(run_kept, project):
    _tenant_id, name = project
    off = run_kept(play(info_task(name)), verbosity=4, env={"HASURA_CLOUD_IN_PROCESS": "false"}).assert_ok()
    assert_module_process(off, "turned off by environment variable HASURA_CLOUD_IN_PROCESS")
    back_on = run_kept(play(info_task(name, vars={"hasura_cloud_in_process": "yes"})), verbosity=4,
                       env={"HASURA_CLOUD_IN_PROCESS": "false"}).assert_ok()
    assert_in_worker(back_on)


@pytest.mark.parametrize("env, keys, source", [
    ({"HASURA_CLOUD_IN_PROCESS": "flase"}, {}, "environment variable HASURA_CLOUD_IN_PROCESS"),
    ({}, {"vars": {"hasura_cloud_in_process": "sometimes"}}, "variable hasura_cloud_in_process"),
], ids=["environment-variable", "variable"])
def test_a_setting_that_is_not_a_boolean_fails_before_anything_runs(emulator, run_kept, project, env, keys, source):
    emulator.reset()
    run = run_kept(play(info_task(project[1], **keys)), env=env)
    assert run.status(TASK) == "failed"
    assert run.result(TASK)["msg"].startswith("%s must be a boolean (true or false), got '" % source)
    assert run.payloads == [] and emulator.stats()["requests"] == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="become with su needs no password only for root")
def test_become_runs_as_a_module_process(run_kept, project):
    _tenant_id, name = project
    run = run_kept(play(info_task(name, become=True, become_method="su")), verbosity=4).assert_ok()
    assert_module_process(run, "the task uses become")
    assert run.result(TASK)["tenants"][0]["name"] == name


def test_async_runs_as_a_module_process(run_kept, project):
    _tenant_id, name = project
    run = run_kept(play(info_task(name, **{"async": 60, "poll": 1})), verbosity=4).assert_ok()
    assert_module_process(run, "the task uses async")
    result = run.result(TASK)
    assert result["ansible_job_id"] and result["finished"]  # only async_wrapper answers like this
    assert result["tenants"][0]["name"] == name


def test_a_remote_host_runs_the_module_over_its_connection(emulator, run_kept, tmp_path, project):
    """An ssh host pointed at nothing: the module path's own UNREACHABLE, no request; delegated
    to localhost, the same task runs in the worker."""
    _tenant_id, name = project
    inventory = tmp_path / "remote.ini"
    inventory.write_text("remote ansible_host=127.0.0.2 ansible_port=1 ansible_connection=ssh ansible_user=nobody "
                         "ansible_ssh_common_args='-o ConnectTimeout=5'\n", encoding="utf-8")
    emulator.reset()
    run = run_kept(play(info_task(name), hosts="remote"), inventory=inventory, verbosity=4)
    record = run.record(TASK)
    assert record["status"] == "unreachable", run.output()
    assert "ssh" in record["result"]["msg"] and "port 1" in record["result"]["msg"], record
    assert AS_PROCESS % (INFO, "the connection is ssh, not local") in run.stdout
    assert emulator.stats()["requests"] == 0

    delegated = run_kept(play(info_task(name, delegate_to="localhost"), hosts="remote"), inventory=inventory,
                         verbosity=4).assert_ok()
    assert_in_worker(delegated)
    assert delegated.result(TASK)["tenants"][0]["name"] == name


def test_another_python_runs_the_module_itself(run_kept, tmp_path, project):
    """ansible_python_interpreter naming another Python: that Python runs the module, with
    what it can import (here no requests: the module's own missing_required_lib failure)."""
    _tenant_id, name = project
    other = tmp_path / "python-without-site-packages"
    other.write_text('#!/bin/sh\nexec %s -S "$@"\n' % sys.executable, encoding="utf-8")
    other.chmod(0o755)
    run = run_kept(play(info_task(name, vars={"ansible_python_interpreter": str(other)})), verbosity=4)
    assert_module_process(run, "the task's Python interpreter %s is not the controller's" % other)
    assert "Failed to import the required Python library (requests)" in run.result(TASK)["msg"]


def test_an_interpreter_templated_to_ansible_playbook_python_runs_in_the_worker(run_kept, tmp_path, project):
    _tenant_id, name = project
    inventory = tmp_path / "templated.ini"
    inventory.write_text("localhost ansible_connection=local "
                         "ansible_python_interpreter='{{ ansible_playbook_python }}'\n", encoding="utf-8")
    run = run_kept(play(info_task(name)), inventory=inventory, verbosity=4).assert_ok()
    assert_in_worker(run)


def test_interpreter_discovery_runs_the_module_itself(run_kept, tmp_path, project):
    """No ansible_python_interpreter on an inventory host: the module path discovers one."""
    _tenant_id, name = project
    inventory = tmp_path / "discovery.ini"
    inventory.write_text("localhost ansible_connection=local\n", encoding="utf-8")
    run = run_kept(play(info_task(name)), inventory=inventory, verbosity=4)
    assert_module_process(run, "the Python interpreter is left to discovery; set ansible_python_interpreter to "
                               "'{{ ansible_playbook_python }}' to run in the worker")


def test_requests_missing_in_the_worker_runs_the_module_itself(run_kept, tmp_path, project):
    """Decided before the module starts: the module process then reports requests missing itself."""
    _tenant_id, name = project
    hidden = tmp_path / "hide-requests" / "requests"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("requests is hidden by this test")\n', encoding="utf-8")
    run = run_kept(play(info_task(name)), verbosity=4, env={"PYTHONPATH": str(hidden.parent)})
    assert_module_process(run, "requests cannot be imported by the controller's Python (ImportError)")
    assert run.result(TASK)["msg"].startswith("Failed to import the required Python library (requests)")


def test_ansible_doc_documents_the_execution_mode(emulator, tmp_path):
    runner = AnsibleRunner(emulator, tmp_path)
    proc = subprocess.run([str(VENV_BIN / "ansible-doc"), ENV], cwd=tmp_path, capture_output=True, text=True,
                          env=runner.environment(tmp_path / "unused.json", None), check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "HASURA_CLOUD_IN_PROCESS" in text and "hasura_cloud_in_process" in text, proc.stdout


# --------------------------------------------------------------------------- the same on both paths


@pytest.mark.both_paths
@pytest.mark.core_smoke
def test_loop_items_share_no_environment_and_no_warnings(emulator, run_playbook, project):
    """Per loop item: the task's environment applied and undone, warnings not carried over.

    The token comes only from the task environment: the right one for items 1 and 4, none
    for item 2, a wrong one for item 3 (so nothing of item 1's credentials may linger in the
    worker); item 1 also sets the token twice (option and alias), which Ansible warns about.
    """
    tenant_id, _name = project
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: %s
      hasura.cloud.hasura_tenant_env:
        tenant_id: %s
        env: {A: "1"}
        api_token: "{{ item.both | ternary(lookup('ansible.builtin.env', 'TEST_TOKEN'), omit) }}"
        pat: "{{ item.both | ternary(lookup('ansible.builtin.env', 'TEST_TOKEN'), omit) }}"
      environment: "{{ item.environment }}"
      loop:
        - {both: true, environment: {HASURA_CLOUD_PAT: "{{ lookup('ansible.builtin.env', 'TEST_TOKEN') }}"}}
        - {both: false, environment: {}}
        - {both: false, environment: {HASURA_CLOUD_PAT: wrong-token-for-item-3}}
        - {both: false, environment: {HASURA_CLOUD_PAT: "{{ lookup('ansible.builtin.env', 'TEST_TOKEN') }}"}}
      loop_control: {label: "{{ item.both }}"}
      ignore_errors: true
""" % (TASK, tenant_id)
    run = run_playbook(playbook, env={"HASURA_CLOUD_PAT": None, "TEST_TOKEN": emulator.token})
    items = run.result(TASK)["results"]
    # (ansible-core 2.21 hands callbacks loop items without their "failed" flag: judge by content)
    assert ["hash" in item for item in items] == [True, False, False, True], items
    # Callbacks get the warnings apart from the results: one, shown once, for item 1.
    assert (run.stdout + run.stderr).count("Both option api_token and its alias pat are set.") == 1, run.output()
    assert items[1]["msg"].startswith("api_token is required")
    assert items[2]["msg"].startswith("authentication failed")
    assert emulator.token not in run.stdout + run.stderr


@pytest.fixture
def silent_url():
    """An API URL whose server accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield "http://127.0.0.1:%d/v1/graphql" % server.getsockname()[1]


@pytest.mark.both_paths
def test_the_task_timeout_stops_the_task(run_playbook, project, silent_url, differential):
    """The task keyword ``timeout``: the same failure on both paths. (A module process left
    behind by the timeout goes on waiting for its answer, so this server answers nothing.)"""
    differential.add_value(silent_url)
    run = run_playbook(play({INFO: {"name": project[1], "api_url": silent_url, "timeout": 20},
                             "timeout": 1, "ignore_errors": True}))
    assert run.status(TASK) == "failed"
    msg = run.result(TASK)["msg"]
    # ansible-core 2.19+ / older cores
    assert "Timed out after 1 second" in msg or "in the expected time frame (1) and was terminated" in msg, msg
