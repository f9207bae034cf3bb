# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_tenant_env_info: reads by id or name, never changes anything."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.modules import hasura_tenant_env_info as module
from ansible_collections.hasura.cloud.tests.unit.conftest import TOKEN, data, gql_error

TID = "7a79cf94-0e53-4520-a560-1b02bf522f08"
ENV = {"ZED": "z", "A": "1", "HASURA_GRAPHQL_ADMIN_SECRET": "s"}


def env_answer(env=None, envvars=None):
    return data({"getTenantEnv": {"hash": "h" * 40, "envVars": envvars if envvars is not None else {"environment": env}}})


def test_by_id(fake_api, run_module):
    fake_api.expect("getTenantEnv", env_answer(ENV), check=lambda v: v == {"tenantId": TID})
    result = run_module(module, {"tenant_id": TID})
    assert result["changed"] is False
    assert result["hash"] == "h" * 40
    assert result["names"] == ["A", "HASURA_GRAPHQL_ADMIN_SECRET", "ZED"]
    assert "keys" not in result
    assert result["env"] == ENV
    assert result["tenant_id"] == TID
    assert fake_api.fields() == ["getTenantEnv"]


def test_check_mode_reads_too(fake_api, run_module):
    fake_api.expect("getTenantEnv", env_answer({}))
    result = run_module(module, {"tenant_id": TID}, check_mode=True)
    assert result["changed"] is False and result["names"] == [] and result["env"] == {}


def test_flat_envvars_and_non_strings(fake_api, run_module):
    fake_api.expect("getTenantEnv", env_answer(envvars={"N": 5, "B": False}))
    result = run_module(module, {"tenant_id": TID})
    assert result["env"] == {"N": "5", "B": "false"}


def test_by_name(fake_api, run_module):
    project = {"id": "p", "name": "my-app", "endpoint": "e", "plan_name": None,
               "tenant": {"id": TID, "slug": "s", "cloud": "aws", "region": "r"}}
    fake_api.expect("projects", data({"projects": [project]}))
    fake_api.expect("getTenantEnv", env_answer(ENV))
    result = run_module(module, {"tenant_name": "my-app"})
    assert result["tenant_id"] == TID and result["changed"] is False


def test_name_not_found(fake_api, run_module):
    fake_api.expect("projects", data({"projects": []}))
    result = run_module(module, {"tenant_name": "nope"})
    assert result["failed"] is True and "tenant 'nope' not found" in result["msg"]


def test_unknown_id(fake_api, run_module):
    fake_api.expect("getTenantEnv", gql_error("tenant %s does not exist" % TID, code="not-exists"))
    result = run_module(module, {"tenant_id": TID})
    assert result["failed"] is True and "does not exist" in result["msg"]


def test_auth_failure(fake_api, run_module):
    fake_api.expect("getTenantEnv", gql_error("invalid Authorization header", code="invalid-headers"))
    result = run_module(module, {"tenant_id": TID})
    assert result["msg"].startswith("authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in result.raw


@pytest.mark.parametrize("args, fragment", [
    ({"tenant_id": "nope"}, "tenant_id must be a UUID"),
    ({}, "one of the following is required: tenant_id, tenant_name"),
    ({"tenant_id": TID, "tenant_name": "x"}, "mutually exclusive"),
    ({"tenant_name": ""}, "tenant_name must not be empty"),
])
def test_validation_before_any_request(fake_api, run_module, args, fragment):
    result = run_module(module, args)
    assert result["failed"] is True and fragment in result["msg"]
    assert fake_api.calls == []


def test_tenant_given_as_null_fails_before_any_request(fake_api, run_module):
    result = run_module(module, {"tenant_name": None})
    assert result["failed"] is True
    assert "one of the following is required: tenant_id, tenant_name" in result["msg"]
    assert fake_api.calls == []
