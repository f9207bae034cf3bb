# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of hasura.cloud.hasura_tenant: every branch, every HTTP call scripted."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.hasura.cloud.plugins.modules import hasura_tenant
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, gql_error, make_response
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.tenant_fixtures import (
    OTHER_ID,
    OTHER_PROJECT_ID,
    TENANT_ID,
    endpoint,
    project_node,
    tenant_dict,
    tenant_node,
)

DATABASE_URL = "postgres://admin:s3cr3t-pw@db.example.test:5432/app"
EMPTY = dict.fromkeys(("id", "name", "slug", "cloud", "region", "plan", "project_id", "endpoint"))
MUTATIONS = ("createTenant", "deleteTenant", "updateTenantName")


def lost_answer():
    """What requests raises when the connection drops after the request was sent."""
    return requests.exceptions.ConnectionError("Connection aborted.", "Remote end closed connection without response")


def expect_lookup_by_name(fake_api, node, name="my-app"):
    def check(variables):
        assert variables == {"name": name}
    fake_api.expect("projects", data({"projects": [node] if node else []}), check)


def expect_get(fake_api, node, tenant_id=TENANT_ID):
    def check(variables):
        assert variables == {"id": tenant_id}
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": node}), check)


def create_args(**extra):
    args = dict(name="my-app", cloud="aws", region="us-east-2", plan="cloud_free", database_url=DATABASE_URL)
    args.update(extra)
    return args


def created(name="my-app", with_tenant=True):
    """createTenant's answer: {id, name, tenant}, the tenant nullable in the real schema."""
    return data({"createTenant": {"id": TENANT_ID, "name": name, "tenant": tenant_node(name) if with_tenant else None}})


def expect_create(fake_api, answer=None, envs=None):
    """A createTenant carrying the database URL as HASURA_GRAPHQL_DATABASE_URL in envs (no databaseUrl)."""
    def check(variables):
        assert variables == {"cloud": "aws", "region": "us-east-2", "name": "my-app", "plan": "cloud_free",
                             "envs": envs or [{"key": "HASURA_GRAPHQL_DATABASE_URL", "value": DATABASE_URL}]}
    fake_api.expect("createTenant", answer if answer is not None else created(), check)


def expect_known_projects(fake_api, *project_ids):
    """The listing of the projects that exist, made just before a create."""
    fake_api.expect("projects", data({"projects": [{"id": project_id} for project_id in project_ids]}),
                    lambda v: v == {} or pytest.fail(repr(v)))


def expect_listing(fake_api, *nodes):
    fake_api.expect("projects", data({"projects": list(nodes)}), lambda v: v == {} or pytest.fail(repr(v)))


# --- present: found, nothing to do ---------------------------------------------------------------


def test_no_op_by_id_is_one_request(fake_api, run_module, health):
    expect_get(fake_api, tenant_node())
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free"))
    assert result["changed"] is False
    assert result["tenant"] == tenant_dict()
    assert fake_api.fields() == ["tenant_by_pk"]
    assert "diff" not in result
    # An existing project is health-checked once (not an API request).
    assert health.urls == ["https://my-app.hasura.app/healthz"]


def test_no_op_by_name_is_one_request(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    result = run_module(hasura_tenant, dict(name="my-app", region="us-east-2"))
    assert result["changed"] is False
    assert result["tenant"] == tenant_dict()
    assert fake_api.fields() == ["projects"]
    assert fake_api.calls[0]["headers"]["Authorization"] == "pat " + TOKEN


def test_no_op_by_id_and_same_name(fake_api, run_module, health):
    expect_get(fake_api, tenant_node())
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app", wait=False))
    assert result["changed"] is False
    assert fake_api.fields() == ["tenant_by_pk"]
    assert health.urls == []


def test_no_op_diff_shows_equal_before_and_after(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    result = run_module(hasura_tenant, dict(name="my-app"), diff=True)
    assert result["diff"] == {"before": tenant_dict(), "after": tenant_dict()}


def test_id_not_found_fails_instead_of_creating(fake_api, run_module, health):
    expect_get(fake_api, None)
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app", cloud="aws", region="us-east-2"))
    assert result["failed"] is True
    assert result["msg"].startswith("tenant %s not found" % TENANT_ID)
    assert fake_api.fields() == ["tenant_by_pk"]


# --- present: create -------------------------------------------------------------------------------


def test_create_looks_up_lists_and_creates_in_three_requests(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api, OTHER_PROJECT_ID)
    expect_create(fake_api)
    result = run_module(hasura_tenant, create_args(), diff=True)
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()
    assert fake_api.fields() == ["projects", "projects", "createTenant"]
    assert "databaseUrl" not in fake_api.calls[2]["query"]
    assert result["diff"] == {"before": {}, "after": tenant_dict()}
    assert health.urls == ["https://my-app.hasura.app/healthz"]
    assert DATABASE_URL not in result.raw
    assert "s3cr3t-pw" not in result.raw


def test_create_with_initial_env_sends_it_in_the_same_request(fake_api, run_module, health):
    env = {"HASURA_GRAPHQL_ENABLE_CONSOLE": False, "WORKERS": 4, "A": "1"}
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, envs=[{"key": "A", "value": "1"},
                                  {"key": "HASURA_GRAPHQL_DATABASE_URL", "value": DATABASE_URL},
                                  {"key": "HASURA_GRAPHQL_ENABLE_CONSOLE", "value": "false"},
                                  {"key": "WORKERS", "value": "4"}])
    result = run_module(hasura_tenant, create_args(initial_env=env), diff=True)
    assert result["changed"] is True
    # A value "1" must not garble the result (ids, names), and no value is echoed.
    assert result["tenant"] == tenant_dict()
    assert result["invocation"]["module_args"]["initial_env"] == dict.fromkeys(env, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")
    assert '"false"' not in result.raw


def test_initial_env_is_ignored_for_an_existing_project(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    result = run_module(hasura_tenant, dict(name="my-app", initial_env={"A": "other"}))
    assert result["changed"] is False
    assert fake_api.fields() == ["projects"]


@pytest.mark.parametrize("initial_env, words", [
    ({"BAD-NAME": "x"}, "env key 'BAD-NAME' is not a valid variable name"),
    ({"A": None}, "env value of A is null"),
    ({"A": [1]}, "env value of A is a list"),
    ({"HASURA_GRAPHQL_DATABASE_URL": "postgres://x"}, "database_url and initial_env.HASURA_GRAPHQL_DATABASE_URL"),
])
def test_bad_initial_env_fails_before_any_request(fake_api, run_module, initial_env, words):
    result = run_module(hasura_tenant, create_args(initial_env=initial_env))
    assert result["failed"] is True
    assert words in result["msg"]
    assert fake_api.calls == []
    assert "postgres://x" not in result.raw


def test_create_answer_without_tenant_is_read_back(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, created(with_tenant=False))
    expect_get(fake_api, tenant_node())
    result = run_module(hasura_tenant, create_args())
    assert result["tenant"] == tenant_dict()
    assert fake_api.fields() == ["projects", "projects", "createTenant", "tenant_by_pk"]


def test_create_whose_name_the_service_ignored_is_renamed(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, created("lively-otter-42"))
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node()}}),
                    lambda v: v == {"id": TENANT_ID, "name": "my-app"} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant, create_args(), diff=True)
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()
    assert result["diff"] == {"before": {}, "after": tenant_dict()}
    assert fake_api.fields() == ["projects", "projects", "createTenant", "updateTenantName"]
    assert health.urls == ["https://my-app.hasura.app/healthz"]


def test_create_without_plan_or_database_url_sends_nulls(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    fake_api.expect("createTenant", created(),
                    lambda v: v == {"cloud": "aws", "region": "us-east-2", "name": "my-app", "plan": None,
                                    "envs": None} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant, dict(name="my-app", cloud="aws", region="us-east-2", wait=False))
    assert result["changed"] is True
    assert health.urls == []


@pytest.mark.parametrize("missing", [("cloud",), ("region",), ("cloud", "region")])
def test_create_without_cloud_or_region_fails_before_any_mutation(fake_api, run_module, health, missing):
    expect_lookup_by_name(fake_api, None)
    args = create_args()
    for option in missing:
        del args[option]
    result = run_module(hasura_tenant, args)
    assert result["failed"] is True
    assert "project my-app does not exist and cannot be created without %s" % " and ".join(missing) in result["msg"]
    assert fake_api.fields() == ["projects"]
    assert DATABASE_URL not in result.raw


def test_create_lost_answer_then_listing_finds_it_sends_one_create(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, lost_answer())
    expect_listing(fake_api, project_node())
    result = run_module(hasura_tenant, create_args())
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()
    assert fake_api.fields() == ["projects", "projects", "createTenant", "projects"]


def test_create_lost_answer_with_the_name_ignored_adopts_and_renames(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api, OTHER_PROJECT_ID)
    expect_create(fake_api, lost_answer())
    expect_listing(fake_api, project_node("keep-me", tenant_id=OTHER_ID, project_id=OTHER_PROJECT_ID),
                   project_node("lively-otter-42"))
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node()}}),
                    lambda v: v == {"id": TENANT_ID, "name": "my-app"} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant, create_args())
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()
    assert fake_api.fields().count("createTenant") == 1


@pytest.mark.parametrize("failure", [
    make_response(503, text="<html>503 Service Unavailable</html>"),
    requests.exceptions.ReadTimeout("read timed out"),
], ids=["http-503", "timeout"])
def test_create_unanswered_then_listing_not_found_sends_again_once(fake_api, run_module, health, clock, failure):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, failure)
    expect_listing(fake_api)
    expect_create(fake_api)
    result = run_module(hasura_tenant, create_args())
    assert result["changed"] is True
    assert fake_api.fields() == ["projects", "projects", "createTenant", "projects", "createTenant"]
    assert clock.pauses == [0.5]  # one short pause before the second createTenant


def test_create_error_answer_then_listing_finds_it(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, gql_error("a project named my-app already exists", code="constraint-violation"))
    expect_listing(fake_api, project_node())
    result = run_module(hasura_tenant, create_args())
    assert result["changed"] is True
    assert fake_api.fields().count("createTenant") == 1


@pytest.mark.parametrize("code", ["validation-failed", "unexpected", "GenericServerError"])
def test_create_error_answer_is_reported_not_sent_again(fake_api, run_module, health, code):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, gql_error("invalid cloud 'aws': must be one of aws, gcp", code=code))
    expect_listing(fake_api)
    result = run_module(hasura_tenant, create_args())
    assert result["failed"] is True
    assert "Hasura Cloud API error" in result["msg"] and code in result["msg"]
    assert fake_api.fields() == ["projects", "projects", "createTenant", "projects"]
    assert DATABASE_URL not in result.raw


def test_create_gives_up_after_max_retries(fake_api, run_module, health, clock):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    for dummy in range(2):
        expect_create(fake_api, make_response(502, text="bad gateway"))
        expect_listing(fake_api)
    result = run_module(hasura_tenant, create_args(max_retries=1))
    assert result["failed"] is True
    assert "HTTP 502" in result["msg"] and "may or may not have been applied" in result["msg"]
    assert fake_api.fields().count("createTenant") == 2
    assert "changed" not in result or result["changed"] is False


def test_created_but_not_readable_fails_with_the_id(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api, created(with_tenant=False))
    expect_get(fake_api, None)
    result = run_module(hasura_tenant, create_args())
    assert result["failed"] is True
    assert TENANT_ID in result["msg"]
    assert result["tenant"]["id"] == TENANT_ID


# --- present: rename and fixed attributes ----------------------------------------------------------


def test_rename_by_id(fake_api, run_module, health):
    expect_get(fake_api, tenant_node("old-name"))
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node("my-app")}}),
                    lambda v: v == {"id": TENANT_ID, "name": "my-app"} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app"), diff=True)
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict("my-app")
    assert result["diff"] == {"before": tenant_dict("old-name"), "after": tenant_dict("my-app")}
    assert fake_api.fields() == ["tenant_by_pk", "updateTenantName"]
    assert health.urls == ["https://my-app.hasura.app/healthz"]


def test_rename_lost_answer_then_reread_shows_new_name(fake_api, run_module, health):
    expect_get(fake_api, tenant_node("old-name"))
    fake_api.expect("updateTenantName", lost_answer())
    expect_get(fake_api, tenant_node("my-app"))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app"))
    assert result["changed"] is True
    assert result["tenant"]["name"] == "my-app"
    assert fake_api.fields() == ["tenant_by_pk", "updateTenantName", "tenant_by_pk"]


def test_rename_lost_answer_not_applied_is_sent_again(fake_api, run_module, health, clock):
    expect_get(fake_api, tenant_node("old-name"))
    fake_api.expect("updateTenantName", lost_answer())
    expect_get(fake_api, tenant_node("old-name"))
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node("my-app")}}))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app"))
    assert result["changed"] is True
    assert fake_api.fields().count("updateTenantName") == 2


def test_rename_to_a_taken_name_fails(fake_api, run_module, health):
    expect_get(fake_api, tenant_node("old-name"))
    fake_api.expect("updateTenantName", gql_error("a project named my-app already exists", code="constraint-violation"))
    expect_get(fake_api, tenant_node("old-name"))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app"))
    assert result["failed"] is True
    assert "a project named my-app already exists" in result["msg"]
    # Confirmed by a read (the name did not change), never sent again.
    assert fake_api.fields() == ["tenant_by_pk", "updateTenantName", "tenant_by_pk"]


@pytest.mark.parametrize("option, current, wanted, verb", [
    ("cloud", "aws", "gcp", "runs on"),
    ("region", "us-east-2", "eu-west-1", "is in"),
    ("plan", "cloud_free", "cloud_payg", "is on"),
])
def test_fixed_attribute_differs_fails_naming_both_values(fake_api, run_module, health, option, current, wanted, verb):
    expect_get(fake_api, tenant_node("old-name", **{option: current}))
    result = run_module(hasura_tenant, {"tenant_id": TENANT_ID, "name": "my-app", option: wanted})
    assert result["failed"] is True
    msg = result["msg"]
    assert "%s differs: the project %s %s, the task asks for %s" % (option, verb, current, wanted) in msg
    assert TENANT_ID in msg
    assert "delete the project and create it again" in msg
    # Fails before renaming: nothing but the look-up was sent.
    assert fake_api.fields() == ["tenant_by_pk"]


def test_several_fixed_attributes_differ_all_named(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    result = run_module(hasura_tenant, dict(name="my-app", cloud="gcp", region="europe-west1"))
    assert "cloud differs" in result["msg"] and "region differs" in result["msg"]


# --- wait ------------------------------------------------------------------------------------------


def test_wait_polls_with_growing_interval_until_healthy(fake_api, run_module, health, clock):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api)
    health.statuses = [None, 404, 503, 503, 503, 503, 200]
    result = run_module(hasura_tenant, create_args())
    assert result["changed"] is True
    assert len(health.urls) == 7
    assert clock.pauses == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_wait_timeout_fails_with_tenant_id_and_reports_the_creation(fake_api, run_module, health, clock):
    expect_lookup_by_name(fake_api, None)
    expect_known_projects(fake_api)
    expect_create(fake_api)
    health.statuses = [503]
    result = run_module(hasura_tenant, create_args(wait_timeout=20))
    assert result["failed"] is True
    assert TENANT_ID in result["msg"] and "wait_timeout=20 seconds after it was created" in result["msg"]
    assert "GET https://my-app.hasura.app/healthz last answered HTTP 503" in result["msg"]
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()
    # Never sleeps past the deadline: 1 + 2 + 4 + 8 = 15, then the 5 seconds left.
    assert clock.pauses == [1.0, 2.0, 4.0, 8.0, 5.0]
    assert sum(clock.pauses) == 20


def test_wait_timeout_zero_checks_once(fake_api, run_module, health, clock):
    expect_get(fake_api, tenant_node())
    health.statuses = [None]
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, wait_timeout=0))
    assert result["failed"] is True
    assert "nothing (no connection)" in result["msg"]
    assert result["changed"] is False
    assert clock.pauses == []


def test_negative_wait_timeout_fails_before_any_request(fake_api, run_module):
    result = run_module(hasura_tenant, dict(name="my-app", wait_timeout=-1))
    assert result["failed"] is True
    assert "wait_timeout" in result["msg"]
    assert fake_api.calls == []


# --- absent ------------------------------------------------------------------------------------------


def test_absent_by_name_deletes(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    fake_api.expect("deleteTenant", data({"deleteTenant": {"status": "deleted"}}),
                    lambda v: v == {"id": TENANT_ID} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant, dict(name="my-app", state="absent"), diff=True)
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()  # the project as it was
    assert result["diff"] == {"before": tenant_dict(), "after": {}}
    assert fake_api.fields() == ["projects", "deleteTenant"]
    assert health.urls == []


def test_absent_by_id_deletes(fake_api, run_module, health):
    expect_get(fake_api, tenant_node())
    fake_api.expect("deleteTenant", data({"deleteTenant": {"status": "deleted"}}))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, state="absent"))
    assert result["changed"] is True
    assert fake_api.fields() == ["tenant_by_pk", "deleteTenant"]


@pytest.mark.parametrize("by", ["tenant_id", "name"])
def test_absent_not_found_is_no_change(fake_api, run_module, health, by):
    if by == "name":
        expect_lookup_by_name(fake_api, None)
        args = dict(name="my-app", state="absent")
    else:
        expect_get(fake_api, None)
        args = dict(tenant_id=TENANT_ID, state="absent")
    result = run_module(hasura_tenant, args, diff=True)
    assert result["changed"] is False
    assert result["tenant"] == EMPTY
    assert result["diff"] == {"before": {}, "after": {}}
    assert len(fake_api.calls) == 1


def test_absent_by_id_with_another_name_deletes_nothing(fake_api, run_module, health):
    expect_get(fake_api, tenant_node("other-app"))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app", state="absent"))
    assert result["failed"] is True
    assert "is project other-app, not my-app" in result["msg"]
    assert fake_api.fields() == ["tenant_by_pk"]


def test_absent_lost_answer_then_gone_is_deleted(fake_api, run_module, health):
    expect_get(fake_api, tenant_node())
    fake_api.expect("deleteTenant", lost_answer())
    expect_get(fake_api, None)
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, state="absent"))
    assert result["changed"] is True
    assert fake_api.fields() == ["tenant_by_pk", "deleteTenant", "tenant_by_pk"]


def test_absent_lost_answer_still_there_is_sent_again(fake_api, run_module, health, clock):
    expect_get(fake_api, tenant_node())
    fake_api.expect("deleteTenant", lost_answer())
    expect_get(fake_api, tenant_node())
    fake_api.expect("deleteTenant", data({"deleteTenant": {"status": "deleted"}}))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, state="absent"))
    assert result["changed"] is True
    assert fake_api.fields().count("deleteTenant") == 2


def test_absent_deleted_by_someone_else_meanwhile_is_no_change(fake_api, run_module, health):
    expect_get(fake_api, tenant_node())
    fake_api.expect("deleteTenant", gql_error("tenant %s does not exist" % TENANT_ID, code="not-exists"))
    expect_get(fake_api, None)  # confirmed by a read, not by the code
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, state="absent"))
    assert result["changed"] is False


# --- check mode: the scripts hold no mutation ------------------------------------------------------


def test_check_mode_create_sends_no_mutation(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    result = run_module(hasura_tenant, create_args(), check_mode=True, diff=True)
    assert result["changed"] is True
    predicted = dict(EMPTY, name="my-app", cloud="aws", region="us-east-2", plan="cloud_free")
    assert result["tenant"] == predicted
    assert result["diff"] == {"before": {}, "after": predicted}
    assert not set(fake_api.fields()) & set(MUTATIONS)
    assert health.urls == []  # check mode never waits
    assert DATABASE_URL not in result.raw


def test_check_mode_create_without_region_still_fails(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, None)
    result = run_module(hasura_tenant, dict(name="my-app", cloud="aws"), check_mode=True)
    assert result["failed"] is True


def test_check_mode_rename_sends_no_mutation(fake_api, run_module, health):
    expect_get(fake_api, tenant_node("old-name"))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app"), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["tenant"] == dict(tenant_dict("old-name"), name="my-app", endpoint=None)
    assert result["diff"]["before"]["name"] == "old-name"
    assert result["diff"]["after"]["name"] == "my-app"
    assert fake_api.fields() == ["tenant_by_pk"]


def test_check_mode_delete_sends_no_mutation(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    result = run_module(hasura_tenant, dict(name="my-app", state="absent"), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["tenant"] == tenant_dict()
    assert result["diff"] == {"before": tenant_dict(), "after": {}}
    assert fake_api.fields() == ["projects"]


def test_check_mode_no_op(fake_api, run_module, health):
    expect_get(fake_api, tenant_node())
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID), check_mode=True)
    assert result["changed"] is False
    assert health.urls == []


# --- input validation and errors ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["not-a-uuid", "7a79cf94-0e53-4520-a560-1b02bf522f0", "7a79cf94 0e53 4520 a560 1b02bf522f08"])
def test_invalid_uuid_fails_before_any_request(fake_api, run_module, bad):
    result = run_module(hasura_tenant, dict(tenant_id=bad))
    assert result["failed"] is True
    assert "tenant_id must be a UUID" in result["msg"]
    assert fake_api.calls == []


def test_neither_name_nor_id_fails(fake_api, run_module):
    result = run_module(hasura_tenant, dict(cloud="aws"))
    assert result["failed"] is True
    assert "one of the following is required: tenant_id, name" in result["msg"]
    assert fake_api.calls == []


def test_name_and_id_given_as_null_fail_before_any_request(fake_api, run_module):
    # Ansible's required_one_of counts "name: null" as given; the module must not.
    result = run_module(hasura_tenant, dict(name=None, cloud="aws", region="us-east-2"))
    assert result["failed"] is True
    assert "one of the following is required: tenant_id, name" in result["msg"]
    assert fake_api.calls == []


@pytest.mark.parametrize("bad", ["My_App", "-app", "app-", "app.example", "a" * 64, ""])
def test_bad_name_fails_before_any_request(fake_api, run_module, bad):
    result = run_module(hasura_tenant, dict(name=bad, cloud="aws", region="us-east-2"))
    assert result["failed"] is True
    assert "name" in result["msg"]
    assert fake_api.calls == []


def test_bad_new_name_for_rename_fails_before_any_request(fake_api, run_module):
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="Bad Name"))
    assert result["failed"] is True
    assert "not a valid project name" in result["msg"]
    assert fake_api.calls == []


def test_authentication_failure(fake_api, run_module):
    fake_api.expect("projects", gql_error("invalid Authorization header: a valid personal access token is required",
                                          code="invalid-headers"))
    result = run_module(hasura_tenant, create_args())
    assert result["failed"] is True
    assert result["msg"].startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in result.raw
    assert DATABASE_URL not in result.raw
    assert "Traceback" not in result.raw


def test_an_answer_of_an_unexpected_shape_is_one_message_without_traceback(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": "not an object"}))
    result = run_module(hasura_tenant, dict(tenant_id=TENANT_ID, name="my-app", database_url=DATABASE_URL))
    assert result["failed"] is True
    assert result["msg"].startswith("internal error in hasura.cloud.hasura_tenant: AttributeError at _tenant.py:")
    assert result["msg"].endswith("; please report it")
    assert "Traceback" not in result.raw and "exception" not in result
    assert DATABASE_URL not in result.raw


def test_missing_token_fails_before_any_request(fake_api, run_module, monkeypatch):
    monkeypatch.delenv("HASURA_CLOUD_PAT", raising=False)
    result = run_module(hasura_tenant, dict(name="my-app", api_url="https://api.example.test/v1/graphql"),
                        with_defaults=False)
    assert result["failed"] is True
    assert "api_token is required" in result["msg"]


def test_database_url_is_masked_in_echoed_arguments(fake_api, run_module, health):
    expect_lookup_by_name(fake_api, project_node())
    result = run_module(hasura_tenant, create_args())
    assert result["changed"] is False
    assert result["invocation"]["module_args"]["database_url"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert DATABASE_URL not in result.raw
    assert result["tenant"]["endpoint"] == endpoint("my-app")


def test_other_tenant_id_constant_is_a_uuid():
    # Guards the fixtures: OTHER_ID must pass the module's UUID check.
    assert len(OTHER_ID) == 36
