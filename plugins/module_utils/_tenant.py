# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tenant (project) operations of the Hasura Cloud API and the tenant dict we return.

Internal to the hasura.cloud collection: it may change in any release.

Mutations here are sent at most once in effect: after a failure, the state is read again,
and only a read that shows the change did not happen allows sending it again. No decision
rests on an error code: the real service's codes for a taken name, an unknown tenant or a
conflict are not public.
"""

from __future__ import annotations

import time

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    GraphQLError,
    HasuraCloudError,
    HTTPStatusError,
    OutcomeUnknownError,
    backoff_ceiling,
)

# The keys of every tenant dict the modules and the inventory return (absent ones are None).
TENANT_KEYS = ("id", "name", "slug", "cloud", "region", "plan", "project_id", "endpoint")

# Fields of the real schema (the console's generated types): tenant { id slug cloud region
# project }, projects { id name endpoint plan_name tenant } with a nullable projects.tenant.
# The two field lists are public so that other documents (custom domains) select the same.
TENANT_FIELDS = "id slug cloud region"
PROJECT_FIELDS = "id name endpoint plan_name"
TENANT_SELECTION = "%s project { %s }" % (TENANT_FIELDS, PROJECT_FIELDS)
PROJECT_SELECTION = "%s tenant { %s }" % (PROJECT_FIELDS, TENANT_FIELDS)

GET_TENANT = "query getTenant($id: uuid!) { tenant_by_pk(id: $id) { %s } }" % TENANT_SELECTION
FIND_BY_NAME = ("query findProject($name: String!) { projects(where: {name: {_eq: $name}}) { %s } }"
                % PROJECT_SELECTION)
LIST_PROJECTS = "query listProjects { projects { %s } }" % PROJECT_SELECTION
LIST_PROJECT_IDS = "query listProjectIds { projects { id } }"
# The real createTenant has no databaseUrl: a database comes in as an env var inside envs.
CREATE_TENANT = (
    "mutation createTenant($cloud: String!, $region: String!, $name: String, $plan: String, "
    "$envs: [UpdateEnvsObject]) { createTenant(cloud: $cloud, region: $region, name: $name, plan: $plan, "
    "envs: $envs) { id name tenant { %s } } }" % TENANT_SELECTION
)
DELETE_TENANT = "mutation deleteTenant($id: uuid!) { deleteTenant(tenantId: $id) { status } }"
RENAME_TENANT = ("mutation renameTenant($id: uuid!, $name: String!) "
                 "{ updateTenantName(tenantId: $id, name: $name) { tenant_id tenant { %s } } }" % TENANT_SELECTION)

# Polling of a project's /healthz: the first pause is short because a ready project answers
# at once; later pauses grow so that a slow start costs few requests.
WAIT_INTERVAL_START = 1.0
WAIT_INTERVAL_CAP = 10.0


class TenantNotFoundError(HasuraCloudError):
    """A tenant named by id or name does not exist (or the token cannot see it)."""


class TenantMismatchError(HasuraCloudError):
    """An existing tenant differs from the task in something this collection will not change."""


class WaitTimeoutError(HasuraCloudError):
    """A project did not become healthy before the deadline."""


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
    """Our tenant dict from a ``projects`` object of the API (its tenant may be null: then so are its fields)."""
    tenant = node.get("tenant") or {}
    return _tenant_dict(tenant.get("id"), tenant.get("slug"), tenant.get("cloud"), tenant.get("region"), node)


def empty_tenant():
    """A tenant dict with every key and no values (nothing exists)."""
    return dict((key, None) for key in TENANT_KEYS)


# --------------------------------------------------------------------------- reading


def get_tenant(client, tenant_id):
    """The tenant with this id, or None."""
    node = client.query(GET_TENANT, {"id": tenant_id}).get("tenant_by_pk")
    return tenant_from_tenant_node(node) if node else None


def tenant_of_named_project(nodes, name, required=False):
    """The tenant dict of the one project in ``nodes``, the answer to a look-up of projects by ``name``.

    None when there is none, or TenantNotFoundError with ``required``. Several projects, or
    one whose tenant the token cannot see, raise. Every look-up by name goes through here,
    whatever else its document selects.
    """
    if len(nodes) > 1:
        raise HasuraCloudError("%d projects are named %r; use tenant_id to choose one" % (len(nodes), name))
    if not nodes:
        if required:
            raise TenantNotFoundError("tenant %r not found: no project of that name is visible to this token"
                                      % (name,))
        return None
    tenant = tenant_from_project_node(nodes[0])
    if tenant["id"] is None:
        raise TenantNotFoundError("project %s (project id %s) has no tenant this token can see; ask the project's "
                                  "owner for access, or use another token" % (name, tenant["project_id"]))
    return tenant


def find_tenant_by_name(client, name):
    """The tenant whose project has this name, or None."""
    return tenant_of_named_project(client.query(FIND_BY_NAME, {"name": name}).get("projects") or [], name)


def require_tenant_by_name(client, name):
    """The tenant whose project has this name; TenantNotFoundError when there is none."""
    return tenant_of_named_project(client.query(FIND_BY_NAME, {"name": name}).get("projects") or [], name,
                                   required=True)


def resolve_tenant_ref(client, params):
    """The tenant named by the tenant_id or tenant_name option: ``{"id": ...}`` without a request for
    an id, the whole tenant dict after one lookup for a name."""
    if params["tenant_id"] is not None:
        return {"id": params["tenant_id"]}
    return require_tenant_by_name(client, params["tenant_name"])


def sort_tenants(tenants):
    """Tenant dicts in the order every listing returns them: by project name, then tenant id."""
    return sorted(tenants, key=lambda t: (t["name"] or "", t["id"] or ""))


def list_tenants(client):
    """Every tenant the token can see, sorted by project name."""
    nodes = client.query(LIST_PROJECTS).get("projects") or []
    return sort_tenants(tenant_from_project_node(node) for node in nodes)


# --------------------------------------------------------------------------- changing


def _pause(seconds):
    """Sleep of the waiters and of re-sent mutations (a seam for tests)."""
    time.sleep(seconds)


def _now():
    """Monotonic clock of the waiters (a seam for tests)."""
    return time.monotonic()


def send_checked(client, send, settle, attempts=None):
    """Send a mutation; after a failure, ``settle(err)`` reads the state before anything else happens.

    ``settle`` returns ``(True, result)`` when the state read shows the change went through,
    ``(False, None)`` when it did not (or raises when the failure is final). A change that
    did not happen is sent again only when its answer was lost (the service may never have
    seen it), at most ``attempts`` times in all (default: the client's max_retries + 1),
    pausing as the client's backoff does. An error answer is the service's word: reported.
    """
    if attempts is None:
        attempts = client.max_retries + 1
    attempt = 0
    while True:
        try:
            return send()
        except (OutcomeUnknownError, HTTPStatusError, GraphQLError) as err:
            done, result = settle(err)
            if done:
                return result
            attempt += 1
            if isinstance(err, GraphQLError) or attempt >= attempts:
                raise
        _pause(backoff_ceiling(attempt - 1))


def _tenant_or_read_back(client, tenant_id, node, doing):
    """The tenant dict of a mutation's answer, read again when the answer holds no tenant (it is nullable)."""
    if node:
        return tenant_from_tenant_node(node)
    tenant = get_tenant(client, tenant_id)
    if tenant is None:
        raise TenantNotFoundError("tenant %s was %s but cannot be read back; run the task again to find it"
                                  % (tenant_id, doing), result={"tenant": dict(empty_tenant(), id=tenant_id)})
    return tenant


def _find_created(client, name, known_project_ids):
    """After a createTenant that failed or went unanswered: the project it created, or None.

    A project with the asked name is it; so is the one project that appeared since the
    listing made just before the create (the service may have ignored the name).
    """
    tenants = list_tenants(client)
    named = [tenant for tenant in tenants if tenant["name"] == name]
    if named:
        return named[0]
    new = [tenant for tenant in tenants if tenant["project_id"] not in known_project_ids]
    if len(new) > 1:
        raise HasuraCloudError(
            "the answer to the creation of project %s was lost and %d projects appeared meanwhile (%s): cannot tell "
            "which one this task created; check the Hasura Cloud console, delete the extra ones, then run the task "
            "again" % (name, len(new), ", ".join(sorted(str(tenant["name"]) for tenant in new))))
    return new[0] if new else None


def create_tenant_checked(client, name, cloud, region, plan=None, envs=None, attempts=None):
    """Create project ``name`` at most once in effect, named as asked; return its tenant dict.

    createTenant is not idempotent and a failed or unanswered attempt may still have
    created the project, so it is never re-sent blindly (see ``_find_created``). The real
    service has been seen to ignore the name: a project named otherwise is renamed.
    """
    known = set(node.get("id") for node in client.query(LIST_PROJECT_IDS).get("projects") or [])
    variables = {"cloud": cloud, "region": region, "name": name, "plan": plan, "envs": envs or None}

    def send():
        answer = client.mutate(CREATE_TENANT, variables)["createTenant"]
        return _tenant_or_read_back(client, answer.get("id"), answer.get("tenant"), "created")

    def settle(dummy_err):
        found = _find_created(client, name, known)
        return (True, found) if found is not None else (False, None)

    created = send_checked(client, send, settle, attempts)
    if created["name"] != name:
        created = rename_tenant_checked(client, created["id"], name)
    return created


def delete_tenant_checked(client, tenant_id, attempts=None):
    """Delete a tenant; return True when this call deleted it, False when someone else did first."""
    def send():
        client.mutate(DELETE_TENANT, {"id": tenant_id})
        return True

    def settle(err):
        if get_tenant(client, tenant_id) is None:
            # Gone. After an error answer, someone else deleted it; after a lost one, this call did.
            return True, not isinstance(err, GraphQLError)
        return False, None

    return send_checked(client, send, settle, attempts)


def rename_tenant_checked(client, tenant_id, name, attempts=None):
    """Rename a tenant's project; return the tenant dict after the rename."""
    def send():
        answer = client.mutate(RENAME_TENANT, {"id": tenant_id, "name": name})["updateTenantName"]
        return _tenant_or_read_back(client, tenant_id, answer.get("tenant"), "renamed")

    def settle(dummy_err):
        tenant = get_tenant(client, tenant_id)
        if tenant is None:
            raise TenantNotFoundError("tenant %s not found: it was deleted while being renamed" % tenant_id)
        return (True, tenant) if tenant["name"] == name else (False, None)

    return send_checked(client, send, settle, attempts)


# --------------------------------------------------------------------------- waiting


def healthz_url(endpoint):
    """The health check of a project: its endpoint is the project's base URL."""
    return endpoint.rstrip("/") + "/healthz"


def poll_until(check, timeout):
    """Call ``check()`` until it returns ``(True, value)`` or ``timeout`` seconds have passed.

    Every waiter of the collection polls on this schedule: the pause between checks starts at
    WAIT_INTERVAL_START and doubles up to WAIT_INTERVAL_CAP, and never runs past the deadline
    (a last check is made at the deadline). Return ``(done, last value, number of checks)``.
    """
    deadline = _now() + timeout
    interval = WAIT_INTERVAL_START
    checks = 0
    while True:
        done, value = check()
        checks += 1
        if done:
            return True, value, checks
        remaining = deadline - _now()
        if remaining <= 0:
            return False, value, checks
        _pause(min(interval, remaining))
        interval = min(interval * 2, WAIT_INTERVAL_CAP)


def wait_until_healthy(client, tenant, timeout, context=""):
    """Poll the project's ``/healthz`` until it answers 200; raise WaitTimeoutError after ``timeout`` seconds.

    Polls as ``poll_until`` does. Return the number of checks made. ``context`` follows the
    deadline in the message (" after ...").
    """
    if not tenant.get("endpoint"):
        raise HasuraCloudError("tenant %s has no endpoint to wait for; set wait=false to skip waiting" % tenant.get("id"))
    url = healthz_url(tenant["endpoint"])

    def check():
        status = client.health_status(url)
        return status == 200, status

    ready, status, checks = poll_until(check, timeout)
    if not ready:
        raise WaitTimeoutError(
            "tenant %s (project %s) was not ready within wait_timeout=%s seconds%s: GET %s last "
            "answered %s. Run the task again with a longer wait_timeout, or check the project in the Hasura "
            "Cloud console" % (tenant.get("id"), tenant.get("name"), timeout, context, url,
                               "HTTP %s" % status if status is not None else "nothing (no connection)"))
    return checks
