# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of hasura.cloud.hasura_tenant_info."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.modules import hasura_tenant_info
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, gql_error
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.tenant_fixtures import (
    TENANT_ID,
    project_node,
    tenant_dict,
    tenant_node,
)

OTHER_TENANT = "22222222-3333-4444-8555-666666666666"


def test_all_tenants_sorted_by_name(fake_api, run_module):
    fake_api.expect("projects", data({"projects": [project_node("zeta", tenant_id=OTHER_TENANT), project_node("alpha")]}),
                    lambda v: v == {} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant_info, {})
    assert result["changed"] is False
    assert result["tenants"] == [tenant_dict("alpha"), tenant_dict("zeta", tenant_id=OTHER_TENANT)]
    assert fake_api.fields() == ["projects"]
    assert "where" not in fake_api.calls[0]["query"]


def test_no_tenants(fake_api, run_module):
    fake_api.expect("projects", data({"projects": []}))
    result = run_module(hasura_tenant_info, {})
    assert result["tenants"] == []


def test_by_id_found(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()}),
                    lambda v: v == {"id": TENANT_ID} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant_info, dict(tenant_id=TENANT_ID))
    assert result["tenants"] == [tenant_dict()]
    assert result["changed"] is False


def test_by_id_absent_is_empty(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": None}))
    result = run_module(hasura_tenant_info, dict(tenant_id=TENANT_ID))
    assert result["tenants"] == []
    assert "failed" not in result


def test_by_name_found(fake_api, run_module):
    fake_api.expect("projects", data({"projects": [project_node()]}),
                    lambda v: v == {"name": "my-app"} or pytest.fail(repr(v)))
    result = run_module(hasura_tenant_info, dict(name="my-app"))
    assert result["tenants"] == [tenant_dict()]


def test_by_name_absent_is_empty(fake_api, run_module):
    fake_api.expect("projects", data({"projects": []}))
    result = run_module(hasura_tenant_info, dict(name="my-app"))
    assert result["tenants"] == []


def test_check_mode_reads_as_usual(fake_api, run_module):
    fake_api.expect("projects", data({"projects": [project_node()]}))
    result = run_module(hasura_tenant_info, dict(name="my-app"), check_mode=True)
    assert result["tenants"] == [tenant_dict()]
    assert result["changed"] is False


def test_id_and_name_are_mutually_exclusive(fake_api, run_module):
    result = run_module(hasura_tenant_info, dict(tenant_id=TENANT_ID, name="my-app"))
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"]
    assert fake_api.calls == []


def test_invalid_uuid_fails_before_any_request(fake_api, run_module):
    result = run_module(hasura_tenant_info, dict(tenant_id="1234"))
    assert result["failed"] is True
    assert "tenant_id must be a UUID" in result["msg"]
    assert fake_api.calls == []


def test_bad_name_fails_before_any_request(fake_api, run_module):
    result = run_module(hasura_tenant_info, dict(name="Not_A_Name"))
    assert result["failed"] is True
    assert "not a valid project name" in result["msg"]
    assert fake_api.calls == []


def test_authentication_failure(fake_api, run_module):
    fake_api.expect("projects", gql_error("invalid Authorization header", code="invalid-headers"))
    result = run_module(hasura_tenant_info, {})
    assert result["failed"] is True
    assert result["msg"].startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in result.raw


def test_two_projects_with_one_name_fail_clearly(fake_api, run_module):
    fake_api.expect("projects", data({"projects": [project_node(), project_node(tenant_id=OTHER_TENANT)]}))
    result = run_module(hasura_tenant_info, dict(name="my-app"))
    assert result["failed"] is True
    assert "2 projects are named 'my-app'; use tenant_id" in result["msg"]
