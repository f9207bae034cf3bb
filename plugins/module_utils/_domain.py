# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Custom domains of Hasura Cloud projects: the fqdn rule, the one read that decides, adding and
removing at most once, the next DNS step, and waiting for the DNS validation.

Internal to the hasura.cloud collection: it may change in any release.

A project is served at its tenant's ``fqdn`` (``<slug>.hasura.app``). A custom domain is a
name the user points there with a CNAME record; Hasura Cloud then checks that the name
resolves there (``dns_validation``: ``pending``, ``succeeded`` or ``failed``, as the real
schema describes the column) and handles its certificate (``cert``, ``ssl_status``). A
name belongs to one project at most, across every project of the service.

As in ``_tenant``, no decision rests on an error code: a refused or unanswered mutation is
judged by reading the state again.
"""

from __future__ import annotations

import re

from ansible_collections.hasura.cloud.plugins.module_utils._client import GraphQLError, HasuraCloudError
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import (
    PROJECT_FIELDS,
    TENANT_FIELDS,
    TENANT_SELECTION,
    TenantNotFoundError,
    poll_until,
    send_checked,
    sort_tenants,
    tenant_from_project_node,
    tenant_from_tenant_node,
    tenant_of_named_project,
)

# The keys of every domain dict the modules and the inventory return (absent ones are None).
DOMAIN_KEYS = ("id", "fqdn", "tenant_id", "dns_validation", "cert", "ssl_status", "ssl_message")

# custom_domain.dns_validation (a String in the real schema; these are the values its description gives).
SUCCEEDED = "succeeded"
FAILED = "failed"

FQDN_MAX_LENGTH = 253
LABEL_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")

# Fields of the real schema: custom_domain { id fqdn tenant_id dns_validation cert ssl_status
# ssl_message } (the last two are computed and nullable), tenant.custom_domains, tenant.fqdn
# (the project's own host name, the target of the CNAME record).
DOMAIN_FIELDS = " ".join(DOMAIN_KEYS)
DOMAINS_SELECTION = "custom_domains(order_by: {fqdn: asc}) { %s }" % DOMAIN_FIELDS
# Which project holds the name, among those the token can see; read with the tenant's own
# domains, so that a name taken by another project is reported before any mutation.
HOLDER_SELECTION = "custom_domain(where: {fqdn: {_eq: $fqdn}}) { id tenant_id tenant { id project { name } } }"

GET_TENANT_DOMAINS = (
    "query getTenantDomains($tenantId: uuid!, $fqdn: String!) { tenant_by_pk(id: $tenantId) { %s fqdn %s } %s }"
    % (TENANT_SELECTION, DOMAINS_SELECTION, HOLDER_SELECTION)
)
FIND_PROJECT_DOMAINS = (
    "query findProjectDomains($name: String!, $fqdn: String!) { projects(where: {name: {_eq: $name}}) "
    "{ %s tenant { %s fqdn %s } } %s }" % (PROJECT_FIELDS, TENANT_FIELDS, DOMAINS_SELECTION, HOLDER_SELECTION)
)
# The inventory's one request: every project, each with its domains.
LIST_PROJECTS_WITH_DOMAINS = ("query listProjectsWithDomains { projects { %s tenant { %s %s } } }"
                              % (PROJECT_FIELDS, TENANT_FIELDS, DOMAINS_SELECTION))
GET_DOMAIN = "query getCustomDomain($id: uuid!) { custom_domain_by_pk(id: $id) { %s } }" % DOMAIN_FIELDS
ADD_DOMAIN = ("mutation addCustomDomain($tenantId: uuid!, $fqdn: String!) "
              "{ insert_custom_domain_one(object: {fqdn: $fqdn, tenant_id: $tenantId}) { %s } }" % DOMAIN_FIELDS)
REMOVE_DOMAIN = "mutation removeCustomDomain($id: uuid!) { delete_custom_domain_by_pk(id: $id) { id } }"


class DomainTakenError(HasuraCloudError):
    """The name is a custom domain of another project."""


class DomainRefusedError(HasuraCloudError):
    """The service refused to add the name, and no project the token can see holds it."""

    quotes_service = True


class DnsValidationError(HasuraCloudError):
    """Hasura Cloud reports the DNS validation of a domain as failed."""


class DnsWaitTimeoutError(HasuraCloudError):
    """A domain's DNS validation did not succeed before the deadline."""


# --------------------------------------------------------------------------- the name


def normalize_fqdn(value):
    """The name as DNS compares it: surrounding blanks, letter case and the root's trailing dot do not count."""
    text = value.strip().lower()
    return text[:-1] if text.endswith(".") else text


def fqdn_problem(value):
    """Why ``value`` cannot be a custom domain name, or None when it can (checked on the normalised name)."""
    fqdn = normalize_fqdn(value)
    if not fqdn:
        return "fqdn must not be empty"
    if not fqdn.isascii():
        return ("fqdn %r holds characters other than ASCII letters, digits, hyphens and dots: give an "
                "internationalised name in its ASCII form (IDNA, the xn-- labels your DNS provider shows)" % (value,))
    if "*" in fqdn:
        return "fqdn %r is a wildcard: a custom domain is one host name, for example api.example.com" % (value,)
    if len(fqdn) > FQDN_MAX_LENGTH:
        return "fqdn %r is longer than %d characters" % (value, FQDN_MAX_LENGTH)
    labels = fqdn.split(".")
    if "" in labels:
        return "fqdn %r is not a DNS name: it has an empty label (two dots in a row, or a leading dot)" % (value,)
    bad = [label for label in labels if not LABEL_PATTERN.match(label)]
    if bad:
        return ("fqdn %r is not a DNS name: the label %r must be 1 to 63 letters, digits or hyphens, "
                "not starting or ending with a hyphen" % (value, bad[0]))
    if len(labels) < 2:
        return "fqdn %r is not a fully qualified domain name: give the whole name, for example api.example.com" % (value,)
    if labels[-1].isdigit():
        return "fqdn %r is an IP address, not a DNS name: give the host name that will point at the project" % (value,)
    return None


# --------------------------------------------------------------------------- the dicts


def domain_from_node(node):
    """Our domain dict from a ``custom_domain`` object of the API."""
    return dict((key, node.get(key)) for key in DOMAIN_KEYS)


def planned_domain(fqdn, tenant_id):
    """The domain dict of a name the service does not hold for the tenant (yet): only what the task knows."""
    return dict(dict((key, None) for key in DOMAIN_KEYS), fqdn=fqdn, tenant_id=tenant_id)


def domains_of(tenant_node):
    """The domain dicts of a ``tenant`` object (or of a null one), sorted by name."""
    nodes = (tenant_node or {}).get("custom_domains") or []
    return sorted((domain_from_node(node) for node in nodes), key=lambda domain: domain["fqdn"] or "")


def dns_record(fqdn, target):
    """The DNS record that points the name at the project."""
    return {"type": "CNAME", "name": fqdn, "value": target}


def next_step(domain, target):
    """What the user must do before the name serves the project, or None once Hasura Cloud validated it."""
    status = domain.get("dns_validation")
    if status == SUCCEEDED:
        return None
    record = "%s CNAME %s" % (domain["fqdn"], target)
    if status == FAILED:
        # ASSUMPTION: whether the service checks a failed name again by itself is not public; a
        # domain removed and added again is a new row, whose validation starts over.
        return ("Hasura Cloud could not validate %s: the name does not resolve to %s. Create or fix the DNS record "
                "%s, then remove the domain and add it again (state=absent, then state=present) to have it "
                "checked anew" % (domain["fqdn"], target, record))
    return ("create the DNS record %s at the DNS provider of %s; Hasura Cloud then validates the name and issues "
            "its certificate (wait=true waits for that)" % (record, domain["fqdn"]))


# --------------------------------------------------------------------------- reading


class DomainRead(object):
    """What the one read tells: the tenant, its host name (the CNAME target), the tenant's domain of
    that name (or None) and, when another project the token can see holds the name, that project."""

    def __init__(self, tenant, tenant_node, holders, fqdn):
        self.tenant = tenant
        # ASSUMPTION (only for a tenant without fqdn, which the schema does not allow): <slug>.hasura.app.
        self.target = tenant_node.get("fqdn") or "%s.hasura.app" % tenant["slug"]
        mine = [domain for domain in domains_of(tenant_node) if normalize_fqdn(domain["fqdn"] or "") == fqdn]
        self.domain = mine[0] if mine else None
        others = [node for node in holders if str(node.get("tenant_id") or "").lower() != str(tenant["id"]).lower()]
        self.holder = None
        if others:
            project = ((others[0].get("tenant") or {}).get("project") or {})
            self.holder = {"tenant_id": others[0].get("tenant_id"), "name": project.get("name")}


def read_by_id(client, tenant_id, fqdn):
    """The DomainRead of a tenant named by its id: one request."""
    data = client.query(GET_TENANT_DOMAINS, {"tenantId": tenant_id, "fqdn": fqdn})
    node = data.get("tenant_by_pk")
    if not node:
        raise TenantNotFoundError("tenant %s not found: no tenant with this id is visible to this token; check "
                                  "tenant_id (hasura.cloud.hasura_tenant_info lists the tenants)" % tenant_id)
    return DomainRead(tenant_from_tenant_node(node), node, data.get("custom_domain") or [], fqdn)


def read_by_name(client, name, fqdn):
    """The DomainRead of a tenant named by its project's name: one request."""
    data = client.query(FIND_PROJECT_DOMAINS, {"name": name, "fqdn": fqdn})
    nodes = data.get("projects") or []
    tenant = tenant_of_named_project(nodes, name, required=True)
    return DomainRead(tenant, nodes[0]["tenant"], data.get("custom_domain") or [], fqdn)


def read_domain(client, params, fqdn):
    """The DomainRead of the tenant named by the tenant_id or tenant_name option: one request."""
    if params["tenant_id"] is not None:
        return read_by_id(client, params["tenant_id"], fqdn)
    return read_by_name(client, params["tenant_name"], fqdn)


def list_tenants_with_domains(client):
    """Every tenant the token can see, as ``list_tenants`` gives them, each with ``custom_domains``: one request."""
    tenants = []
    for node in client.query(LIST_PROJECTS_WITH_DOMAINS).get("projects") or []:
        tenant = tenant_from_project_node(node)
        tenant["custom_domains"] = domains_of(node.get("tenant"))
        tenants.append(tenant)
    return sort_tenants(tenants)


# --------------------------------------------------------------------------- changing


def taken_message(fqdn, tenant, holder):
    return ("custom domain %s is already used by project %s (tenant %s), so it cannot be added to tenant %s "
            "(project %s): a domain belongs to one project only. Remove it there first (state=absent for that "
            "project), or choose another name; nothing was changed"
            % (fqdn, holder["name"], holder["tenant_id"], tenant["id"], tenant["name"]))


def add_domain_checked(client, read, fqdn, attempts=None):
    """Add the name to the tenant at most once in effect; return ``(domain dict, whether this call added it)``.

    After a refused or unanswered insert, the tenant's domains are read again: the name found
    there was added (by this call when the answer was lost); a visible project holding it
    took it; otherwise a refusal is reported with the service's words.
    """
    tenant = read.tenant

    def send():
        node = client.mutate(ADD_DOMAIN, {"tenantId": tenant["id"], "fqdn": fqdn}).get("insert_custom_domain_one")
        if node:
            return domain_from_node(node), True
        again = read_by_id(client, tenant["id"], fqdn)  # the answer is nullable: read it back
        if again.domain is None:
            raise HasuraCloudError("custom domain %s was sent to tenant %s but cannot be read back; run the task "
                                   "again to find it" % (fqdn, tenant["id"]))
        return again.domain, True

    def settle(err):
        again = read_by_id(client, tenant["id"], fqdn)
        if again.domain is not None:
            return True, (again.domain, not isinstance(err, GraphQLError))
        if again.holder is not None:
            raise DomainTakenError(taken_message(fqdn, tenant, again.holder))
        if isinstance(err, GraphQLError):
            raise DomainRefusedError(
                "Hasura Cloud refused to add custom domain %s to tenant %s (project %s): %s. A domain belongs to "
                "one project only, across every Hasura Cloud account: if a project this token cannot see uses it, "
                "remove it there first" % (fqdn, tenant["id"], tenant["name"], err.message))
        return False, None

    return send_checked(client, send, settle, attempts)


def remove_domain_checked(client, read, attempts=None):
    """Remove the tenant's domain at most once in effect; return True when this call removed it."""
    domain, tenant = read.domain, read.tenant

    def gone():
        return read_by_id(client, tenant["id"], domain["fqdn"]).domain is None

    def send():
        if client.mutate(REMOVE_DOMAIN, {"id": domain["id"]}).get("delete_custom_domain_by_pk"):
            return True
        # Nothing deleted: someone else removed it first, or the service kept it.
        if gone():
            return False
        raise HasuraCloudError("custom domain %s of tenant %s (project %s) was not removed: the service deleted "
                               "nothing; check that the token may change this project"
                               % (domain["fqdn"], tenant["id"], tenant["name"]))

    def settle(err):
        # Gone: after an error answer someone else removed it; after a lost answer, this call did.
        return (True, not isinstance(err, GraphQLError)) if gone() else (False, None)

    return send_checked(client, send, settle, attempts)


# --------------------------------------------------------------------------- waiting


def failed_message(read, domain):
    return "DNS validation of custom domain %s of tenant %s (project %s) failed. %s" % (
        domain["fqdn"], read.tenant["id"], read.tenant["name"], next_step(domain, read.target))


def wait_until_validated(client, read, domain, timeout):
    """Poll the domain until Hasura Cloud reports its DNS validated; return the domain dict then.

    The first check is the state already known (no request); a failed validation or a timeout
    raise, naming the tenant, the name and the record to create.
    """
    known = [domain]

    def check():
        node = known.pop() if known else client.query(GET_DOMAIN, {"id": domain["id"]}).get("custom_domain_by_pk")
        if not node:
            raise HasuraCloudError("custom domain %s of tenant %s was removed while waiting for its DNS validation"
                                   % (domain["fqdn"], read.tenant["id"]))
        current = domain_from_node(node)
        if current["dns_validation"] == FAILED:
            raise DnsValidationError(failed_message(read, current), result=dict(domain=current))
        return current["dns_validation"] == SUCCEEDED, current

    validated, current, dummy_checks = poll_until(check, timeout)
    if not validated:
        raise DnsWaitTimeoutError(
            "custom domain %s of tenant %s (project %s) was not validated within wait_timeout=%s seconds: Hasura "
            "Cloud still reports its DNS validation as %s. Create the DNS record %s CNAME %s if it is not there yet "
            "(DNS changes can take a while to reach every resolver), then run the task again"
            % (domain["fqdn"], read.tenant["id"], read.tenant["name"], timeout, current["dns_validation"],
               domain["fqdn"], read.target), result=dict(domain=current))
    return current
