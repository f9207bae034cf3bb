# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tenant (project) operations of the Hasura Cloud API and the tenant dict we return.

Internal to the hasura.cloud collection: it may change in any release.
"""

from __future__ import annotations

import re

from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudError

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


class TenantNotFoundError(HasuraCloudError):
    """A tenant named by id or name does not exist (or the token cannot see it)."""


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
