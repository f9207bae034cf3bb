# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_metadata_info: one Cloud API request and one metadata request, nothing changed."""

from __future__ import annotations

from ansible_collections.hasura.cloud.plugins.modules import hasura_metadata_info as module
from ansible_collections.hasura.cloud.tests.unit.conftest import data, make_response
from ansible_collections.hasura.cloud.tests.unit.plugins.modules.metadata_fixtures import (
    ADMIN_SECRET,
    METADATA,
    MISSING_ENV,
    TENANT_ID,
    env_and_endpoint,
    metadata_read,
    tenant_node,
)


def test_returns_the_metadata_its_version_and_the_inconsistent_objects(fake_api, run_module):
    fake_api.expect("getTenantEnv", env_and_endpoint()).expect("metadata:bulk", metadata_read(METADATA, 9, [MISSING_ENV]))
    result = run_module(module, {"tenant_id": TENANT_ID}, check_mode=True)
    assert result["changed"] is False
    assert result["metadata"] == METADATA and result["resource_version"] == 9
    assert result["is_consistent"] is False and result["inconsistent_objects"] == [MISSING_ENV]
    assert result["tenant_id"] == TENANT_ID
    assert ADMIN_SECRET not in result.raw


def test_given_admin_secret_is_not_echoed(fake_api, run_module):
    fake_api.expect("tenant_by_pk", data({"tenant_by_pk": tenant_node()})).expect("metadata:bulk", metadata_read({
        "version": 3, "sources": []}))
    result = run_module(module, {"tenant_id": TENANT_ID, "admin_secret": "given-admin-secret-42"})
    assert result["invocation"]["module_args"]["admin_secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert "given-admin-secret-42" not in result.raw


def test_engine_error_is_reported(fake_api, run_module):
    fake_api.expect("getTenantEnv", env_and_endpoint()).expect("metadata:bulk", make_response(401, {
        "path": "$", "error": "invalid x-hasura-admin-secret/x-hasura-access-key", "code": "access-denied"}))
    result = run_module(module, {"tenant_id": TENANT_ID})
    assert result["failed"] and "refused the admin secret" in result["msg"]
