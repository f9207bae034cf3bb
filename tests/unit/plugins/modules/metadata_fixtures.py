# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scripted answers of the Cloud API and of a project's metadata API, for the metadata module tests."""

from __future__ import annotations

import copy

from ansible_collections.hasura.cloud.tests.unit.conftest import data, make_response

TENANT_ID = "7a79cf94-0e53-4520-a560-1b02bf522f08"
ENDPOINT = "https://my-app.hasura.app"
METADATA_URL = ENDPOINT + "/v1/metadata"
ADMIN_SECRET = "admin-secret-for-unit-tests-9f8e7d"
HEADER_SECRET = "literal-header-value-5c1a"
DB_PASSWORD = "db-password-8b2e"

SOURCE = {
    "name": "default",
    "kind": "postgres",
    "configuration": {"connection_info": {"database_url": {"from_env": "PG_DATABASE_URL"}}},
    "tables": [
        {"table": {"schema": "public", "name": "author"},
         "select_permissions": [{"role": "user", "permission": {"columns": ["id", "name"], "filter": {}}}]},
        {"table": {"schema": "public", "name": "article"}},
    ],
}
METADATA = {
    "version": 3,
    "sources": [SOURCE],
    "actions": [{"name": "login", "definition": {
        "handler": "https://auth.example.test/login", "type": "mutation", "output_type": "String",
        "headers": [{"name": "X-Token", "value": HEADER_SECRET}, {"name": "X-Env", "value_from_env": "ACTION_KEY"}]}}],
}


def desired(**changes):
    """A deep copy of METADATA with top-level keys replaced."""
    wanted = copy.deepcopy(METADATA)
    wanted.update(changes)
    return wanted


def exported_form(metadata):
    """How an engine may export ``metadata``: other key and list orders, empty lists left out, no kind."""
    out = copy.deepcopy(metadata)
    for source in out.get("sources", []):
        source.pop("kind", None)
        source["tables"] = list(reversed(source.get("tables", [])))
    return dict(reversed(list(out.items())))


def env_and_endpoint(env=None):
    """The answer of the one Cloud API request (getTenantEnv and tenant_by_pk together)."""
    environment = {"HASURA_GRAPHQL_ADMIN_SECRET": ADMIN_SECRET} if env is None else env
    return data({"getTenantEnv": {"hash": "h1", "envVars": {"environment": environment}},
                 "tenant_by_pk": {"id": TENANT_ID, "project": {"name": "my-app", "endpoint": ENDPOINT}}})


def tenant_node():
    return {"id": TENANT_ID, "slug": "my-app", "cloud": "aws", "region": "us-east-2",
            "project": {"id": "p-1", "name": "my-app", "endpoint": ENDPOINT, "plan_name": "cloud_free"}}


def metadata_read(metadata, resource_version=5, inconsistent=()):
    """The answer of the bulk read: export_metadata v2, then get_inconsistent_metadata."""
    return make_response(200, [{"resource_version": resource_version, "metadata": metadata},
                               {"is_consistent": not inconsistent, "inconsistent_objects": list(inconsistent)}])


def replaced(inconsistent=()):
    return make_response(200, {"is_consistent": not inconsistent, "inconsistent_objects": list(inconsistent)})


def engine_error(status, code, error, path="$", internal=None):
    body = {"path": path, "error": error, "code": code}
    if internal is not None:
        body["internal"] = internal
    return make_response(status, body)


def conflict(version=5):
    return engine_error(409, "conflict", "metadata resource version referenced (%d) did not match current version"
                        % version)


MISSING_ENV = {"type": "source", "name": "source default",
               "reason": "Inconsistent object: environment variable 'PG_DATABASE_URL' not set",
               "definition": {"name": "default", "configuration": {"connection_info": {
                   "database_url": {"from_env": "PG_DATABASE_URL"}}},
                   "headers": [{"name": "X-Token", "value": HEADER_SECRET}]}}
