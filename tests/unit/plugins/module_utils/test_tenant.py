# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of plugins/module_utils/_tenant.py (the client is real, HTTP is scripted)."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.hasura.cloud.plugins.module_utils import _tenant
from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    AuthenticationError,
    GraphQLError,
    HasuraCloudClient,
    OutcomeUnknownError,
    TransportError,
)
from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, data, gql_error, make_response
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.tenant_fixtures import (
    OTHER_ID,
    OTHER_PROJECT_ID,
    PROJECT_ID,
    TENANT_ID,
    project_node,
    tenant_dict,
    tenant_node,
)


@pytest.fixture
def client(fake_api):
    return HasuraCloudClient(API_URL, TOKEN, max_retries=2)


def lost():
    return requests.exceptions.ConnectionError("Connection aborted.")


def no_project():
    return data({"projects": []})


def created(name="my-app", with_tenant=True):
    """createTenant's answer: {id, name, tenant}, the tenant nullable in the real schema."""
    return data({"createTenant": {"id": TENANT_ID, "name": name, "tenant": tenant_node(name) if with_tenant else None}})


def known_ids(*ids):
    """The listing of project ids made just before a create."""
    return data({"projects": [{"id": project_id} for project_id in ids]})


def listing(*nodes):
    return data({"projects": list(nodes)})


# --- names and URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint, url", [
    ("https://my-app.hasura.app", "https://my-app.hasura.app/healthz"),
    ("https://my-app.hasura.app/", "https://my-app.hasura.app/healthz"),
    ("http://127.0.0.1:8080/p/my-app", "http://127.0.0.1:8080/p/my-app/healthz"),
])
def test_healthz_url(endpoint, url):
    assert _tenant.healthz_url(endpoint) == url


def test_empty_tenant_has_every_key():
    assert _tenant.empty_tenant() == dict.fromkeys(_tenant.TENANT_KEYS)


def test_tenant_dicts_from_both_node_shapes_agree():
    assert _tenant.tenant_from_tenant_node(tenant_node()) == _tenant.tenant_from_project_node(project_node())
    assert set(tenant_dict()) == set(_tenant.TENANT_KEYS)


def test_tenant_node_without_project_gives_nulls():
    tenant = _tenant.tenant_from_tenant_node({"id": TENANT_ID, "slug": "s", "cloud": "aws", "region": "r", "project": None})
    assert tenant["name"] is None and tenant["endpoint"] is None and tenant["id"] == TENANT_ID


# --- reads -------------------------------------------------------------------------------------------


def test_get_tenant(fake_api, client):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()}))
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": None}))
    assert _tenant.get_tenant(client, TENANT_ID) == tenant_dict()
    assert _tenant.get_tenant(client, TENANT_ID) is None


def test_find_by_name_sends_an_eq_filter(fake_api, client):
    fake_api.expect("projects", data({"projects": [project_node()]}), lambda v: v == {"name": "my-app"} or pytest.fail())
    assert _tenant.find_tenant_by_name(client, "my-app") == tenant_dict()
    assert "name: {_eq: $name}" in fake_api.calls[0]["query"]


def test_list_tenants_sorted(fake_api, client):
    fake_api.expect("projects", data({"projects": [project_node("b"), project_node("a")]}))
    assert [t["name"] for t in _tenant.list_tenants(client)] == ["a", "b"]


def test_require_tenant_by_name(fake_api, client):
    fake_api.expect("projects", data({"projects": [project_node()]}))
    fake_api.expect("projects", no_project())
    assert _tenant.require_tenant_by_name(client, "my-app") == tenant_dict()
    with pytest.raises(_tenant.TenantNotFoundError, match="not found"):
        _tenant.require_tenant_by_name(client, "my-app")


def test_find_by_name_project_without_visible_tenant_fails_clearly(fake_api, client):
    # projects.tenant is nullable in the real schema.
    fake_api.expect("projects", data({"projects": [dict(project_node(), tenant=None)]}))
    with pytest.raises(_tenant.TenantNotFoundError, match="has no tenant this token can see"):
        _tenant.find_tenant_by_name(client, "my-app")


def test_list_keeps_projects_without_visible_tenant_with_nulls(fake_api, client):
    fake_api.expect("projects", data({"projects": [dict(project_node(), tenant=None)]}))
    tenant, = _tenant.list_tenants(client)
    assert tenant["id"] is None and tenant["name"] == "my-app" and tenant["project_id"] == PROJECT_ID


# --- create_tenant_checked -------------------------------------------------------------------------


def test_create_first_try_lists_then_creates_with_envs(fake_api, client, clock):
    fake_api.expect("projects", known_ids(OTHER_PROJECT_ID))
    envs = [{"key": "A", "value": "1"}]
    fake_api.expect("createTenant", created(),
                    lambda v: v == {"cloud": "aws", "region": "us-east-2", "name": "my-app", "plan": None,
                                    "envs": envs} or pytest.fail(repr(v)))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2", envs=envs) == tenant_dict()
    assert clock.pauses == []
    assert "databaseUrl" not in fake_api.calls[1]["query"]


def test_create_answer_without_tenant_is_read_back(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", created(with_tenant=False))
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()}))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == tenant_dict()


def test_create_with_the_name_ignored_renames(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", created("lively-otter-42"))
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node()}}),
                    lambda v: v == {"id": TENANT_ID, "name": "my-app"} or pytest.fail(repr(v)))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == tenant_dict()
    assert fake_api.fields() == ["projects", "createTenant", "updateTenantName"]


def test_create_lost_answer_found_by_name(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", listing(project_node()))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == tenant_dict()
    assert fake_api.fields() == ["projects", "createTenant", "projects"]


def test_create_lost_answer_and_name_ignored_adopts_the_new_project(fake_api, client, clock):
    fake_api.expect("projects", known_ids(OTHER_PROJECT_ID))
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", listing(project_node("old-one", tenant_id=OTHER_ID, project_id=OTHER_PROJECT_ID),
                                        project_node("lively-otter-42")))
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node()}}))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == tenant_dict()
    assert fake_api.fields().count("createTenant") == 1


def test_create_lost_answer_two_new_projects_is_ambiguous(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", listing(project_node("x-1", tenant_id=OTHER_ID, project_id=OTHER_PROJECT_ID),
                                        project_node("x-2")))
    with pytest.raises(_tenant.HasuraCloudError, match="2 projects appeared meanwhile"):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields().count("createTenant") == 1


def test_create_lost_then_not_found_then_sent_again(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", no_project())
    fake_api.expect("createTenant", make_response(504, text="gateway timeout"))
    fake_api.expect("projects", no_project())
    fake_api.expect("createTenant", created())
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == tenant_dict()
    assert clock.pauses == [0.5, 1.0]


def test_create_attempts_bounded_by_max_retries(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    for dummy in range(3):  # max_retries=2: three sends in all, each followed by a listing
        fake_api.expect("createTenant", lost())
        fake_api.expect("projects", no_project())
    with pytest.raises(OutcomeUnknownError, match="may or may not have been applied"):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields().count("createTenant") == 3


def test_create_explicit_attempts(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", no_project())
    with pytest.raises(OutcomeUnknownError):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2", attempts=1)


@pytest.mark.parametrize("code", ["validation-failed", "access-denied", "unexpected", None])
def test_create_error_answer_is_confirmed_by_a_read_then_raised(fake_api, client, clock, code):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", gql_error("refused", code=code))
    fake_api.expect("projects", no_project())
    with pytest.raises(GraphQLError):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields() == ["projects", "createTenant", "projects"]


def test_create_error_answer_but_created_is_adopted(fake_api, client, clock):
    # Whatever the code (the real service's for a taken name is not public), the read decides.
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", gql_error("a project named my-app already exists", code="whatever"))
    fake_api.expect("projects", listing(project_node()))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == tenant_dict()


def test_create_auth_error_raised_at_once(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    fake_api.expect("createTenant", gql_error("no token", code="invalid-headers"))
    with pytest.raises(AuthenticationError):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields() == ["projects", "createTenant"]


def test_create_never_connected_is_raised_after_the_clients_retries(fake_api, client, clock):
    fake_api.expect("projects", known_ids())
    refused = requests.exceptions.ConnectionError("Connection refused")
    for dummy in range(3):
        fake_api.expect("createTenant", refused)
    with pytest.raises(TransportError, match="cannot connect"):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields().count("projects") == 1


# --- delete_tenant_checked / rename_tenant_checked -------------------------------------------------


def test_delete_ok(fake_api, client):
    fake_api.expect("deleteTenant", data({"deleteTenant": {"status": "deleted"}}))
    assert _tenant.delete_tenant_checked(client, TENANT_ID) is True


@pytest.mark.parametrize("code", ["not-exists", "unexpected", None])
def test_delete_error_answer_and_gone_is_false(fake_api, client, code):
    # Someone else deleted it first: confirmed by a read, whatever the code says.
    fake_api.expect("deleteTenant", gql_error("tenant x does not exist", code=code))
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": None}))
    assert _tenant.delete_tenant_checked(client, TENANT_ID) is False


def test_delete_error_answer_still_there_is_raised(fake_api, client, clock):
    fake_api.expect("deleteTenant", gql_error("not allowed", code="access-denied"))
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()}))
    with pytest.raises(GraphQLError, match="not allowed"):
        _tenant.delete_tenant_checked(client, TENANT_ID)
    assert fake_api.fields().count("deleteTenant") == 1


def test_delete_lost_and_gone(fake_api, client):
    fake_api.expect("deleteTenant", lost())
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": None}))
    assert _tenant.delete_tenant_checked(client, TENANT_ID) is True


def test_delete_lost_still_there_bounded(fake_api, client, clock):
    for dummy in range(2):
        fake_api.expect("deleteTenant", lost())
        fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()}))
    with pytest.raises(OutcomeUnknownError):
        _tenant.delete_tenant_checked(client, TENANT_ID, attempts=2)
    assert clock.pauses == [0.5]


def test_delete_auth_error_raised(fake_api, client):
    fake_api.expect("deleteTenant", gql_error("no", code="invalid-jwt"))
    with pytest.raises(AuthenticationError):
        _tenant.delete_tenant_checked(client, TENANT_ID)


def test_rename_ok(fake_api, client):
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": tenant_node("new")}}))
    assert _tenant.rename_tenant_checked(client, TENANT_ID, "new")["name"] == "new"
    assert "tenant_id tenant {" in fake_api.calls[0]["query"]


def test_rename_answer_without_tenant_is_read_back(fake_api, client):
    # UpdateTenantNameResponse.tenant is nullable in the real schema.
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant_id": TENANT_ID, "tenant": None}}))
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node("new")}))
    assert _tenant.rename_tenant_checked(client, TENANT_ID, "new") == tenant_dict("new")


def test_rename_error_answer_is_confirmed_by_a_read_then_raised(fake_api, client, clock):
    fake_api.expect("updateTenantName", gql_error("a project named new already exists", code="anything"))
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node("old")}))
    with pytest.raises(GraphQLError, match="already exists"):
        _tenant.rename_tenant_checked(client, TENANT_ID, "new")
    assert clock.pauses == []


def test_rename_lost_and_tenant_gone(fake_api, client):
    fake_api.expect("updateTenantName", lost())
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": None}))
    with pytest.raises(_tenant.TenantNotFoundError, match="deleted while being renamed"):
        _tenant.rename_tenant_checked(client, TENANT_ID, "new")


def test_rename_lost_never_applied_bounded(fake_api, client, clock):
    fake_api.expect("updateTenantName", lost())
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node("old")}))
    with pytest.raises(OutcomeUnknownError):
        _tenant.rename_tenant_checked(client, TENANT_ID, "new", attempts=1)


# --- wait_until_healthy ------------------------------------------------------------------------------


def test_wait_ready_at_once_costs_one_check(fake_api, client, health, clock):
    assert _tenant.wait_until_healthy(client, tenant_dict(), 600) == 1
    assert clock.pauses == []
    assert health.urls == ["https://my-app.hasura.app/healthz"]


def test_wait_interval_grows_to_cap(fake_api, client, health, clock):
    health.statuses = [503] * 8 + [200]
    assert _tenant.wait_until_healthy(client, tenant_dict(), 600) == 9
    assert clock.pauses == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0]


def test_wait_never_pauses_past_the_deadline(fake_api, client, health, clock):
    health.statuses = [503]
    start = clock.now
    with pytest.raises(_tenant.WaitTimeoutError) as info:
        _tenant.wait_until_healthy(client, tenant_dict(), 10)
    assert clock.now - start == 10
    assert clock.pauses == [1.0, 2.0, 4.0, 3.0]
    assert TENANT_ID in str(info.value) and "my-app" in str(info.value)


def test_wait_without_endpoint_fails_clearly(fake_api, client, health, clock):
    with pytest.raises(_tenant.HasuraCloudError, match="no endpoint"):
        _tenant.wait_until_healthy(client, dict(tenant_dict(), endpoint=None), 10)
