# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of hasura.cloud.hasura_tenant and hasura_tenant_info against the emulator.

Every run is a real ``ansible-playbook`` (or ``ansible``) process; the emulator's
``/_emulator/stats`` and its GraphQL side channel check what happened on the service.
"""

from __future__ import annotations

import time

import pytest
import yaml

TASK = "Manage the project"
INFO = "Read projects"
DATABASE_URL = "postgres://app:Sup3r-Secret-DB-pw@db.internal.example:5432/app"

# Every test here runs on both execution paths and their results are compared (differential.py).
pytestmark = pytest.mark.both_paths


def play(*tasks):
    """One play on localhost with these tasks, as YAML text."""
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def projects_named(emulator, name):
    """Every project of that name, straight from the emulator."""
    data = emulator.graphql('query ($n: String!) { projects(where: {name: {_eq: $n}}) { id tenant { id } } }',
                            {"n": name})
    return data["projects"]


def requests_made(emulator):
    stats = emulator.stats()
    return stats["requests"], stats["operations"], stats["mutations"]


def assert_clean_failure(run, task, *words):
    """The task failed with one message holding ``words``, and nothing printed a traceback."""
    msg = run.failure(task)["msg"]
    for word in words:
        assert word in msg, msg
    return msg


# --- create, find, rename, delete --------------------------------------------------------------------


def test_create_then_rerun_reports_no_change(emulator, run_playbook, tenant_name):
    text = play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2", "plan": "cloud_free"}})

    emulator.reset()
    first = run_playbook(text).assert_ok()
    requests, operations, mutations = requests_made(emulator)
    assert first.changed(TASK)
    tenant = first.result(TASK)["tenant"]
    assert tenant["name"] == tenant_name and tenant["cloud"] == "aws" and tenant["region"] == "us-east-2"
    assert tenant["plan"] == "cloud_free"
    assert tenant["id"] and tenant["project_id"] and tenant["slug"]
    # The endpoint is the project's base URL, as the real service gives it.
    assert tenant["endpoint"] == "%s/projects/%s" % (emulator.base, tenant_name)
    assert tenant["slug"] == tenant_name
    # Create = look-up by name + listing of the projects that exist + createTenant (it answers the tenant).
    assert (requests, mutations) == (3, 1), operations
    assert operations == {"projects": 2, "createTenant": 1}

    emulator.reset()
    second = run_playbook(text).assert_ok()
    requests, operations, mutations = requests_made(emulator)
    assert not second.changed(TASK)
    assert second.result(TASK)["tenant"] == tenant
    assert (requests, mutations) == (1, 0), operations  # no-op by name: one request
    assert len(projects_named(emulator, tenant_name)) == 1


def test_create_by_name_then_find_by_id(emulator, run_playbook, tenant_name):
    created = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "gcp", "region": "europe-west1", "wait": False}})).assert_ok()
    tenant = created.result(TASK)["tenant"]
    assert emulator.get_tenant(tenant["id"])["project"]["name"] == tenant_name

    emulator.reset()
    run = run_playbook(play(
        {"name": "By id", "hasura.cloud.hasura_tenant": {"tenant_id": "{{ wanted }}", "region": "europe-west1"}},
        {"name": "Info by id", "hasura.cloud.hasura_tenant_info": {"tenant_id": "{{ wanted }}"}},
        {"name": "Info by name", "hasura.cloud.hasura_tenant_info": {"name": tenant_name}},
        {"name": "Info of all", "hasura.cloud.hasura_tenant_info": {}},
    ), extra_vars={"wanted": tenant["id"]}).assert_ok()
    assert not run.changed("By id")
    assert run.result("By id")["tenant"] == tenant
    assert run.result("Info by id")["tenants"] == [tenant]
    assert run.result("Info by name")["tenants"] == [tenant]
    assert tenant in run.result("Info of all")["tenants"]
    assert not any(run.changed(task) for task in ("Info by id", "Info by name", "Info of all"))
    operations = emulator.stats()["operations"]
    # One request per task: tenant_by_pk twice (module, info by id), projects twice (by name, all).
    assert operations == {"tenant_by_pk": 2, "projects": 2}
    assert emulator.stats()["requests"] == 4


def test_no_op_by_id_is_one_request(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    emulator.reset()
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "tenant_id": tenant_id, "name": tenant_name, "cloud": "aws", "region": "us-east-2"}})).assert_ok()
    assert not run.changed(TASK)
    assert emulator.stats()["requests"] == 1
    assert emulator.stats()["operations"] == {"tenant_by_pk": 1}


def test_rename_by_id(emulator, run_playbook, unique_name):
    old, new = unique_name("old"), unique_name("new")
    tenant_id = emulator.create_tenant(old)
    text = play({"name": TASK, "hasura.cloud.hasura_tenant": {"tenant_id": tenant_id, "name": new}})

    emulator.reset()
    run = run_playbook(text, diff=True).assert_ok()
    stats = emulator.stats()
    assert run.changed(TASK)
    tenant = run.result(TASK)["tenant"]
    assert tenant["id"] == tenant_id and tenant["name"] == new
    assert tenant["endpoint"].endswith("/projects/%s" % new) and tenant["slug"] == new
    assert run.result(TASK)["diff"]["before"]["name"] == old
    assert run.result(TASK)["diff"]["after"]["name"] == new
    assert emulator.get_tenant(tenant_id)["project"]["name"] == new
    assert stats["requests"] == 2 and stats["operations"] == {"tenant_by_pk": 1, "updateTenantName": 1}

    again = run_playbook(text).assert_ok()
    assert not again.changed(TASK)


def test_region_change_fails_clearly(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name, region="us-east-2")
    emulator.reset()
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "eu-west-1"}}))
    assert run.rc != 0
    msg = assert_clean_failure(run, TASK, "region differs", "us-east-2", "eu-west-1", tenant_id,
                               "cannot move a project")
    assert "delete the project and create it again" in msg
    assert emulator.stats()["mutations"] == 0
    assert emulator.get_tenant(tenant_id)["region"] == "us-east-2"


def test_delete_twice_second_is_no_change(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    text = play({"name": TASK, "hasura.cloud.hasura_tenant": {"name": tenant_name, "state": "absent"}})

    emulator.reset()
    first = run_playbook(text).assert_ok()
    stats = emulator.stats()
    assert first.changed(TASK)
    assert first.result(TASK)["tenant"]["id"] == tenant_id  # the project as it was
    assert emulator.get_tenant(tenant_id) is None
    assert stats["requests"] == 2 and stats["operations"] == {"projects": 1, "deleteTenant": 1}

    emulator.reset()
    second = run_playbook(text).assert_ok()
    assert not second.changed(TASK)
    assert second.result(TASK)["tenant"]["id"] is None
    assert emulator.stats()["requests"] == 1 and emulator.stats()["mutations"] == 0


def test_delete_by_id(emulator, run_playbook, tenant_name):
    tenant_id = emulator.create_tenant(tenant_name)
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "tenant_id": tenant_id, "state": "absent"}})).assert_ok()
    assert run.changed(TASK)
    assert emulator.get_tenant(tenant_id) is None


# --- check mode --------------------------------------------------------------------------------------


def test_check_mode_creates_nothing(emulator, run_playbook, tenant_name):
    emulator.reset()
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2"}}), check=True, diff=True).assert_ok()
    assert run.changed(TASK)
    result = run.result(TASK)
    assert result["tenant"]["name"] == tenant_name and result["tenant"]["id"] is None
    assert result["diff"]["before"] == {}
    stats = emulator.stats()
    assert stats["mutations"] == 0 and "createTenant" not in stats["operations"]
    assert projects_named(emulator, tenant_name) == []


def test_check_mode_deletes_and_renames_nothing(emulator, run_playbook, unique_name):
    name, other = unique_name(), unique_name("other")
    tenant_id = emulator.create_tenant(name)
    emulator.reset()
    run = run_playbook(play(
        {"name": "Delete", "hasura.cloud.hasura_tenant": {"name": name, "state": "absent"}},
        {"name": "Rename", "hasura.cloud.hasura_tenant": {"tenant_id": tenant_id, "name": other}},
    ), check=True).assert_ok()
    assert run.changed("Delete") and run.changed("Rename")
    assert run.result("Rename")["tenant"]["name"] == other
    stats = emulator.stats()
    assert stats["mutations"] == 0, stats
    assert emulator.get_tenant(tenant_id)["project"]["name"] == name


# --- wait --------------------------------------------------------------------------------------------


def test_wait_returns_only_once_healthz_is_ready(emulator, run_playbook, tenant_name):
    delay = 4
    emulator.set_faults(healthz_delay=delay)
    started = time.monotonic()
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2", "wait_timeout": 60}})).assert_ok()
    finished = time.monotonic()
    assert run.changed(TASK)
    assert finished - started >= delay
    # Polled, not slept for long: done within a few seconds of the project becoming ready.
    assert finished - started < delay + 8, finished - started
    status, _body = emulator.request("GET", "/projects/%s/healthz" % tenant_name)
    assert status == 200


def test_wait_timeout_fails_with_the_tenant_id(emulator, run_playbook, tenant_name):
    emulator.set_faults(healthz_delay=120)
    started = time.monotonic()
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2", "wait_timeout": 3}}))
    elapsed = time.monotonic() - started
    tenant = emulator.find_tenant(tenant_name)
    assert tenant is not None
    msg = assert_clean_failure(run, TASK, tenant["id"], "wait_timeout=3", "HTTP 503")
    assert tenant_name in msg
    result = run.result(TASK)
    assert result["changed"] is True and result["tenant"]["id"] == tenant["id"]
    assert elapsed < 3 + 15

    # Run again without waiting: the project is found, nothing is created twice.
    again = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2", "wait": False}})).assert_ok()
    assert not again.changed(TASK)
    assert len(projects_named(emulator, tenant_name)) == 1


# --- faults ------------------------------------------------------------------------------------------


def test_lost_create_answer_still_one_project(emulator, run_playbook, tenant_name):
    emulator.reset()
    emulator.set_faults(lose_answer={"createTenant": 1})
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2"}})).assert_ok()
    stats = emulator.stats()
    assert run.changed(TASK)
    assert stats["faults"]["lost_answers"] == 1
    assert stats["operations"]["createTenant"] == 1, stats
    projects = projects_named(emulator, tenant_name)
    assert len(projects) == 1
    assert run.result(TASK)["tenant"]["id"] == projects[0]["tenant"]["id"]


def test_converges_with_a_share_of_503_answers(emulator, run_playbook, tenant_name):
    emulator.reset()
    emulator.set_faults(error_rate=0.3, error_statuses=[503], seed=4)
    text = play(
        {"name": "Create", "hasura.cloud.hasura_tenant": {
            "name": tenant_name, "cloud": "aws", "region": "us-east-2", "max_retries": 5}},
        {"name": "Again", "hasura.cloud.hasura_tenant": {
            "name": tenant_name, "cloud": "aws", "region": "us-east-2", "max_retries": 5}},
        {"name": "Info", "hasura.cloud.hasura_tenant_info": {"name": tenant_name, "max_retries": 5}},
    )
    run = run_playbook(text).assert_ok()
    stats = emulator.stats()
    emulator.set_faults(error_rate=0.0)
    assert stats["faults"]["503"] > 0, stats  # the faults did happen
    assert run.changed("Create") and not run.changed("Again")
    assert len(run.result("Info")["tenants"]) == 1
    assert len(projects_named(emulator, tenant_name)) == 1


# --- errors ------------------------------------------------------------------------------------------


def test_bad_input_fails_clearly_before_any_request(emulator, run_playbook):
    emulator.reset()
    run = run_playbook(play(
        {"name": "Invalid UUID", "hasura.cloud.hasura_tenant": {"tenant_id": "not-a-uuid"}, "ignore_errors": True},
        {"name": "Neither name nor id", "hasura.cloud.hasura_tenant": {"cloud": "aws"}, "ignore_errors": True},
        {"name": "Bad name", "hasura.cloud.hasura_tenant": {"name": "My_Project", "cloud": "aws", "region": "x"},
         "ignore_errors": True},
        {"name": "Info bad UUID", "hasura.cloud.hasura_tenant_info": {"tenant_id": "1234"}, "ignore_errors": True},
    ))
    assert run.rc == 0, run.output()  # every failure was ignored
    assert_clean_failure(run, "Invalid UUID", "tenant_id must be a UUID", "not-a-uuid")
    assert_clean_failure(run, "Neither name nor id", "one of the following is required: tenant_id, name")
    assert_clean_failure(run, "Bad name", "My_Project", "lowercase letters, digits and hyphens")
    assert_clean_failure(run, "Info bad UUID", "tenant_id must be a UUID")
    assert emulator.stats()["requests"] == 0


def test_missing_cloud_on_create_and_unknown_id_fail_clearly(emulator, run_playbook, tenant_name):
    emulator.reset()
    run = run_playbook(play(
        {"name": "No cloud", "hasura.cloud.hasura_tenant": {"name": tenant_name, "region": "us-east-2"},
         "ignore_errors": True},
        {"name": "Unknown id", "hasura.cloud.hasura_tenant": {
            "tenant_id": "00000000-0000-4000-8000-000000000000", "name": tenant_name, "cloud": "aws",
            "region": "us-east-2"}, "ignore_errors": True},
    ))
    assert_clean_failure(run, "No cloud", "cannot be created without cloud")
    assert_clean_failure(run, "Unknown id", "tenant 00000000-0000-4000-8000-000000000000 not found")
    assert emulator.stats()["mutations"] == 0
    assert projects_named(emulator, tenant_name) == []


@pytest.mark.parametrize("form", ["access-denied", "invalid-jwt", "invalid-headers"])
def test_wrong_token_fails_clearly(emulator, run_playbook, tenant_name, form):
    """Whichever way the service says a token is bad, the contract's message, no traceback, no token."""
    emulator.set_faults(auth_error=form)
    wrong = "wrong-token-abcdef0123456789"
    run = run_playbook(play(
        {"name": TASK, "hasura.cloud.hasura_tenant": {"name": tenant_name, "cloud": "aws", "region": "us-east-2"},
         "ignore_errors": True},
        {"name": INFO, "hasura.cloud.hasura_tenant_info": {}, "ignore_errors": True},
    ), env={"HASURA_CLOUD_PAT": wrong}, verbosity=3)
    assert_clean_failure(run, TASK, "authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert_clean_failure(run, INFO, "authentication failed")
    assert wrong not in run.stdout + run.stderr
    assert projects_named(emulator, tenant_name) == []


def test_database_url_never_in_verbose_output(emulator, run_playbook, unique_name):
    # The value comes from a variable, as it would from a vault: at -vvv ansible-core shows the
    # source lines of a failed task, which must not be where the secret is checked.
    name, other = unique_name(), unique_name("fail")
    run = run_playbook(play(
        {"name": TASK, "hasura.cloud.hasura_tenant": {
            "name": name, "cloud": "aws", "region": "us-east-2", "database_url": "{{ db_url }}"}},
        {"name": "Again", "hasura.cloud.hasura_tenant": {
            "name": name, "cloud": "aws", "region": "us-east-2", "database_url": "{{ db_url }}"}},
        {"name": "Failing", "hasura.cloud.hasura_tenant": {"name": other, "database_url": "{{ db_url }}"},
         "ignore_errors": True},
        {"name": "Failing at the service", "hasura.cloud.hasura_tenant": {
            "name": other, "cloud": "azure", "region": "x", "database_url": "{{ db_url }}"},
         "ignore_errors": True},
    ), extra_vars={"db_url": DATABASE_URL}, verbosity=3, diff=True,
        # ansible-core 2.21+ echoes a task's arguments (`invocation`) only when asked to;
        # older cores always do at -vvv and ignore the variable.
        env={"ANSIBLE_INJECT_INVOCATION": "true"})
    assert run.changed(TASK) and not run.changed("Again")
    assert run.status("Failing") == "failed"
    assert "region 'x' of cloud 'azure' is not available" in run.result("Failing at the service")["msg"]
    output = run.stdout + run.stderr
    assert "Sup3r-Secret-DB-pw" not in output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # the echoed arguments are masked
    for task in (TASK, "Again", "Failing", "Failing at the service"):
        assert "Sup3r-Secret" not in repr(run.result(task))
    # It reached the new project as the env var the real API takes a database in.
    _hash, env = emulator.get_env(run.result(TASK)["tenant"]["id"])
    assert env["HASURA_GRAPHQL_DATABASE_URL"] == DATABASE_URL


def test_create_with_initial_env_sends_it_in_the_create(emulator, run_playbook, tenant_name):
    """database_url and initial_env go into createTenant's envs: one request, and the project starts with them."""
    task = {"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2", "database_url": "{{ db_url }}",
        "initial_env": {"HASURA_GRAPHQL_ENABLE_CONSOLE": False, "WORKERS": 4, "SHORT": "1", "APP_SECRET": "{{ app_secret }}"}}}
    emulator.reset()
    first = run_playbook(play(task), extra_vars={"db_url": DATABASE_URL, "app_secret": "Initial-Secret-9"},
                         verbosity=3).assert_ok()
    stats = emulator.stats()
    assert first.changed(TASK)
    assert stats["operations"] == {"projects": 2, "createTenant": 1} and stats["mutations"] == 1
    tenant = first.result(TASK)["tenant"]
    env = emulator.get_env(tenant["id"])[1]
    assert env.pop("HASURA_GRAPHQL_ADMIN_SECRET")  # generated by the service
    assert env == {"HASURA_GRAPHQL_DATABASE_URL": DATABASE_URL, "HASURA_GRAPHQL_ENABLE_CONSOLE": "false",
                   "WORKERS": "4", "SHORT": "1", "APP_SECRET": "Initial-Secret-9"}
    output = first.stdout + first.stderr
    assert "Initial-Secret-9" not in output and "Sup3r-Secret-DB-pw" not in output
    assert tenant["name"] == tenant_name and tenant["id"] in output  # a value "1" garbles nothing

    # initial_env is for a new project only: another value on an existing one changes nothing.
    task["hasura.cloud.hasura_tenant"]["initial_env"]["WORKERS"] = 8
    again = run_playbook(play(task), extra_vars={"db_url": DATABASE_URL, "app_secret": "x"}).assert_ok()
    assert not again.changed(TASK)
    assert emulator.get_env(tenant["id"])[1]["WORKERS"] == "4"


def test_create_when_the_service_ignores_the_name(emulator, run_playbook, tenant_name):
    """The real service has been seen to ignore name: the project is renamed, and the next run finds it."""
    emulator.set_faults(ignore_create_name=True)
    text = play({"name": TASK, "hasura.cloud.hasura_tenant": {"name": tenant_name, "cloud": "aws", "region": "us-east-2"}})
    emulator.reset()
    first = run_playbook(text, diff=True).assert_ok()
    stats = emulator.stats()
    assert first.changed(TASK)
    tenant = first.result(TASK)["tenant"]
    assert tenant["name"] == tenant_name and tenant["slug"] == tenant_name
    assert tenant["endpoint"] == "%s/projects/%s" % (emulator.base, tenant_name)
    assert first.result(TASK)["diff"]["after"]["name"] == tenant_name
    # One request more than a create the service named right: the rename.
    assert stats["requests"] == 4 and stats["operations"] == {"projects": 2, "createTenant": 1, "updateTenantName": 1}

    second = run_playbook(text).assert_ok()
    assert not second.changed(TASK) and second.result(TASK)["tenant"] == tenant
    assert len(projects_named(emulator, tenant_name)) == 1
    assert len(emulator.graphql("{ projects { id } }")["projects"]) == len(
        emulator.graphql("{ tenant { id } }")["tenant"])  # no stray project with an invented name


def test_lost_create_answer_with_the_name_ignored_still_one_project(emulator, run_playbook, tenant_name):
    """Lost answer + ignored name: the project that appeared is adopted and renamed, never created twice."""
    before = {p["id"] for p in emulator.graphql("{ projects { id } }")["projects"]}
    emulator.set_faults(ignore_create_name=True, lose_answer={"createTenant": 1})
    emulator.reset()
    run = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2"}})).assert_ok()
    stats = emulator.stats()
    assert run.changed(TASK)
    assert stats["faults"]["lost_answers"] == 1 and stats["operations"]["createTenant"] == 1, stats
    after = {p["id"] for p in emulator.graphql("{ projects { id } }")["projects"]}
    assert len(after - before) == 1
    assert [p["tenant"]["id"] for p in projects_named(emulator, tenant_name)] == [run.result(TASK)["tenant"]["id"]]
    again = run_playbook(play({"name": TASK, "hasura.cloud.hasura_tenant": {
        "name": tenant_name, "cloud": "aws", "region": "us-east-2"}})).assert_ok()
    assert not again.changed(TASK)


def test_adhoc_info_and_module_defaults_group(emulator, run_adhoc, run_playbook, tenant_name):
    emulator.create_tenant(tenant_name)
    adhoc = run_adhoc("hasura.cloud.hasura_tenant_info", "name=%s" % tenant_name).assert_ok()
    assert adhoc.results[-1]["result"]["tenants"][0]["name"] == tenant_name

    # Connection settings from the action group only: the environment holds no token.
    run = run_playbook(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/hasura.cloud.hasura_cloud": {"api_token": emulator.token, "api_url": emulator.url}},
        "tasks": [{"name": TASK, "hasura.cloud.hasura_tenant": {"name": tenant_name, "wait": False}}],
    }]), env={"HASURA_CLOUD_PAT": None, "HASURA_CLOUD_API_URL": None}).assert_ok()
    assert not run.changed(TASK)
    assert run.result(TASK)["tenant"]["name"] == tenant_name
