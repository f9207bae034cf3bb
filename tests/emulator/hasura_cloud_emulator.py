#!/usr/bin/env python
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Local emulator of the Hasura Cloud API, for the demo, the tests and the benchmarks.

A real GraphQL server (graphql-core) over ``http.server``. The schema is ``schema.graphql``
beside this file: a subset of the real control-plane schema, checked against the types
the Hasura console generates from it (test_real_schema.py). Every request is parsed,
validated and executed; errors come back as the real service sends them (HTTP 200,
``errors`` with ``extensions.code``, no ``data``). The data and Hasura's query arguments
(where, order_by, ...) live in emulator_tables.py. Command line and behaviour: README.md
beside this file. Every choice the public facts do not fix is marked ASSUMPTION.

Besides the control-plane API at ``/v1/graphql``, each project is served at its endpoint
``http://HOST:PORT/projects/<slug>`` (the real one is ``https://<slug>.hasura.app``): its
``/healthz`` answers 503 while the project starts and while its engine restarts after an
env change.

Standard library plus graphql-core only. Nothing but the ``listening on ...`` line is
ever written to stdout; the token is never printed.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import graphql
from graphql.language import ast as gql_ast
from graphql.utilities import get_operation_ast, value_from_ast_untyped

from emulator_metadata import MetadataAPI, MetadataRoutes
from emulator_tables import (
    EmulatorState,
    QueryArgumentError,
    build_tables,
    new_domain_record,
    new_tenant_record,
    parse_timestamptz,
    select,
)

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.graphql")

# Project names become the DNS label (facts: lowercase letters, digits and hyphens).
# ASSUMPTION: a label's rules beyond that (no hyphen at either end, at most 63 characters).
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
NAME_MAX_LEN = 63
# ASSUMPTION: the names accepted for environment variables (those of a POSIX shell).
ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FQDN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DEFAULT_PLAN = "cloud_free"  # ASSUMPTION: the plan of a project created without one
ADMIN_SECRET_KEY = "HASURA_GRAPHQL_ADMIN_SECRET"
DEFAULT_ERROR_STATUSES = (429, 502, 503)
MAX_BODY_BYTES = 4 * 1024 * 1024

# How a Hasura engine answers a bad credential, by authentication mode (facts page): a
# webhook-authenticated engine (the default here: a personal access token is checked by a
# service), a JWT-mode engine, and a missing or malformed header. Which one the Cloud API
# uses is not public. ASSUMPTION: the messages of the last two (the engine's usual ones).
AUTH_ERRORS = {
    "access-denied": ("access-denied", "Authentication hook unauthorized this request"),
    "invalid-jwt": ("invalid-jwt", "Could not verify JWT: JWSError JWSInvalidSignature"),
    "invalid-headers": ("invalid-headers", "Missing 'Authorization' or 'Cookie' header in JWT authentication mode"),
}
NOTHING_CHANGED = "nothing changed in config"
# The values of custom_domain.dns_validation (the real schema's description of the column).
DNS_VALIDATIONS = ("pending", "succeeded", "failed")


# --------------------------------------------------------------------------- errors


class HasuraError(Exception):
    """An error the service reports in the body: ``extensions.code`` plus message.

    ASSUMPTION: the codes of business errors (unknown tenant: not-exists, taken name or
    domain: constraint-violation, stale hash: unexpected, bad input: validation-failed).
    The real service's are not public, and the collection never decides on them.
    """

    def __init__(self, code: str, message: str, path: str = "$") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path


def error_body(code: str, message: str, path: str = "$") -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"path": path, "code": code}}]}


# --------------------------------------------------------------------------- domain helpers


def env_hash(environment: dict[str, str]) -> str:
    """40-hex SHA-1 of the canonical JSON of the environment (the real hash is opaque).

    ASSUMPTION: the hash depends on the content only, so an env changed back to an earlier
    content gets the earlier hash back."""
    canonical = json.dumps(environment, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def check_project_name(name: str) -> None:
    if len(name) > NAME_MAX_LEN or not NAME_RE.match(name):
        raise HasuraError(
            "validation-failed",
            f"invalid project name {name!r}: use lowercase letters, digits and hyphens, "
            f"starting and ending with a letter or digit, at most {NAME_MAX_LEN} characters",
        )


def check_env_keys(keys: list[str]) -> None:
    for key in keys:
        if not ENV_KEY_RE.match(key):
            raise HasuraError(
                "validation-failed",
                f"invalid environment variable name {key!r}: must match {ENV_KEY_RE.pattern}",
            )


def parse_uuid(value: Any) -> str:
    """Canonical lowercase form of a UUID string; raises on anything else."""
    if not isinstance(value, str):
        raise TypeError(f"uuid cannot represent a non-string value {value!r}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"invalid uuid {value}") from None


# --------------------------------------------------------------------------- GraphQL layer


QUERY_ROOTS = ("config", "custom_domain", "projects", "region", "tenant")


def build_executable_schema(service: GraphQLService) -> graphql.GraphQLSchema:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = graphql.build_schema(handle.read())
    _install_scalars(schema)
    for table in service.tables.values():
        _install_table_resolvers(schema, service, table)
    query = schema.query_type.fields
    for name in QUERY_ROOTS:
        query[name].resolve = functools.partial(service.resolve_list, name)
    query["tenant_by_pk"].resolve = lambda _r, _i, id: service.state.tenants.get(id)
    query["projects_by_pk"].resolve = lambda _r, _i, id: service.state.by_project_id(id)
    query["config_by_pk"].resolve = lambda _r, _i, tenant_id: service.state.tenants.get(tenant_id)
    query["custom_domain_by_pk"].resolve = lambda _r, _i, id: service.state.domains.get(id)
    query["region_by_pk"].resolve = lambda _r, _i, cloud, name: service.state.region(cloud, name)
    query["getTenantEnv"].resolve = service.resolve_get_tenant_env
    query["validTenantName"].resolve = service.resolve_valid_tenant_name
    mutation = schema.mutation_type.fields
    for name, resolver in (
        ("createTenant", service.resolve_create_tenant),
        ("deleteTenant", service.resolve_delete_tenant),
        ("updateTenantEnv", service.resolve_update_tenant_env),
        ("deleteTenantEnv", service.resolve_delete_tenant_env),
        ("updateTenantName", service.resolve_update_tenant_name),
        ("insert_custom_domain_one", service.resolve_insert_custom_domain_one),
        ("insert_custom_domain", service.resolve_insert_custom_domain),
        ("delete_custom_domain_by_pk", service.resolve_delete_custom_domain_by_pk),
        ("delete_custom_domain", service.resolve_delete_custom_domain),
    ):
        mutation[name].resolve = service.mutation_root_field(resolver)
    schema.type_map["region"].fields["nat_ips"].resolve = _resolve_nat_ips
    return schema


def _install_scalars(schema: graphql.GraphQLSchema) -> None:
    uuid_type = schema.type_map["uuid"]
    uuid_type.coerce_input_value = parse_uuid
    uuid_type.coerce_output_value = str

    def string_literal(parse):
        def coerce(node: gql_ast.ValueNode) -> str:
            if not isinstance(node, gql_ast.StringValueNode):
                raise TypeError("expected a string literal")
            return parse(node.value)
        return coerce

    uuid_type.coerce_input_literal = string_literal(parse_uuid)
    stamp_type = schema.type_map["timestamptz"]
    stamp_type.coerce_input_value = parse_timestamptz
    stamp_type.coerce_input_literal = string_literal(parse_timestamptz)
    stamp_type.coerce_output_value = str
    for name in ("jsonb", "json"):
        json_type = schema.type_map[name]
        json_type.coerce_input_value = lambda value: value
        json_type.coerce_input_literal = value_from_ast_untyped
        json_type.coerce_output_value = lambda value: value


def _install_table_resolvers(schema: graphql.GraphQLSchema, service: GraphQLService, table) -> None:
    """Columns read through the table's getters; relationships hand on the related rows."""
    fields = schema.type_map[table.name].fields
    for name, getter in table.columns.items():
        fields[name].resolve = lambda row, _info, getter=getter: getter(row)
    for name, (_other, related) in table.objects.items():
        fields[name].resolve = lambda row, _info, related=related: related(row)
    for name, (other, related) in table.arrays.items():
        fields[name].resolve = (lambda row, _info, other=other, related=related, **args:
                                select(service.tables, service.tables[other], related(row), **args))


def _resolve_nat_ips(row: dict[str, Any], _info: Any, path: str | None = None) -> Any:
    """``nat_ips``: a JSON list of the region's gateway addresses (ASSUMPTION: its shape)."""
    addresses = [row["nat_ip"]] if row["nat_ip"] else []
    if path is None:
        return addresses
    match = re.fullmatch(r"\$?\[(\d+)\]", path)
    return addresses[int(match.group(1))] if match and int(match.group(1)) < len(addresses) else None


def root_field_names(document: gql_ast.DocumentNode,
                     operation: gql_ast.OperationDefinitionNode) -> list[str]:
    """Names (not aliases) of the root fields an operation selects, fragments expanded."""
    fragments = {
        d.name.value: d for d in document.definitions
        if isinstance(d, gql_ast.FragmentDefinitionNode)
    }
    names: list[str] = []
    seen_fragments: set[str] = set()

    def walk(selection_set: gql_ast.SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, gql_ast.FieldNode):
                if not selection.name.value.startswith("__"):
                    names.append(selection.name.value)
            elif isinstance(selection, gql_ast.InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, gql_ast.FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen_fragments:
                    seen_fragments.add(fragment.name.value)
                    walk(fragment.selection_set)

    walk(operation.selection_set)
    return names


def graphql_error_to_hasura(error: graphql.GraphQLError) -> dict[str, Any]:
    """Map a graphql-core error to a Hasura-style error entry."""
    original = error.original_error
    if isinstance(original, HasuraError):
        code, message = original.code, original.message
    elif isinstance(original, QueryArgumentError):
        code, message = "validation-failed", str(original)
    elif error.path is None:
        # No path: raised before any resolver ran (validation, variable coercion).
        code, message = "validation-failed", error.message
    else:
        code, message = "unexpected", error.message
    path = "$"
    if error.path:
        path += "".join(
            f"[{part}]" if isinstance(part, int) else f".selectionSet.{part}"
            for part in error.path
        )
    return {"message": message, "extensions": {"path": path, "code": code}}


class GraphQLService:
    """The GraphQL half of the emulator: schema, resolvers, counters for operations.

    Resolvers run with the state lock held (see ``execute``).
    """

    def __init__(self, state: EmulatorState, stats: Stats, settings: Settings, base_url: str = "") -> None:
        self.state = state
        self.stats = stats
        self.settings = settings
        self.base_url = base_url  # e.g. http://127.0.0.1:8080, set once the port is known
        self.tables = build_tables(state, self.endpoint_for, env_hash, self.dns_validation)
        self.schema = build_executable_schema(self)
        self._dirty = False  # a resolver changed the state: save it after the document
        self._failed = False  # a mutation root field of the current document failed

    def endpoint_for(self, slug: str) -> str:
        """A project's base URL (no /v1/graphql), as the real service gives https://<slug>.hasura.app."""
        return f"{self.base_url}/projects/{slug}"

    # --- request entry point

    def execute(self, payload: Any) -> tuple[dict[str, Any], list[str]]:
        """Run one request body. Returns (response body, root field names executed);
        the names list is empty when the request never reached execution."""
        query, variables, operation_name = self._unpack(payload)
        try:
            document, errors = self._prepare(query)
        except graphql.GraphQLError as err:
            return error_body("validation-failed", err.message), []
        operation = get_operation_ast(document, operation_name)
        names = root_field_names(document, operation) if operation else []
        self.stats.count_operations(names)
        if errors:
            # A Hasura engine stops at the first problem and answers one error.
            return {"errors": [graphql_error_to_hasura(errors[0])]}, []
        if operation is not None and variables:
            # A Hasura engine refuses variables the operation does not declare (graphql-core
            # ignores them).
            declared = {definition.variable.name.value for definition in operation.variable_definitions or ()}
            unexpected = sorted(set(variables) - declared)
            if unexpected:
                return error_body("validation-failed",
                                  "unexpected variables in variableValues: " + ", ".join(unexpected)), []
        is_mutation = operation is not None and operation.operation == gql_ast.OperationType.MUTATION
        # One lock around the whole execution: every resolver of the document sees one
        # consistent state, and a hash check and its write can never interleave with
        # another writer.
        with self.state.lock:
            self._dirty = False
            self._failed = False
            domains_before = dict(self.state.domains) if is_mutation else None
            result = graphql.execute(
                self.schema, document, variable_values=variables, operation_name=operation_name
            )
            if result.errors and domains_before is not None:
                self._roll_back_table_mutations(domains_before)
            if self._dirty:
                self.state.save()
        # data is None only when execution never started (bad variables, no operation).
        executed = names if result.data is not None else []
        if is_mutation and executed:
            self.stats.count_mutation()
        if result.errors:
            # Hasura answers errors alone, without partial data, and one error.
            return {"errors": [graphql_error_to_hasura(result.errors[0])]}, executed
        return {"data": result.data}, executed

    def mutation_root_field(self, resolver):
        """A mutation root resolver that runs only while no earlier root field of the same
        document failed: a Hasura engine stops a mutation at its first error."""

        @functools.wraps(resolver)
        def run(*args: Any, **kwargs: Any) -> Any:
            if self._failed:
                raise HasuraError("unexpected", "not executed: an earlier root field of this mutation failed")
            try:
                return resolver(*args, **kwargs)
            except Exception:
                self._failed = True
                raise

        return run

    def _roll_back_table_mutations(self, domains_before: dict[str, dict[str, Any]]) -> None:
        """Undo the custom_domain writes of a failed mutation document.

        A Hasura engine runs the table mutations of one request in one database transaction
        (its documentation: if any of them fails, all are rolled back). ASSUMPTION: the
        custom actions (createTenant, deleteTenant, updateTenantEnv, ...) are webhooks
        outside that transaction, so what they did stays done; the only one that touches
        domains is deleteTenant, whose deletions are kept.
        """
        restored = {key: record for key, record in domains_before.items() if record["tenant_id"] in self.state.tenants}
        if restored != self.state.domains:
            self.state.domains.clear()
            self.state.domains.update(restored)
            self._dirty = True

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one service per process
    def _prepare(self, query: str) -> tuple[gql_ast.DocumentNode, tuple[graphql.GraphQLError, ...]]:
        """Parse and validate a document, cached by its text: clients send the same few
        documents again and again, and validation costs ~1 ms, most of a request's time.
        The AST is never mutated by execution, so sharing it between threads is safe."""
        document = graphql.parse(query)
        return document, tuple(graphql.validate(self.schema, document))

    @staticmethod
    def _unpack(payload: Any) -> tuple[str, dict[str, Any] | None, str | None]:
        if not isinstance(payload, dict):
            raise HasuraError("parse-failed", "the request body must be a JSON object")
        query = payload.get("query")
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        if not isinstance(query, str):
            raise HasuraError("parse-failed", 'the key "query" must be a string', "$.query")
        if variables is not None and not isinstance(variables, dict):
            raise HasuraError("parse-failed", 'the key "variables" must be an object',
                              "$.variables")
        if operation_name is not None and not isinstance(operation_name, str):
            raise HasuraError("parse-failed", 'the key "operationName" must be a string',
                              "$.operationName")
        return query, variables, operation_name

    # --- reads

    def resolve_list(self, name: str, _root: Any, _info: Any, **args: Any) -> list:
        rows = {
            "tenant": lambda: list(self.state.tenants.values()),
            "projects": lambda: list(self.state.tenants.values()),
            "config": lambda: list(self.state.tenants.values()),
            "custom_domain": lambda: list(self.state.domains.values()),
            "region": lambda: list(self.state.regions),
        }[name]()
        return select(self.tables, self.tables[name], rows, **args)

    def tenant(self, tenant_id: str) -> dict[str, Any]:
        record = self.state.tenants.get(tenant_id)
        if record is None:
            raise HasuraError("not-exists", f"tenant {tenant_id} does not exist")
        return record

    def env_view(self, record: dict[str, Any]) -> dict[str, Any]:
        """A TenantEnv: envVars as {"environment": {...}}, or flat under --flat-env-vars."""
        env = dict(record["env"])
        env_vars = env if self.settings.flat_env_vars else {"environment": env}
        return {"hash": env_hash(env), "envVars": env_vars}

    def resolve_get_tenant_env(self, _root: Any, _info: Any, tenantId: str) -> dict[str, Any]:
        return self.env_view(self.tenant(tenantId))

    def resolve_valid_tenant_name(self, _root: Any, _info: Any, name: str,
                                  tenantId: str | None = None) -> dict[str, Any]:
        """ASSUMPTION: the wording of the answers; the real action's rules are not public."""
        try:
            check_project_name(name)
        except HasuraError as err:
            return {"valid": False, "message": err.message}
        holder = self.state.by_name(name)
        if holder is not None and holder["id"] != tenantId:
            return {"valid": False, "message": f"a project named {name} already exists"}
        return {"valid": True, "message": "ok"}

    def dns_validation(self, domain: dict[str, Any]) -> str:
        """What POST /_emulator/dns set, else pending until --dns-delay seconds after the domain
        was added, then succeeded. ASSUMPTION: the timing (the emulator resolves no names; the
        real service reports whether the name resolves to <slug>.hasura.app)."""
        if domain.get("dns_validation"):
            return domain["dns_validation"]
        return "succeeded" if time.time() - domain["created_at"] >= self.settings.dns_delay else "pending"

    # --- tenant mutations

    def resolve_create_tenant(self, _root: Any, _info: Any, cloud: str, region: str,
                              name: str | None = None, plan: str | None = None,
                              envs: list[dict[str, str] | None] | None = None,
                              dedicatedVPCID: str | None = None,
                              projectMetadata: dict[str, Any] | None = None) -> dict[str, Any]:
        del projectMetadata  # ASSUMPTION: accepted and ignored (Heroku integration data)
        if dedicatedVPCID is not None:
            raise HasuraError("validation-failed", "dedicated VPCs are not available in this emulator")
        region_row = self.state.region(cloud, region)
        if region_row is None or not region_row["is_active"]:
            # ASSUMPTION: an unknown or inactive region is refused at creation.
            raise HasuraError("validation-failed", f"region {region!r} of cloud {cloud!r} is not available")
        if plan is not None and not plan.strip():
            # ASSUMPTION: any other plan name is accepted (cloud_free, cloud_payg and
            # cloud_free_v2 are the ones seen; the real list is not public).
            raise HasuraError("validation-failed", "plan must not be empty")
        if name is None or self.settings.ignore_create_name:
            # The real service has been seen to ignore the name (issue #9732): it invents one.
            name = self.state.invent_name()
        check_project_name(name)
        if self.state.by_name(name) is not None:
            raise HasuraError("constraint-violation", f"a project named {name} already exists")
        entries = [entry for entry in envs or () if entry is not None]  # the list's items are nullable
        check_env_keys([entry["key"] for entry in entries])
        env = {entry["key"]: entry["value"] for entry in entries}
        # Every new project gets an admin secret; ASSUMPTION: one given in envs is kept.
        env.setdefault(ADMIN_SECRET_KEY, secrets.token_hex(24))
        record = new_tenant_record(name, cloud, region, plan or DEFAULT_PLAN, env)
        self.state.tenants[record["id"]] = record
        self._dirty = True
        # CreateTenantResponse.id is the tenant id (public clients use it so).
        return {"id": record["id"], "name": name, "tenant": record}

    def resolve_delete_tenant(self, _root: Any, _info: Any, tenantId: str) -> dict[str, str]:
        self.tenant(tenantId)
        del self.state.tenants[tenantId]
        # ASSUMPTION: the project's custom domains go with it (a public provider never
        # deletes them itself), which frees their names.
        for domain in self.state.domains_of(tenantId):
            del self.state.domains[domain["id"]]
        self._dirty = True
        return {"status": "deleted"}  # ASSUMPTION: the status text

    def resolve_update_tenant_env(self, _root: Any, _info: Any, tenantId: str,
                                  currentHash: str, envs: list[dict[str, str]]) -> dict:
        record = self.tenant(tenantId)
        check_env_keys([entry["key"] for entry in envs])
        self._check_hash(record, currentHash)
        updated = dict(record["env"])
        updated.update((entry["key"], entry["value"]) for entry in envs)
        return self._write_env(record, updated)

    def resolve_delete_tenant_env(self, _root: Any, _info: Any, tenantId: str,
                                  currentHash: str, deleteEnvs: list[str]) -> dict:
        record = self.tenant(tenantId)
        check_env_keys(deleteEnvs)
        self._check_hash(record, currentHash)
        remaining = {key: value for key, value in record["env"].items() if key not in deleteEnvs}
        return self._write_env(record, remaining)

    def _write_env(self, record: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
        """Store a changed env and restart the project's engine; a write that changes nothing is refused."""
        if env == record["env"]:
            # The real service refuses an updateTenantEnv that changes nothing (a public
            # action matches this message). ASSUMPTION: deleteTenantEnv of keys that do not
            # exist is refused the same way, and the code.
            raise HasuraError("unexpected", NOTHING_CHANGED)
        record["env"] = env
        record["env_changed_at"] = record["updated_at"] = time.time()
        self._dirty = True
        return self.env_view(record)

    def resolve_update_tenant_name(self, _root: Any, _info: Any, tenantId: str,
                                   name: str) -> dict[str, Any]:
        record = self.tenant(tenantId)
        check_project_name(name)
        holder = self.state.by_name(name)
        if holder is not None and holder is not record:
            raise HasuraError("constraint-violation", f"a project named {name} already exists")
        # The slug is the DNS label and follows the name, so the endpoint changes too.
        # ASSUMPTION: renaming to its own name is accepted, and a rename restarts nothing
        # (the new endpoint's /healthz answers at once).
        record["project"]["name"] = record["slug"] = name
        record["project"]["updated_at"] = record["updated_at"] = time.time()
        self._dirty = True
        return {"tenant": record, "tenant_id": record["id"]}

    @staticmethod
    def _check_hash(record: dict[str, Any], current_hash: str) -> None:
        if current_hash != env_hash(record["env"]):
            # ASSUMPTION: the code and message; the real service's are not public.
            raise HasuraError(
                "unexpected",
                f"config hash mismatch: currentHash {current_hash} is not the current hash, "
                "the environment changed since it was read",
            )

    # --- custom domain mutations (Hasura table mutations)

    def _insert_domain(self, obj: dict[str, Any], on_conflict: dict[str, Any] | None) -> dict[str, Any] | None:
        fqdn, tenant_id = obj.get("fqdn"), obj.get("tenant_id")
        if not fqdn or tenant_id is None:
            raise HasuraError("constraint-violation", "Not-NULL violation. null value in column "
                              f"\"{'fqdn' if not fqdn else 'tenant_id'}\" violates not-null constraint")
        if tenant_id not in self.state.tenants:
            raise HasuraError("constraint-violation", "Foreign key violation. insert or update on table "
                              "\"custom_domain\" violates foreign key constraint \"custom_domain_tenant_id_fkey\"")
        if not FQDN_RE.match(fqdn):
            # ASSUMPTION: the service checks the name's form (the code and message are ours).
            raise HasuraError("validation-failed", f"{fqdn!r} is not a valid domain name")
        existing = self.state.domain_by_fqdn(fqdn)
        if existing is not None:
            if on_conflict and on_conflict.get("constraint") == "custom_domain_fqdn_key" \
                    and not on_conflict.get("update_columns"):
                return None  # on conflict do nothing: insert_one answers null
            # ASSUMPTION: an upsert (update_columns given) is not served: refused like a
            # plain insert, since letting one project take over another's domain is not
            # something the service is known to allow.
            raise HasuraError("constraint-violation", "Uniqueness violation. duplicate key value violates unique "
                              "constraint \"custom_domain_fqdn_key\"")
        record = new_domain_record(fqdn, tenant_id, obj.get("cert") or "letsencrypt")  # ASSUMPTION: the default
        self.state.domains[record["id"]] = record
        self._dirty = True
        return record

    def resolve_insert_custom_domain_one(self, _root: Any, _info: Any, object: dict[str, Any],  # noqa: A002
                                         on_conflict: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return self._insert_domain(object, on_conflict)

    def resolve_insert_custom_domain(self, _root: Any, _info: Any, objects: list[dict[str, Any]],
                                     on_conflict: dict[str, Any] | None = None) -> dict[str, Any]:
        inserted = [row for row in (self._insert_domain(obj, on_conflict) for obj in objects) if row is not None]
        return {"affected_rows": len(inserted), "returning": inserted}

    def resolve_delete_custom_domain_by_pk(self, _root: Any, _info: Any, id: str) -> dict[str, Any] | None:  # noqa: A002
        record = self.state.domains.pop(id, None)
        self._dirty = record is not None or self._dirty
        return record

    def resolve_delete_custom_domain(self, _root: Any, _info: Any, where: dict[str, Any]) -> dict[str, Any]:
        doomed = select(self.tables, self.tables["custom_domain"], list(self.state.domains.values()), where=where)
        for record in doomed:
            del self.state.domains[record["id"]]
        self._dirty = bool(doomed) or self._dirty
        return {"affected_rows": len(doomed), "returning": doomed}


# --------------------------------------------------------------------------- stats and faults


class Stats:
    """Counters for GET /_emulator/stats; guarded by their own lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.operations: dict[str, int] = {}
            self.mutations = 0
            self.faults: dict[str, int] = {str(s): 0 for s in DEFAULT_ERROR_STATUSES}
            self.faults.update(dropped=0, lost_answers=0)

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def count_operations(self, names: list[str]) -> None:
        with self._lock:
            for name in names:
                self.operations[name] = self.operations.get(name, 0) + 1

    def count_mutation(self) -> None:
        with self._lock:
            self.mutations += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "operations": dict(self.operations),
                "mutations": self.mutations,
                "faults": dict(self.faults),
            }


class Settings:
    """Settings that can change at run time (POST /_emulator/faults): fault injection, the
    random generator that drives it, and the behaviours public clients report of the real
    service (a name ignored at creation, envVars served flat, a bad token's error form)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_ms = 0.0
        self.error_rate = 0.0
        self.error_statuses: list[int] = list(DEFAULT_ERROR_STATUSES)
        self.retry_after = 1
        self.drop_rate = 0.0
        self.lose_answer: dict[str, int] = {}
        self.healthz_delay = 0.0
        self.restart_delay = 0.0
        self.dns_delay = 0.0
        self.ignore_create_name = False
        self.flat_env_vars = False
        self.auth_error = "access-denied"
        self.metadata_race = 0  # the next N guarded metadata writes meet a concurrent writer (emulator_metadata)
        self.seed: int | None = None
        self.rng = random.Random()

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "error_rate": self.error_rate,
                "error_statuses": list(self.error_statuses),
                "retry_after": self.retry_after,
                "drop_rate": self.drop_rate,
                "lose_answer": dict(self.lose_answer),
                "healthz_delay": self.healthz_delay,
                "restart_delay": self.restart_delay,
                "dns_delay": self.dns_delay,
                "ignore_create_name": self.ignore_create_name,
                "flat_env_vars": self.flat_env_vars,
                "auth_error": self.auth_error,
                "metadata_race": self.metadata_race,
                "seed": self.seed,
            }

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial settings dict (POST /_emulator/faults); ValueError if invalid.
        Everything is validated before anything is applied."""
        unknown = set(changes) - set(self.as_dict())
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        checked: dict[str, Any] = {}
        for key, value in changes.items():
            checked[key] = _FAULT_CHECKS[key](value)
        with self._lock:
            for key, value in checked.items():
                if key == "seed":
                    self.seed = value
                    self.rng = random.Random(value)
                else:
                    setattr(self, key, value)

    # --- draws (one request at a time under the lock, so --seed gives one sequence)

    def draw_drop(self) -> bool:
        with self._lock:
            return self.drop_rate > 0 and self.rng.random() < self.drop_rate

    def draw_error_status(self) -> int | None:
        with self._lock:
            if self.error_rate > 0 and self.error_statuses and self.rng.random() < self.error_rate:
                return self.rng.choice(self.error_statuses)
            return None

    def take_metadata_race(self) -> bool:
        """True (and one count used up) while ``metadata_race`` is armed."""
        with self._lock:
            if self.metadata_race > 0:
                self.metadata_race -= 1
                return True
            return False

    def take_lost_answer(self, operation_names: list[str]) -> bool:
        """True (and one count used up) when one of the executed root fields is armed."""
        with self._lock:
            for name in operation_names:
                if self.lose_answer.get(name, 0) > 0:
                    self.lose_answer[name] -= 1
                    if not self.lose_answer[name]:
                        del self.lose_answer[name]
                    return True
            return False


def _check_fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"expected a fraction between 0 and 1, got {value!r}")
    return float(value)


def _check_non_negative(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"expected a number >= 0, got {value!r}")
    return float(value)


def _check_statuses(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 400 <= s <= 599 for s in value
    ):
        raise ValueError(f"expected a list of HTTP statuses 400-599, got {value!r}")
    return list(value)


def _check_retry_after(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected an integer >= 0, got {value!r}")
    return value


def _check_lose_answer(value: Any) -> dict[str, int]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in value.items()
    ):
        raise ValueError(f"expected an object of operation name to count, got {value!r}")
    return {k: v for k, v in value.items() if v > 0}


def _check_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _check_auth_error(value: Any) -> str:
    if value not in AUTH_ERRORS:
        raise ValueError(f"expected one of {', '.join(sorted(AUTH_ERRORS))}, got {value!r}")
    return value


def _check_seed(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"expected an integer or null, got {value!r}")
    return value


_FAULT_CHECKS = {
    "latency_ms": _check_non_negative,
    "error_rate": _check_fraction,
    "error_statuses": _check_statuses,
    "retry_after": _check_retry_after,
    "drop_rate": _check_fraction,
    "lose_answer": _check_lose_answer,
    "healthz_delay": _check_non_negative,
    "restart_delay": _check_non_negative,
    "dns_delay": _check_non_negative,
    "ignore_create_name": _check_flag,
    "flat_env_vars": _check_flag,
    "auth_error": _check_auth_error,
    "metadata_race": _check_retry_after,  # an integer >= 0
    "seed": _check_seed,
}


# --------------------------------------------------------------------------- HTTP layer


class _DropConnection(Exception):
    """Raised inside a handler to close the connection without writing an answer."""


class _Answered(Exception):
    """Raised inside a handler when the answer has already been written."""


class EmulatorHandler(MetadataRoutes, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "hasura-cloud-emulator"
    sys_version = ""
    disable_nagle_algorithm = True
    # Buffered writes: status line, headers and body leave in one segment when
    # handle_one_request flushes, instead of one small write per header.
    wbufsize = 64 * 1024
    timeout = 300  # idle keep-alive connections are closed after this many seconds

    server: EmulatorServer

    # --- plumbing

    def setup(self) -> None:
        super().setup()
        # TLS handshake in the handler thread, not in the accept loop (see make_server).
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def _read_body(self) -> bytes:
        """The request body; an unusable Content-Length is answered here (400/413, then
        the connection is closed since the body cannot be skipped reliably)."""
        length = self.headers.get("Content-Length") or "0"
        try:
            size = int(length)
        except ValueError:
            size = -1
        if 0 <= size <= MAX_BODY_BYTES:
            return self.rfile.read(size)
        self.close_connection = True
        status = 413 if size > MAX_BODY_BYTES else 400
        self._send(status, b"bad request body size", "text/plain", {"Connection": "close"})
        raise _Answered()

    def _send(self, status: int, body: bytes, content_type: str,
              extra_headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode("utf-8"), "application/json; charset=utf-8")

    def _drop(self) -> None:
        """Close the connection with no answer at all."""
        self.close_connection = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- routing

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/_emulator/stats":
            self._send_json(200, dict(self.server.stats.snapshot(), metadata=self.server.metadata.stats.snapshot()))
        elif path == "/_emulator/faults":
            self._send_json(200, self.server.faults.as_dict())
        elif path.startswith("/projects/"):
            self._project_get(path[len("/projects/"):])
        else:
            self._send_json(404, {"error": "not found"})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        try:
            if path == "/v1/graphql":
                self.server.stats.count_request()
                self._graphql(self._read_body())
            elif path == "/_emulator/reset":
                self._reset(self._read_body())
            elif path == "/_emulator/faults":
                self._set_faults(self._read_body())
            elif path == "/_emulator/dns":
                self._set_dns(self._read_body())
            elif path.startswith("/projects/"):
                self._project_post(path[len("/projects/"):])  # a project's metadata API (emulator_metadata)
            else:
                self._read_body()
                self._send_json(404, {"error": "not found"})
        except _DropConnection:
            self._drop()
        except _Answered:
            pass

    # --- endpoints

    def _graphql(self, raw: bytes) -> None:
        faults = self.server.faults
        # Faults come before any processing: nothing is applied for these answers.
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000.0)
        if faults.draw_drop():
            self.server.stats.count_fault("dropped")
            raise _DropConnection()
        status = faults.draw_error_status()
        if status is not None:
            self._send_fault_status(status)
            return
        body, executed = self._process_graphql(raw)
        if executed and faults.take_lost_answer(executed):
            # The mutation is committed (and saved); only the answer is lost.
            self.server.stats.count_fault("lost_answers")
            raise _DropConnection()
        self._send_json(200, body)

    def _process_graphql(self, raw: bytes) -> tuple[dict[str, Any], list[str]]:
        if not self._authorized():
            return error_body(*AUTH_ERRORS[self.server.faults.auth_error]), []
        try:
            payload = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return error_body("parse-failed", "invalid JSON in the request body"), []
        try:
            return self.server.service.execute(payload)
        except HasuraError as err:
            return error_body(err.code, err.message, err.path), []

    def _authorized(self) -> bool:
        """``Authorization: pat <TOKEN>``; the scheme is case-insensitive (RFC 7235)."""
        header = self.headers.get("Authorization") or ""
        scheme, _space, token = header.strip().partition(" ")
        if scheme.lower() != "pat" or not token:
            return False
        return hmac.compare_digest(token.strip().encode(), self.server.token.encode())

    def _send_fault_status(self, status: int) -> None:
        self.server.stats.count_fault(str(status))
        reason = self.responses.get(status, ("Error",))[0]
        body = f"<html>{status} {reason}</html>".encode()
        headers = {}
        if status == 429:
            headers["Retry-After"] = str(self.server.faults.retry_after)
        self._send(status, body, "text/html", headers)

    def _project_get(self, rest: str) -> None:
        """A project's own endpoint: ``<slug>/healthz`` and ``<slug>/v1/version``."""
        slug, _slash, route = rest.partition("/")
        with self.server.state.lock:
            record = self.server.state.by_slug(slug)
            started = (record["created_at"], record["env_changed_at"]) if record else None
        if started is None or route not in ("healthz", "v1/version"):
            self._send(404, b"Not Found", "text/plain")
        elif route == "v1/version":
            # ASSUMPTION: the version a Hasura Cloud engine reports.
            self._send_json(200, {"version": "v2.44.0-cloud.1"})
        elif not self._engine_ready(*started):
            self._send(503, b"Service Unavailable", "text/plain")
        else:
            self._send(200, b"OK", "text/plain")

    def _engine_ready(self, created_at: float, env_changed_at: float | None) -> bool:
        """Up once --healthz-delay passed since creation and --restart-delay since the last env change."""
        settings = self.server.faults
        now = time.time()
        if now - created_at < settings.healthz_delay:
            return False
        return env_changed_at is None or now - env_changed_at >= settings.restart_delay

    def _reset(self, raw: bytes) -> None:
        options = self._json_object(raw)
        if options is None:
            return
        self.server.stats.reset()
        self.server.metadata.stats.reset()
        wipe = bool(options.get("state"))
        if wipe:
            with self.server.state.lock:
                self.server.state.wipe()
        self._send_json(200, {"reset": True, "state": wipe})

    def _set_faults(self, raw: bytes) -> None:
        changes = self._json_object(raw)
        if changes is None:
            return
        try:
            self.server.faults.update(changes)
        except ValueError as err:
            self._send_json(400, {"error": str(err)})
            return
        self._send_json(200, self.server.faults.as_dict())

    def _set_dns(self, raw: bytes) -> None:
        """``{"fqdn": NAME, "dns_validation": "succeeded" | "failed" | "pending" | null}``: what a
        custom domain's dns_validation reports from now on (null: back to --dns-delay)."""
        request = self._json_object(raw)
        if request is None:
            return
        fqdn, value = request.get("fqdn"), request.get("dns_validation")
        if set(request) != {"fqdn", "dns_validation"} or not isinstance(fqdn, str) or value not in DNS_VALIDATIONS + (None,):
            self._send_json(400, {"error": 'expected {"fqdn": NAME, "dns_validation": '
                                           + " | ".join(f'"{v}"' for v in DNS_VALIDATIONS) + " | null}"})
            return
        state = self.server.state
        with state.lock:
            record = state.domain_by_fqdn(fqdn)
            if record is not None:
                record["dns_validation"] = value
                record["updated_at"] = time.time()
                state.save()
        if record is None:
            self._send_json(404, {"error": f"no custom domain {fqdn}"})
        else:
            self._send_json(200, {"fqdn": fqdn, "dns_validation": value})

    def _json_object(self, raw: bytes) -> dict[str, Any] | None:
        """Body of a control request: empty means {}; answers 400 itself when invalid."""
        if not raw.strip():
            return {}
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            value = None
        if not isinstance(value, dict):
            self._send_json(400, {"error": "the body must be a JSON object"})
            return None
        return value


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], token: str, state: EmulatorState,
                 faults: Settings, verbose: bool = False) -> None:
        super().__init__(address, EmulatorHandler)
        self.token = token
        self.state = state
        self.faults = faults
        self.stats = Stats()
        self.verbose = verbose
        self.service = GraphQLService(state, self.stats, faults)
        self.metadata = MetadataAPI(state, faults)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Broken connections are normal here (drop faults, clients timing out); stay quiet
        # unless asked, and never on stdout.
        if self.verbose:
            import traceback
            traceback.print_exc(file=sys.stderr)


# --------------------------------------------------------------------------- command line


def parse_lose_answer(spec: str) -> tuple[str, int]:
    name, _colon, count = spec.partition(":")
    if not name:
        raise argparse.ArgumentTypeError(f"invalid --lose-answer {spec!r}")
    try:
        number = int(count) if count else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count in --lose-answer {spec!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"count must be >= 1 in --lose-answer {spec!r}")
    return name, number


def parse_statuses(spec: str) -> list[int]:
    try:
        statuses = [int(part) for part in spec.split(",") if part.strip()]
        return _check_statuses(statuses)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"invalid --error-statuses {spec!r}: {err}") from None


def parse_fraction(spec: str) -> float:
    try:
        return _check_fraction(float(spec))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def build_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Local Hasura Cloud API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--token", required=True, help="the personal access token to accept")
    parser.add_argument("--state-file", help="JSON file holding the tenants across restarts")
    parser.add_argument("--healthz-delay", type=float, default=0.0, metavar="SECONDS",
                        help="a new project's /healthz answers 503 for this long")
    parser.add_argument("--restart-delay", type=float, default=0.0, metavar="SECONDS",
                        help="after every env change, the project's /healthz answers 503 for this long")
    parser.add_argument("--dns-delay", type=float, default=0.0, metavar="SECONDS",
                        help="a new custom domain's dns_validation is pending for this long")
    parser.add_argument("--ignore-create-name", action="store_true",
                        help="createTenant ignores name and invents one, as seen of the real service")
    parser.add_argument("--flat-env-vars", action="store_true",
                        help="serve getTenantEnv.envVars as a flat object instead of under environment")
    parser.add_argument("--auth-error", choices=sorted(AUTH_ERRORS), default="access-denied",
                        help="how a bad token is answered (default: access-denied, as a webhook-auth engine)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS")
    parser.add_argument("--error-rate", type=parse_fraction, default=0.0, metavar="FRACTION")
    parser.add_argument("--error-statuses", type=parse_statuses,
                        default=list(DEFAULT_ERROR_STATUSES), metavar="429,502,503")
    parser.add_argument("--retry-after", type=int, default=1, metavar="SECONDS")
    parser.add_argument("--drop-rate", type=parse_fraction, default=0.0, metavar="FRACTION")
    parser.add_argument("--lose-answer", type=parse_lose_answer, action="append", default=[],
                        metavar="OPERATION[:COUNT]")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--tls-cert", metavar="FILE")
    parser.add_argument("--tls-key", metavar="FILE")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    return parser


def faults_from_args(args: argparse.Namespace) -> Settings:
    faults = Settings()
    lose: dict[str, int] = {}
    for name, count in args.lose_answer:
        lose[name] = lose.get(name, 0) + count
    faults.update({
        "latency_ms": args.latency,
        "error_rate": args.error_rate,
        "error_statuses": args.error_statuses,
        "retry_after": args.retry_after,
        "drop_rate": args.drop_rate,
        "lose_answer": lose,
        "healthz_delay": args.healthz_delay,
        "restart_delay": args.restart_delay,
        "dns_delay": args.dns_delay,
        "ignore_create_name": args.ignore_create_name,
        "flat_env_vars": args.flat_env_vars,
        "auth_error": args.auth_error,
        "seed": args.seed,
    })
    return faults


def make_server(args: argparse.Namespace) -> tuple[EmulatorServer, str]:
    """Bind the server; returns it with its public base URL (real port filled in)."""
    state = EmulatorState(args.state_file)
    server = EmulatorServer((args.host, args.port), args.token, state,
                            faults_from_args(args), args.verbose)
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        # Handshake later, in the handler thread: a slow client must not stall accept().
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
        scheme = "https"
    port = server.server_address[1]
    host = args.host if ":" not in args.host else f"[{args.host}]"
    base_url = f"{scheme}://{host}:{port}"
    server.service.base_url = base_url
    return server, base_url


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:
        server, base_url = make_server(args)
    except (OSError, ValueError, KeyError, ssl.SSLError) as err:
        print(f"cannot start the emulator: {err}", file=sys.stderr)
        return 1

    def stop(_signum: int, _frame: Any) -> None:
        # shutdown() waits for serve_forever() to return, which runs in this very thread:
        # ask from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"listening on {base_url}/v1/graphql", flush=True)
    try:
        # A short poll: shutdown() waits for the loop to notice, and tests stop many emulators.
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
