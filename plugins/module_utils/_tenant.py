# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tenant (project) operations of the Hasura Cloud API and the tenant dict we return.

Internal to the hasura.cloud collection: it may change in any release.
"""

from __future__ import annotations

import re
import time

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    GraphQLError,
    HasuraCloudError,
    HTTPStatusError,
    OutcomeUnknownError,
)

# Project names become part of the endpoint host name.
NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
NAME_MAX_LENGTH = 63

# The keys of every tenant dict the modules and the inventory return (absent ones are None).
TENANT_KEYS = ("id", "name", "slug", "cloud", "region", "plan", "project_id", "endpoint")

# `cloud`, `region` (on tenant) and `plan_name` (on projects) are not in the published
# reference; they are our assumption of the field names, shared with the emulator's schema.
_TENANT_SELECTION = "id slug cloud region project { id name endpoint plan_name }"
_PROJECT_SELECTION = "id name endpoint plan_name tenant { id slug cloud region }"

GET_TENANT = "query getTenant($id: uuid!) { tenant_by_pk(id: $id) { %s } }" % _TENANT_SELECTION
FIND_BY_NAME = ("query findProject($name: String!) { projects(where: {name: {_eq: $name}}) { %s } }"
                % _PROJECT_SELECTION)
LIST_PROJECTS = "query listProjects { projects { %s } }" % _PROJECT_SELECTION
CREATE_TENANT = (
    "mutation createTenant($cloud: String!, $region: String!, $name: String, $plan: String, $databaseUrl: String) "
    "{ createTenant(cloud: $cloud, region: $region, name: $name, plan: $plan, databaseUrl: $databaseUrl) { id name } }"
)
DELETE_TENANT = "mutation deleteTenant($id: uuid!) { deleteTenant(tenantId: $id) { status } }"
RENAME_TENANT = ("mutation renameTenant($id: uuid!, $name: String!) "
                 "{ updateTenantName(tenantId: $id, name: $name) { tenant { %s } } }" % _TENANT_SELECTION)


# Polling of a project's /healthz: the first pause is short because a ready project answers
# at once; later pauses grow so that a slow start costs few requests.
WAIT_INTERVAL_START = 1.0
WAIT_INTERVAL_CAP = 10.0
# GraphQL error codes that say the request itself is wrong: sending it again cannot help.
DEFINITE_ERROR_CODES = frozenset(("validation-failed", "parse-failed", "access-denied", "invalid-headers", "invalid-jwt"))


class TenantNotFoundError(HasuraCloudError):
    """A tenant named by id or name does not exist (or the token cannot see it)."""


class WaitTimeoutError(HasuraCloudError):
    """A project did not become healthy before the deadline."""


def name_problem(name):
    """Return why ``name`` cannot be a project name, or None when it can."""
    if not name:
        return "name must not be empty"
    if len(name) > NAME_MAX_LENGTH:
        return "name %r is longer than %d characters" % (name, NAME_MAX_LENGTH)
    if not NAME_PATTERN.match(name):
        return ("name %r is not a valid project name: use lowercase letters, digits and hyphens, "
                "starting and ending with a letter or digit" % (name,))
    return None


def _tenant_dict(tenant_id, slug, cloud, region, project):
    project = project or {}
    return {
        "id": tenant_id,
        "name": project.get("name"),
        "slug": slug,
        "cloud": cloud,
        "region": region,
        "plan": project.get("plan_name"),
        "project_id": project.get("id"),
        "endpoint": project.get("endpoint"),
    }


def tenant_from_tenant_node(node):
    """Our tenant dict from a ``tenant`` object of the API."""
    return _tenant_dict(node.get("id"), node.get("slug"), node.get("cloud"), node.get("region"), node.get("project"))


def tenant_from_project_node(node):
    """Our tenant dict from a ``projects`` object of the API."""
    tenant = node.get("tenant") or {}
    return _tenant_dict(tenant.get("id"), tenant.get("slug"), tenant.get("cloud"), tenant.get("region"), node)


def get_tenant(client, tenant_id):
    """The tenant with this id, or None."""
    node = client.query(GET_TENANT, {"id": tenant_id}).get("tenant_by_pk")
    return tenant_from_tenant_node(node) if node else None


def find_tenant_by_name(client, name):
    """The tenant whose project has this name, or None."""
    nodes = client.query(FIND_BY_NAME, {"name": name}).get("projects") or []
    if len(nodes) > 1:
        raise HasuraCloudError("%d projects are named %r; use tenant_id to choose one" % (len(nodes), name))
    return tenant_from_project_node(nodes[0]) if nodes else None


def list_tenants(client):
    """Every tenant the token can see, sorted by project name."""
    nodes = client.query(LIST_PROJECTS).get("projects") or []
    return sorted((tenant_from_project_node(node) for node in nodes), key=lambda t: (t["name"] or "", t["id"] or ""))


def tenant_id_for_name(client, name):
    """Resolve a project name to its tenant id; raise TenantNotFoundError when absent."""
    tenant = find_tenant_by_name(client, name)
    if tenant is None:
        raise TenantNotFoundError("tenant %r not found: no project of that name is visible to this token" % (name,))
    return tenant["id"]


def create_tenant(client, cloud, region, name=None, plan=None, database_url=None):
    """Send createTenant once; return ``{id, name}``. Callers handle lost answers."""
    variables = {"cloud": cloud, "region": region, "name": name, "plan": plan, "databaseUrl": database_url}
    return client.mutate(CREATE_TENANT, variables)["createTenant"]


def delete_tenant(client, tenant_id):
    """Send deleteTenant once."""
    return client.mutate(DELETE_TENANT, {"id": tenant_id})["deleteTenant"]


def rename_tenant(client, tenant_id, name):
    """Send updateTenantName once; return the renamed tenant dict."""
    node = client.mutate(RENAME_TENANT, {"id": tenant_id, "name": name})["updateTenantName"]["tenant"]
    return tenant_from_tenant_node(node)


def healthz_url(endpoint):
    """The health check URL of a project endpoint (``.../v1/graphql`` -> ``.../healthz``)."""
    base = endpoint.rstrip("/")
    if base.endswith("/v1/graphql"):
        base = base[: -len("/v1/graphql")]
    return base + "/healthz"


def empty_tenant():
    """A tenant dict with every key and no values (nothing exists)."""
    return dict((key, None) for key in TENANT_KEYS)


def _now():
    """Monotonic clock of the waiters (a seam for tests)."""
    return time.monotonic()


def _pause(seconds):
    """Sleep of the waiters and retries (a seam for tests)."""
    time.sleep(seconds)


def _retry_pause(attempt):
    """Pause before re-sending a mutation: the client's backoff schedule, without jitter."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))


def _outcome_in_doubt(err):
    """True when a failed mutation may have been applied, or may succeed if sent again.

    A lost answer, a gateway error or a service-side error qualify; an authentication
    failure, a rejected request (validation) or a transport failure the client already
    retried do not.
    """
    if isinstance(err, (OutcomeUnknownError, HTTPStatusError)):
        return True
    if isinstance(err, GraphQLError):
        return err.code not in DEFINITE_ERROR_CODES
    return False


def _send_checked(client, send, settle, attempts):
    """Send a mutation; after a failure, let ``settle(err)`` re-read before any new attempt.

    ``settle`` raises when the failure is final, returns ``(True, result)`` when the state
    read shows the change went through, and ``(False, None)`` when it did not, so that the
    mutation is sent again, at most ``attempts`` times in all (default: the client's
    max_retries + 1).
    """
    if attempts is None:
        attempts = client.max_retries + 1
    attempt = 0
    while True:
        try:
            return send()
        except HasuraCloudError as err:
            done, result = settle(err)
            if done:
                return result
            attempt += 1
            if attempt >= attempts:
                raise
        _pause(_retry_pause(attempt - 1))


def create_tenant_checked(client, name, cloud, region, plan=None, database_url=None, attempts=None):
    """Create project ``name`` at most once in effect; return the new tenant's id.

    createTenant is not idempotent and a failed or unanswered attempt may still have created
    the project. So it is never re-sent blindly: after each such failure the name is looked
    up, and a project found by that name is the one an earlier attempt created.
    """
    def send():
        return create_tenant(client, cloud, region, name=name, plan=plan, database_url=database_url)["id"]

    def settle(err):
        if not _outcome_in_doubt(err):
            raise err
        existing = find_tenant_by_name(client, name)
        return (True, existing["id"]) if existing is not None else (False, None)

    return _send_checked(client, send, settle, attempts)


def delete_tenant_checked(client, tenant_id, attempts=None):
    """Delete a tenant; return True when this call deleted it, False when it was already gone.

    After a lost answer the tenant is read again: gone means the delete went through.
    """
    def send():
        delete_tenant(client, tenant_id)
        return True

    def settle(err):
        if isinstance(err, GraphQLError) and err.code == "not-exists":
            return True, False
        if not _outcome_in_doubt(err):
            raise err
        return (True, True) if get_tenant(client, tenant_id) is None else (False, None)

    return _send_checked(client, send, settle, attempts)


def rename_tenant_checked(client, tenant_id, name, attempts=None):
    """Rename a tenant's project; return the tenant dict after the rename.

    After a lost answer the tenant is read again: the new name means the rename went through.
    """
    def send():
        return rename_tenant(client, tenant_id, name)

    def settle(err):
        if not _outcome_in_doubt(err) or (isinstance(err, GraphQLError) and err.code == "constraint-violation"):
            raise err
        tenant = get_tenant(client, tenant_id)
        if tenant is None:
            raise TenantNotFoundError("tenant %s not found: it was deleted while being renamed" % tenant_id)
        return (True, tenant) if tenant["name"] == name else (False, None)

    return _send_checked(client, send, settle, attempts)


def wait_until_healthy(client, tenant, timeout):
    """Poll the project's ``/healthz`` until it answers 200; raise WaitTimeoutError after ``timeout`` seconds.

    The pause between checks starts at WAIT_INTERVAL_START and doubles up to WAIT_INTERVAL_CAP,
    and never runs past the deadline (a last check is made at the deadline). Return the
    number of checks made.
    """
    if not tenant.get("endpoint"):
        raise HasuraCloudError("tenant %s has no endpoint to wait for; set wait=false to skip waiting" % tenant.get("id"))
    url = healthz_url(tenant["endpoint"])
    deadline = _now() + timeout
    interval = WAIT_INTERVAL_START
    checks = 0
    while True:
        status = client.health_status(url)
        checks += 1
        if status == 200:
            return checks
        remaining = deadline - _now()
        if remaining <= 0:
            raise WaitTimeoutError(
                "tenant %s (project %s) was not ready within wait_timeout=%s seconds: GET %s last answered %s. "
                "Run the task again with a longer wait_timeout, or check the project in the Hasura Cloud console"
                % (tenant.get("id"), tenant.get("name"), timeout, url,
                   "HTTP %s" % status if status is not None else "nothing (no connection)"))
        _pause(min(interval, remaining))
        interval = min(interval * 2, WAIT_INTERVAL_CAP)
