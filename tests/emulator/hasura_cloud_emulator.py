#!/usr/bin/env python
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Local emulator of the Hasura Cloud API, for the demo, the tests and the benchmarks.

A real GraphQL server (graphql-core) over ``http.server``: the schema is ``schema.graphql``
beside this file, every request is parsed, validated and executed, and errors come back
Hasura-style (HTTP 200, ``errors`` with ``extensions.code``, no ``data``).
The command line, the semantics and the control endpoints are specified in CONTRIBUTING.md
("GraphQL surface", "Emulator command line and control endpoints"); see README.md here.

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
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import graphql
from graphql.language import ast as gql_ast
from graphql.utilities import get_operation_ast, value_from_ast_untyped

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.graphql")

NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
NAME_MAX_LEN = 63
ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CLOUDS = ("aws", "gcp")
DEFAULT_PLAN = "cloud_free"
DEFAULT_ERROR_STATUSES = (429, 502, 503)
MAX_BODY_BYTES = 4 * 1024 * 1024
STATE_FILE_VERSION = 1

AUTH_MESSAGE = "invalid Authorization header: a valid personal access token is required"

ADJECTIVES = (
    "amber", "brave", "calm", "daring", "eager", "fancy", "gentle", "happy", "icy", "jolly",
    "keen", "lively", "merry", "nimble", "odd", "proud", "quiet", "rapid", "shiny", "tidy",
    "upbeat", "vivid", "witty", "young", "zesty",
)
ANIMALS = (
    "ant", "bison", "cobra", "dingo", "eagle", "ferret", "gecko", "heron", "ibis", "jackal",
    "koala", "lemur", "marmot", "newt", "otter", "panda", "quail", "raven", "seal", "tapir",
    "urchin", "vole", "walrus", "yak", "zebra",
)


# --------------------------------------------------------------------------- errors


class HasuraError(Exception):
    """An error the service reports in the body: ``extensions.code`` plus message."""

    def __init__(self, code: str, message: str, path: str = "$") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path


def error_body(code: str, message: str, path: str = "$") -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"path": path, "code": code}}]}


# --------------------------------------------------------------------------- domain helpers


def env_hash(environment: dict[str, str]) -> str:
    """40-hex SHA-1 of the canonical JSON of the environment object."""
    canonical = json.dumps(environment, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def tenant_env_view(record: dict[str, Any]) -> dict[str, Any]:
    env = dict(record["env"])
    return {"hash": env_hash(env), "envVars": {"environment": env}}


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


# --------------------------------------------------------------------------- state


class EmulatorState:
    """Tenants, plus the optional JSON state file they are persisted to.

    Callers hold ``lock`` around every read and write (see ``GraphQLService.execute``).
    """

    def __init__(self, state_file: str | None) -> None:
        self.lock = threading.Lock()
        self.state_file = state_file
        self.tenants: dict[str, dict[str, Any]] = {}  # tenant id -> record, creation order
        # Names are invented with their own generator so that --seed fault draws stay
        # independent of how many tenants get created.
        self.names_rng = random.Random()
        if state_file and os.path.exists(state_file):
            self._load()

    # --- persistence

    def _load(self) -> None:
        with open(self.state_file, encoding="utf-8") as handle:
            data = json.load(handle)
        for record in data.get("tenants", []):
            self.tenants[record["id"]] = record

    def save(self) -> None:
        """Write the state file atomically: temp file in the same dir, fsync, os.replace."""
        if not self.state_file:
            return
        directory = os.path.dirname(os.path.abspath(self.state_file))
        payload = {"version": STATE_FILE_VERSION, "tenants": list(self.tenants.values())}
        fd, tmp_path = tempfile.mkstemp(prefix=".emulator-state-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_path, self.state_file)
        except BaseException:
            try:
                os.unlink(tmp_path)
            except OSError:
                pass
            raise

    def wipe(self) -> None:
        self.tenants.clear()
        self.save()

    # --- lookups

    def get(self, tenant_id: str) -> dict[str, Any]:
        record = self.tenants.get(tenant_id)
        if record is None:
            raise HasuraError("not-exists", f"tenant {tenant_id} does not exist")
        return record

    def by_project_id(self, project_id: str) -> dict[str, Any] | None:
        for record in self.tenants.values():
            if record["project"]["id"] == project_id:
                return record
        return None

    def by_name(self, name: str) -> dict[str, Any] | None:
        for record in self.tenants.values():
            if record["project"]["name"] == name:
                return record
        return None

    # --- name generation

    def _invent(self, taken: set[str]) -> str:
        while True:
            candidate = "{}-{}-{:02d}".format(
                self.names_rng.choice(ADJECTIVES),
                self.names_rng.choice(ANIMALS),
                self.names_rng.randrange(100),
            )
            if candidate not in taken:
                return candidate

    def invent_name(self) -> str:
        return self._invent({r["project"]["name"] for r in self.tenants.values()})

    def invent_slug(self) -> str:
        return self._invent({r["slug"] for r in self.tenants.values()})


# --------------------------------------------------------------------------- where filters


def match_comparison(value: str, comparison: dict[str, Any] | None) -> bool:
    """Hasura comparison operators; a null operator value is ignored (ASSUMPTION: the real
    engine's handling of null comparisons depends on its configuration)."""
    if not comparison:
        return True
    if comparison.get("_eq") is not None and value != comparison["_eq"]:
        return False
    if comparison.get("_neq") is not None and value == comparison["_neq"]:
        return False
    if comparison.get("_in") is not None and value not in comparison["_in"]:
        return False
    return True


def match_bool_exp(record: dict[str, Any], where: dict[str, Any] | None, kind: str) -> bool:
    """Evaluate a ``tenant_bool_exp`` (kind "tenant") or ``projects_bool_exp`` (kind
    "projects") against a tenant record; each record holds exactly one project."""
    if not where:
        return True
    if where.get("_and") is not None and not all(
        match_bool_exp(record, sub, kind) for sub in where["_and"]
    ):
        return False
    if where.get("_or") is not None and not any(
        match_bool_exp(record, sub, kind) for sub in where["_or"]
    ):
        return False
    if kind == "tenant":
        columns = {"id": record["id"], "slug": record["slug"]}
        relation, other = "project", "projects"
    else:
        columns = {"id": record["project"]["id"], "name": record["project"]["name"]}
        relation, other = "tenant", "tenant"
    for column, value in columns.items():
        if not match_comparison(value, where.get(column)):
            return False
    return match_bool_exp(record, where.get(relation), other)


# --------------------------------------------------------------------------- GraphQL layer


def build_executable_schema(service: GraphQLService) -> graphql.GraphQLSchema:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = graphql.build_schema(handle.read())
    _install_scalars(schema)
    _install_object_resolvers(schema, service)
    query_resolvers = {
        "tenant_by_pk": service.resolve_tenant_by_pk,
        "tenant": service.resolve_tenant_list,
        "projects_by_pk": service.resolve_projects_by_pk,
        "projects": service.resolve_projects_list,
        "getTenantEnv": service.resolve_get_tenant_env,
    }
    mutation_resolvers = {
        "createTenant": service.resolve_create_tenant,
        "deleteTenant": service.resolve_delete_tenant,
        "updateTenantEnv": service.resolve_update_tenant_env,
        "deleteTenantEnv": service.resolve_delete_tenant_env,
        "updateTenantName": service.resolve_update_tenant_name,
    }
    for root, resolvers in ((schema.query_type, query_resolvers),
                            (schema.mutation_type, mutation_resolvers)):
        for name, resolver in resolvers.items():
            root.fields[name].resolve = resolver
    return schema


def _install_scalars(schema: graphql.GraphQLSchema) -> None:
    uuid_type = schema.type_map["uuid"]
    uuid_type.coerce_input_value = parse_uuid
    uuid_type.coerce_output_value = str

    def uuid_literal(node: gql_ast.ValueNode) -> str:
        if not isinstance(node, gql_ast.StringValueNode):
            raise TypeError("uuid literal must be a string")
        return parse_uuid(node.value)

    uuid_type.coerce_input_literal = uuid_literal

    jsonb_type = schema.type_map["jsonb"]
    jsonb_type.coerce_input_value = lambda value: value
    jsonb_type.coerce_input_literal = value_from_ast_untyped
    jsonb_type.coerce_output_value = lambda value: value


def _install_object_resolvers(schema: graphql.GraphQLSchema, service: GraphQLService) -> None:
    """``tenant`` and ``projects`` objects are both backed by the same tenant record
    (one project per tenant), so the relation fields just hand the record on."""
    tenant_fields = schema.type_map["tenant"].fields
    tenant_fields["project"].resolve = lambda record, _info: record
    project_fields = schema.type_map["projects"].fields
    project_fields["id"].resolve = lambda record, _info: record["project"]["id"]
    project_fields["name"].resolve = lambda record, _info: record["project"]["name"]
    project_fields["plan_name"].resolve = lambda record, _info: record["project"]["plan_name"]
    project_fields["endpoint"].resolve = (
        lambda record, _info: service.endpoint_for(record["project"]["name"])
    )
    project_fields["tenant"].resolve = lambda record, _info: record


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
    elif error.path is None:
        # No path: raised before any resolver ran (variable coercion, operation selection).
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
    """The GraphQL half of the emulator: schema, resolvers, counters for operations."""

    def __init__(self, state: EmulatorState, stats: Stats, base_url: str = "") -> None:
        self.state = state
        self.stats = stats
        self.base_url = base_url  # e.g. http://127.0.0.1:8080, set once the port is known
        self.schema = build_executable_schema(self)
        self._dirty = False

    def endpoint_for(self, name: str) -> str:
        return f"{self.base_url}/projects/{name}/v1/graphql"

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
            return {"errors": [graphql_error_to_hasura(e) for e in errors]}, []
        is_mutation = operation is not None and operation.operation == gql_ast.OperationType.MUTATION
        # One lock around the whole execution: every resolver of the document sees one
        # consistent state, and a hash check and its write can never interleave with
        # another writer.
        with self.state.lock:
            self._dirty = False
            result = graphql.execute(
                self.schema, document, variable_values=variables, operation_name=operation_name
            )
            if self._dirty:
                self.state.save()
        # data is None only when execution never started (bad variables, no operation).
        executed = names if result.data is not None else []
        if is_mutation and executed:
            self.stats.count_mutation()
        if result.errors:
            # Hasura answers errors alone, without partial data.
            return {"errors": [graphql_error_to_hasura(e) for e in result.errors]}, executed
        return {"data": result.data}, executed

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

    # --- queries (called with the state lock held)

    def resolve_tenant_by_pk(self, _root: Any, _info: Any, id: str) -> dict[str, Any] | None:
        return self.state.tenants.get(id)

    def resolve_tenant_list(self, _root: Any, _info: Any, where: dict | None = None) -> list:
        return [r for r in self.state.tenants.values() if match_bool_exp(r, where, "tenant")]

    def resolve_projects_by_pk(self, _root: Any, _info: Any, id: str) -> dict[str, Any] | None:
        return self.state.by_project_id(id)

    def resolve_projects_list(self, _root: Any, _info: Any, where: dict | None = None) -> list:
        return [r for r in self.state.tenants.values() if match_bool_exp(r, where, "projects")]

    def resolve_get_tenant_env(self, _root: Any, _info: Any, tenantId: str) -> dict[str, Any]:
        return tenant_env_view(self.state.get(tenantId))

    # --- mutations (called with the state lock held)

    def resolve_create_tenant(self, _root: Any, _info: Any, cloud: str, region: str,
                              name: str | None = None, plan: str | None = None,
                              databaseUrl: str | None = None,
                              envs: list[dict[str, str]] | None = None) -> dict[str, Any]:
        # databaseUrl is accepted and deliberately dropped: it is a secret, never read back,
        # and must not land in the state file.
        del databaseUrl
        if cloud not in CLOUDS:
            raise HasuraError("validation-failed",
                              f"invalid cloud {cloud!r}: must be one of {', '.join(CLOUDS)}")
        if not region.strip():
            raise HasuraError("validation-failed", "region must not be empty")
        if plan is not None and not plan.strip():
            raise HasuraError("validation-failed", "plan must not be empty")
        if name is None:
            name = self.state.invent_name()
        check_project_name(name)
        if self.state.by_name(name) is not None:
            raise HasuraError("constraint-violation", f"a project named {name} already exists")
        envs = envs or []
        check_env_keys([e["key"] for e in envs])
        record = {
            "id": str(uuid.uuid4()),
            "slug": self.state.invent_slug(),
            "cloud": cloud,
            "region": region,
            "created_at": time.time(),  # wall clock, so healthz readiness survives restarts
            "project": {"id": str(uuid.uuid4()), "name": name, "plan_name": plan or DEFAULT_PLAN},
            "env": {e["key"]: e["value"] for e in envs},
        }
        self.state.tenants[record["id"]] = record
        self._dirty = True
        return {"id": record["id"], "name": name}

    def resolve_delete_tenant(self, _root: Any, _info: Any, tenantId: str) -> dict[str, str]:
        self.state.get(tenantId)
        del self.state.tenants[tenantId]
        self._dirty = True
        return {"status": "deleted"}

    def resolve_update_tenant_env(self, _root: Any, _info: Any, tenantId: str,
                                  currentHash: str, envs: list[dict[str, str]]) -> dict:
        record = self.state.get(tenantId)
        check_env_keys([e["key"] for e in envs])
        self._check_hash(record, currentHash)
        for entry in envs:
            record["env"][entry["key"]] = entry["value"]
        self._dirty = True
        return tenant_env_view(record)

    def resolve_delete_tenant_env(self, _root: Any, _info: Any, tenantId: str,
                                  currentHash: str, deleteEnvs: list[str]) -> dict:
        record = self.state.get(tenantId)
        check_env_keys(deleteEnvs)
        self._check_hash(record, currentHash)
        for key in deleteEnvs:
            record["env"].pop(key, None)  # unknown keys are ignored
        self._dirty = True
        return tenant_env_view(record)

    def resolve_update_tenant_name(self, _root: Any, _info: Any, tenantId: str,
                                   name: str) -> dict[str, Any]:
        record = self.state.get(tenantId)
        check_project_name(name)
        holder = self.state.by_name(name)
        if holder is not None and holder is not record:
            raise HasuraError("constraint-violation", f"a project named {name} already exists")
        record["project"]["name"] = name
        self._dirty = True
        return {"tenant": record}

    @staticmethod
    def _check_hash(record: dict[str, Any], current_hash: str) -> None:
        if current_hash != env_hash(record["env"]):
            raise HasuraError(
                "constraint-violation",
                f"env hash mismatch: currentHash {current_hash} is stale, "
                "the environment changed since it was read",
            )


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


class FaultSettings:
    """Fault injection settings and the random generator that drives them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_ms = 0.0
        self.error_rate = 0.0
        self.error_statuses: list[int] = list(DEFAULT_ERROR_STATUSES)
        self.retry_after = 1
        self.drop_rate = 0.0
        self.lose_answer: dict[str, int] = {}
        self.healthz_delay = 0.0
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
    "seed": _check_seed,
}


# --------------------------------------------------------------------------- HTTP layer


class _DropConnection(Exception):
    """Raised inside a handler to close the connection without writing an answer."""


class _Answered(Exception):
    """Raised inside a handler when the answer has already been written."""


class EmulatorHandler(BaseHTTPRequestHandler):
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
            self._send_json(200, self.server.stats.snapshot())
        elif path == "/_emulator/faults":
            self._send_json(200, self.server.faults.as_dict())
        elif path.startswith("/projects/") and path.endswith("/healthz"):
            self._healthz(path[len("/projects/"):-len("/healthz")])
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
            return error_body("invalid-headers", AUTH_MESSAGE), []
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

    def _healthz(self, name: str) -> None:
        with self.server.state.lock:
            record = self.server.state.by_name(name)
            created_at = record["created_at"] if record else None
        if created_at is None:
            self._send(404, b"Not Found", "text/plain")
        elif time.time() - created_at < self.server.faults.healthz_delay:
            self._send(503, b"Service Unavailable", "text/plain")
        else:
            self._send(200, b"OK", "text/plain")

    def _reset(self, raw: bytes) -> None:
        options = self._json_object(raw)
        if options is None:
            return
        self.server.stats.reset()
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
                 faults: FaultSettings, verbose: bool = False) -> None:
        super().__init__(address, EmulatorHandler)
        self.token = token
        self.state = state
        self.faults = faults
        self.stats = Stats()
        self.verbose = verbose
        self.service = GraphQLService(state, self.stats)

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
    parser.add_argument("--healthz-delay", type=float, default=0.0, metavar="SECONDS")
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


def faults_from_args(args: argparse.Namespace) -> FaultSettings:
    faults = FaultSettings()
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
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
