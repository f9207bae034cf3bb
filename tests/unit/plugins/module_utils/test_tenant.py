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
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.tenant_fixtures import (  # pylint: disable=unused-import
    TENANT_ID,
    clock,
    health,
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


def created():
    return data({"createTenant": {"id": TENANT_ID, "name": "my-app"}})


# --- names and URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "my-app", "app-2", "0", "a" * 63, "a-b-c"])
def test_valid_names(name):
    assert _tenant.name_problem(name) is None


@pytest.mark.parametrize("name, words", [
    ("", "must not be empty"),
    (None, "must not be empty"),
    ("a" * 64, "longer than 63"),
    ("My-App", "not a valid project name"),
    ("my_app", "not a valid project name"),
    ("-app", "not a valid project name"),
    ("app-", "not a valid project name"),
    ("my app", "not a valid project name"),
])
def test_invalid_names(name, words):
    assert words in _tenant.name_problem(name)


@pytest.mark.parametrize("endpoint, url", [
    ("https://my-app.hasura.app/v1/graphql", "https://my-app.hasura.app/healthz"),
    ("https://my-app.hasura.app/v1/graphql/", "https://my-app.hasura.app/healthz"),
    ("http://127.0.0.1:8080/projects/my-app/v1/graphql", "http://127.0.0.1:8080/projects/my-app/healthz"),
    ("https://my-app.hasura.app", "https://my-app.hasura.app/healthz"),
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


def test_tenant_id_for_name(fake_api, client):
    fake_api.expect("projects", data({"projects": [project_node()]}))
    fake_api.expect("projects", no_project())
    assert _tenant.tenant_id_for_name(client, "my-app") == TENANT_ID
    with pytest.raises(_tenant.TenantNotFoundError, match="not found"):
        _tenant.tenant_id_for_name(client, "my-app")


# --- create_tenant_checked -------------------------------------------------------------------------


def test_create_first_try(fake_api, client, clock):
    fake_api.expect("createTenant", created())
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == TENANT_ID
    assert clock.pauses == []


def test_create_lost_answer_found_by_lookup(fake_api, client, clock):
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", data({"projects": [project_node()]}))
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == TENANT_ID
    assert fake_api.fields() == ["createTenant", "projects"]


def test_create_lost_then_not_found_then_sent_again(fake_api, client, clock):
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", no_project())
    fake_api.expect("createTenant", make_response(504, text="gateway timeout"))
    fake_api.expect("projects", no_project())
    fake_api.expect("createTenant", created())
    assert _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2") == TENANT_ID
    assert clock.pauses == [0.5, 1.0]


def test_create_attempts_bounded_by_max_retries(fake_api, client, clock):
    for dummy in range(3):  # max_retries=2: three sends in all, each followed by a look-up
        fake_api.expect("createTenant", lost())
        fake_api.expect("projects", no_project())
    with pytest.raises(OutcomeUnknownError, match="may or may not have been applied"):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields().count("createTenant") == 3


def test_create_explicit_attempts(fake_api, client, clock):
    fake_api.expect("createTenant", lost())
    fake_api.expect("projects", no_project())
    with pytest.raises(OutcomeUnknownError):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2", attempts=1)


@pytest.mark.parametrize("answer, error", [
    (gql_error("bad", code="validation-failed"), GraphQLError),
    (gql_error("denied", code="access-denied"), GraphQLError),
    (gql_error("no token", code="invalid-headers"), AuthenticationError),
])
def test_create_definite_errors_are_raised_at_once(fake_api, client, clock, answer, error):
    fake_api.expect("createTenant", answer)
    with pytest.raises(error):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert fake_api.fields() == ["createTenant"]


def test_create_never_connected_is_raised_after_the_clients_retries(fake_api, client, clock):
    refused = requests.exceptions.ConnectionError("Connection refused")
    for dummy in range(3):
        fake_api.expect("createTenant", refused)
    with pytest.raises(TransportError, match="cannot connect"):
        _tenant.create_tenant_checked(client, "my-app", "aws", "us-east-2")
    assert "projects" not in fake_api.fields()


# --- delete_tenant_checked / rename_tenant_checked -------------------------------------------------


def test_delete_ok(fake_api, client):
    fake_api.expect("deleteTenant", data({"deleteTenant": {"status": "deleted"}}))
    assert _tenant.delete_tenant_checked(client, TENANT_ID) is True


def test_delete_not_exists_is_false(fake_api, client):
    fake_api.expect("deleteTenant", gql_error("tenant x does not exist", code="not-exists"))
    assert _tenant.delete_tenant_checked(client, TENANT_ID) is False


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
    fake_api.expect("updateTenantName", data({"updateTenantName": {"tenant": tenant_node("new")}}))
    assert _tenant.rename_tenant_checked(client, TENANT_ID, "new")["name"] == "new"


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
