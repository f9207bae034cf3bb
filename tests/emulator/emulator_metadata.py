# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The metadata API of each project's engine, for the Hasura Cloud emulator.

``POST <endpoint>/v1/metadata`` as the Hasura docs describe it (api-reference/metadata-api):
``export_metadata`` and ``replace_metadata`` (versions 1 and 2, with ``resource_version``
and HTTP 409 ``conflict`` on a stale one), ``get_inconsistent_metadata``,
``reload_metadata``, ``clear_metadata`` and ``bulk``. Errors come as the engine sends
them: a non-200 status with ``{"path", "error", "code"}`` (plus ``internal`` for
inconsistent objects). Authenticated by the project's ``HASURA_GRAPHQL_ADMIN_SECRET``
(``x-hasura-admin-secret``).

The engine has no database here, so it checks what an engine can check without one:
metadata version 3, duplicate names, a source whose database URL comes ``from_env`` from
a variable the project's env does not have (re-evaluated on every request, as a real
engine does when it restarts after an env change), a remote schema URL from a missing
variable, relationships to tables that are not tracked, and action output types that are
not defined. Tables are taken to exist in their database and remote schemas to answer.
Every behaviour the Hasura docs do not fix is marked ASSUMPTION.

Each tenant record keeps its metadata under the key ``metadata`` (``resource_version`` and
the object), so it lives in the state file with the tenant and goes with it; a record
without the key (a state file of an earlier emulator) starts from an empty metadata.
Standard library only. Callers hold ``EmulatorState.lock`` around ``MetadataAPI.execute``.
"""

from __future__ import annotations

import copy
import hmac
import json
import threading
import time
from typing import Any

ADMIN_SECRET_KEY = "HASURA_GRAPHQL_ADMIN_SECRET"
ADMIN_SECRET_HEADERS = ("X-Hasura-Admin-Secret", "X-Hasura-Access-Key")  # the second: the deprecated name
READ_ONLY_TYPES = ("export_metadata", "get_inconsistent_metadata")
GRAPHQL_SCALARS = ("Int", "Float", "String", "Boolean", "ID")
INCONSISTENT = "cannot continue due to inconsistent metadata"

# Named lists whose names must be unique: (key, what the error calls them, the name of an entry).
# The words are an ASSUMPTION except "allowlist entries" (the engine's own tests show it).
TOP_LEVEL_NAMED = (
    ("sources", "sources", lambda entry: entry.get("name")),
    ("actions", "actions", lambda entry: entry.get("name")),
    ("remote_schemas", "remote schemas", lambda entry: entry.get("name")),
    ("cron_triggers", "cron triggers", lambda entry: entry.get("name")),
    ("query_collections", "query collections", lambda entry: entry.get("name")),
    ("allowlist", "allowlist entries", lambda entry: entry.get("collection")),
    ("inherited_roles", "inherited roles", lambda entry: entry.get("role_name")),
    ("rest_endpoints", "rest endpoints", lambda entry: entry.get("name")),
)


class MetadataError(Exception):
    """An error answer of the metadata API: HTTP status and ``{"path", "error", "code"}``."""

    def __init__(self, status: int, code: str, error: str, path: str = "$", internal: Any = None) -> None:
        super().__init__(error)
        self.status = status
        self.body: dict[str, Any] = {"path": path, "error": error, "code": code}
        if internal is not None:
            self.body["internal"] = internal


def parse_failed(error: str, path: str = "$.args") -> MetadataError:
    return MetadataError(400, "parse-failed", error, path)


def empty_metadata() -> dict[str, Any]:
    """What a new project's engine holds. ASSUMPTION: no source at all, resource version 1 (below)."""
    return {"version": 3, "sources": []}


def table_text(ref: Any) -> str:
    """``schema.name`` of a table reference (``{"schema", "name"}``, a bare name: schema public)."""
    if isinstance(ref, dict):
        return "%s.%s" % (ref.get("schema", "public"), ref.get("name"))
    if isinstance(ref, list):
        return ".".join(str(part) for part in ref)
    return "public.%s" % ref


# --------------------------------------------------------------------------- counters


class MetadataStats:
    """Counters of the metadata API, shown under ``metadata`` in GET /_emulator/stats.

    ``requests``: every POST to a project's /v1/metadata, faulted or not; ``types``: the
    requests that reached execution, by type (the queries inside a ``bulk`` counted too);
    ``writes``: requests that changed a project's metadata; ``conflicts``: 409 answers.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.types: dict[str, int] = {}
            self.writes = 0
            self.conflicts = 0

    def count(self, field: str, name: str | None = None) -> None:
        with self._lock:
            if name is None:
                setattr(self, field, getattr(self, field) + 1)
            else:
                self.types[name] = self.types.get(name, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": self.requests, "types": dict(self.types), "writes": self.writes,
                    "conflicts": self.conflicts}


# --------------------------------------------------------------------------- checks


def _entries(metadata: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    value = metadata.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise parse_failed("expected a list of objects for %s" % key, "%s.%s" % (path, key))
    return value


def _check_unique(entries: list[dict[str, Any]], things: str, name_of, path: str) -> None:
    names = [name_of(entry) for entry in entries]
    if any(name is None for name in names):
        raise parse_failed("every entry of the %s needs a name" % things, path)
    seen: set[str] = set()
    duplicates: set[str] = set()
    for name in map(str, names):
        (duplicates if name in seen else seen).add(name)
    if duplicates:
        # The engine's parser (parseListAsMap) refuses duplicates before anything is built.
        raise parse_failed("multiple declarations exist for the following %s: %s"
                           % (things, ", ".join(sorted(duplicates))),
                           path)


def validate(metadata: Any) -> None:
    """What the engine refuses to parse: HTTP 400 parse-failed, whatever allow_inconsistent_metadata says."""
    path = "$.args.metadata"
    if not isinstance(metadata, dict):
        raise parse_failed("expected an object for the metadata", path)
    if metadata.get("version") != 3:
        # ASSUMPTION: a real engine also reads versions 1 and 2 (tables at the top level); this one does not.
        raise parse_failed("expected metadata version 3, got %s (this emulator reads version 3 only)"
                           % json.dumps(metadata.get("version")), path)
    for key, things, name_of in TOP_LEVEL_NAMED:
        _check_unique(_entries(metadata, key, path), things, name_of, path)
    for index, source in enumerate(metadata.get("sources", [])):
        source_path = "%s.sources[%d]" % (path, index)
        tables = _entries(source, "tables", source_path)
        if any("table" not in table for table in tables):
            raise parse_failed('key "table" not found', source_path + ".tables")
        _check_unique(tables, "tables", lambda table: table_text(table["table"]), source_path)
        _entries(source, "functions", source_path)
    if not isinstance(metadata.get("custom_types", {}), dict):
        raise parse_failed("expected an object for custom_types", path + ".custom_types")


def _missing_env(value: Any, env: dict[str, str], key: str = "from_env") -> str | None:
    """The variable a ``{"from_env": NAME}`` value names when the env lacks it, else None."""
    if isinstance(value, dict) and isinstance(value.get(key), str) and value[key] not in env:
        return value[key]
    return None


def _env_problem(name: str) -> str:
    # The engine's words (seen in the console's handling of its errors).
    return "Inconsistent object: environment variable '%s' not set" % name


def _source_problem(source: dict[str, Any], env: dict[str, str]) -> str | None:
    """Why the engine cannot use a source without touching a database: a URL from a missing variable.

    ASSUMPTION: a literal URL or connection parameters are taken to reach their database.
    """
    info = (source.get("configuration") or {}).get("connection_info") or {}
    urls = [info.get("database_url"), info.get("connection_string")]
    urls += [(replica.get("database_url") if isinstance(replica, dict) else None)
             for replica in (source.get("configuration") or {}).get("read_replicas") or []]
    for url in urls:
        missing = _missing_env(url, env)
        if missing:
            return _env_problem(missing)
    return None


def _source_definition(source: dict[str, Any]) -> dict[str, Any]:
    """ASSUMPTION: an inconsistent source is shown without its tables and functions."""
    return {key: value for key, value in source.items() if key not in ("tables", "functions")}


def _relationship_problems(source: dict[str, Any]) -> list[dict[str, Any]]:
    """Relationships to tables the source does not track (the engine checks this before any database query)."""
    tracked = {table_text(table["table"]) for table in source.get("tables", [])}
    found = []
    for table in source.get("tables", []):
        for kind, label in (("object_relationships", "object_relation"), ("array_relationships", "array_relation")):
            for rel in table.get(kind) or []:
                using = rel.get("using") or {}
                target = (using.get("manual_configuration") or {}).get("remote_table")
                fkey = using.get("foreign_key_constraint_on")
                if target is None and isinstance(fkey, dict):
                    target = fkey.get("table")
                if target is None or table_text(target) in tracked:
                    continue
                found.append({
                    "type": label,
                    "name": "%s %s in table %s in source %s" % (label, rel.get("name"), table_text(table["table"]),
                                                                source.get("name")),
                    "definition": dict(rel, source=source.get("name"), table=table["table"]),
                    "reason": 'Inconsistent object: in table "%s": in relationship "%s": table "%s" is not tracked'
                              % (table_text(table["table"]), rel.get("name"), table_text(target)),
                })
    return found


def _action_problems(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Actions whose output type is neither a custom type nor a GraphQL scalar.

    ASSUMPTION: the reason's wording; a real engine refuses such an action too.
    """
    custom = metadata.get("custom_types") or {}
    known = set(GRAPHQL_SCALARS)
    for kind in ("objects", "scalars", "enums"):
        known |= {entry.get("name") for entry in custom.get(kind) or [] if isinstance(entry, dict)}
    found = []
    for action in metadata.get("actions", []):
        output = str((action.get("definition") or {}).get("output_type") or "")
        base = output.replace("[", "").replace("]", "").replace("!", "").strip()
        if base and base not in known:
            found.append({"type": "action", "name": "action %s" % action.get("name"), "definition": action,
                          "reason": 'Inconsistent object: the type "%s" of action %s is not defined in custom types'
                                    % (base, action.get("name"))})
    return found


def inconsistencies(metadata: dict[str, Any], env: dict[str, str]) -> list[dict[str, Any]]:
    """The inconsistent objects of ``metadata`` for an engine whose environment is ``env``."""
    found = []
    for source in metadata.get("sources", []):
        problem = _source_problem(source, env)
        if problem:
            found.append({"type": "source", "name": "source %s" % source.get("name"),
                          "definition": _source_definition(source), "reason": problem})
        else:
            found.extend(_relationship_problems(source))
    for schema in metadata.get("remote_schemas", []):
        missing = _missing_env(schema.get("definition"), env, "url_from_env")
        if missing:
            # ASSUMPTION: a literal URL is taken to answer (a real engine fetches the schema).
            found.append({"type": "remote_schema", "name": "remote_schema %s" % schema.get("name"),
                          "definition": schema, "reason": _env_problem(missing)})
    found.extend(_action_problems(metadata))
    return found


# --------------------------------------------------------------------------- export form


def _prune(value: Any) -> Any:
    """Nulls and empty lists and objects left out, as in the engine's export of sources and tables."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def exported(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata as the engine exports it, which is not byte for byte what was put in.

    ASSUMPTION (the export form is not documented): a source without ``kind`` is exported
    with ``kind: postgres`` (the engine's own tests show this default), nulls and empty
    lists inside sources are left out, and keys come sorted.
    """
    out = dict(metadata)
    out["sources"] = [_prune(dict({"kind": "postgres"}, **source)) for source in out.get("sources", [])]
    return json.loads(json.dumps(out, sort_keys=True))


# --------------------------------------------------------------------------- the API


class MetadataAPI:
    """Executes metadata API requests against the tenant records of an EmulatorState."""

    def __init__(self, state: Any, settings: Any) -> None:
        self.state = state
        self.settings = settings
        self.stats = MetadataStats()
        # The export form of each tenant's stored metadata: (the object it was made from, its form).
        # Stored objects are never changed in place, so identity tells when it is stale.
        self._exports: dict[str, tuple[Any, dict[str, Any]]] = {}

    # --- entry point (state lock held)

    def execute(self, record: dict[str, Any], request: Any) -> tuple[int, Any, list[str]]:
        """Run one request body against a tenant; return (status, answer, types executed).

        Atomic: a failed request (a bulk included) leaves the stored metadata as it was.
        """
        store = self._store(record)
        # Requests never change a metadata object in place; a write puts a new one in "metadata".
        work = {"resource_version": store["resource_version"], "metadata": store["metadata"],
                "modified": False, "types": []}
        try:
            if not isinstance(request, dict):
                raise parse_failed("expected an object for the request body", "$")
            self._race(record, store, request, work)
            answer = self._dispatch(record, work, request, "$")
            if work["modified"]:
                self._commit(store, work, request)
        except MetadataError as err:
            if err.status == 409:
                self.stats.count("conflicts")
            return err.status, err.body, work["types"]
        return 200, answer, work["types"]

    def _store(self, record: dict[str, Any]) -> dict[str, Any]:
        if "metadata" not in record:
            record["metadata"] = {"resource_version": 1, "metadata": empty_metadata()}
        return record["metadata"]

    def _commit(self, store: dict[str, Any], work: dict[str, Any], request: dict[str, Any]) -> None:
        wanted = request.get("resource_version")
        if wanted is not None and wanted != store["resource_version"]:
            # The words of the engine's 409 answer (manage-metadata docs).
            raise MetadataError(409, "conflict", "metadata resource version referenced (%s) did not match current "
                                                 "version" % wanted)
        store["metadata"] = work["metadata"]
        store["resource_version"] += 1  # one step per write, whatever it held (the docs: "incremented")
        self.stats.count("writes")
        self.state.save()

    def _race(self, record: dict[str, Any], store: dict[str, Any], request: dict[str, Any],
              work: dict[str, Any]) -> None:
        """Fault ``metadata_race``: another writer replaces the metadata just before this write.

        Only for a write that carries a resource_version, which then meets a moved one.
        """
        if request.get("type") not in ("replace_metadata", "bulk") or request.get("resource_version") is None:
            return
        if not self.settings.take_metadata_race():
            return
        changed = copy.deepcopy(store["metadata"])
        changed.setdefault("query_collections", []).append(
            {"name": "concurrent-writer-%d" % store["resource_version"], "definition": {"queries": []}})
        store["metadata"] = changed
        store["resource_version"] += 1
        work["resource_version"] = store["resource_version"]
        self.stats.count("writes")
        self.state.save()

    # --- dispatch

    def _dispatch(self, record: dict[str, Any], work: dict[str, Any], request: dict[str, Any], path: str) -> Any:
        kind = request.get("type")
        if not isinstance(kind, str):
            raise parse_failed('key "type" not found', path)
        if kind == "bulk":
            return self._bulk(record, work, request, path)
        handler = {
            "export_metadata": self._export,
            "replace_metadata": self._replace,
            "get_inconsistent_metadata": self._get_inconsistent,
            "reload_metadata": self._reload,
            "clear_metadata": self._clear,
        }.get(kind)
        if handler is None:
            # ASSUMPTION: the wording for a type this engine does not know (the emulator
            # knows only the types above; a real engine knows many more).
            raise parse_failed('unknown metadata command "%s"' % kind, path)
        work["types"].append(kind)
        self.stats.count("types", kind)
        return handler(record, work, request)

    def _bulk(self, record: dict[str, Any], work: dict[str, Any], request: dict[str, Any], path: str) -> list[Any]:
        args = request.get("args")
        if not isinstance(args, list):
            raise parse_failed("expected a list of queries for a bulk", path + ".args")
        work["types"].append("bulk")
        self.stats.count("types", "bulk")
        return [self._dispatch(record, work, query if isinstance(query, dict) else {}, "%s.args[%d]" % (path, index))
                for index, query in enumerate(args)]

    @staticmethod
    def _version(request: dict[str, Any]) -> int:
        version = request.get("version", 1)
        if version not in (1, 2):
            raise parse_failed("unsupported version %s" % json.dumps(version), "$.version")
        return version

    # --- the types

    def _export(self, record: dict[str, Any], work: dict[str, Any], request: dict[str, Any]) -> Any:
        cached = self._exports.get(record["id"])
        if cached is None or cached[0] is not work["metadata"]:
            cached = (work["metadata"], exported(work["metadata"]))
            self._exports[record["id"]] = cached
        metadata = cached[1]
        if self._version(request) == 1:
            return metadata
        return {"resource_version": work["resource_version"], "metadata": metadata}

    def _replace(self, record: dict[str, Any], work: dict[str, Any], request: dict[str, Any]) -> Any:
        args = request.get("args")
        # Without a version, it is inferred from the form of args (manage-metadata docs).
        version = request.get("version") or (2 if isinstance(args, dict) and "metadata" in args else 1)
        if self._version(dict(request, version=version)) == 2:
            if not isinstance(args, dict):
                raise parse_failed("expected an object for args")
            metadata, allow = args.get("metadata"), bool(args.get("allow_inconsistent_metadata"))
        else:
            metadata, allow = args, False
        validate(metadata)
        found = inconsistencies(metadata, record["env"])
        if found and not allow:
            raise MetadataError(400, "unexpected", INCONSISTENT, "$.args", internal=found)
        work["metadata"] = metadata  # a fresh object, decoded from this request
        work["modified"] = True
        if version == 1:
            return {"message": "success"}
        # ASSUMPTION: the consistent answer has the same shape as the inconsistent one (docs, engine tests).
        return {"is_consistent": not found, "inconsistent_objects": found}

    def _get_inconsistent(self, record: dict[str, Any], work: dict[str, Any], _request: dict[str, Any]) -> Any:
        found = inconsistencies(work["metadata"], record["env"])
        return {"is_consistent": not found, "inconsistent_objects": found}

    def _reload(self, record: dict[str, Any], work: dict[str, Any], _request: dict[str, Any]) -> Any:
        # The docs: the resource version moves on a reload too.
        work["modified"] = True
        found = inconsistencies(work["metadata"], record["env"])
        answer: dict[str, Any] = {"is_consistent": not found, "message": "success"}
        if found:
            answer["inconsistent_objects"] = found
        return answer

    def _clear(self, _record: dict[str, Any], work: dict[str, Any], _request: dict[str, Any]) -> Any:
        # ASSUMPTION: a source named default keeps its configuration, without tables or functions.
        kept = [_source_definition(source) for source in work["metadata"].get("sources", [])
                if source.get("name") == "default"]
        work["metadata"] = dict(empty_metadata(), sources=kept)
        work["modified"] = True
        return {"message": "success"}


# --------------------------------------------------------------------------- HTTP


class MetadataRoutes:
    """Mixed into the emulator's request handler: ``POST /projects/<slug>/v1/metadata``.

    Uses the handler's plumbing (``_read_body``, ``_send``, ``_send_json``, ``_drop``,
    ``_send_fault_status``, ``_engine_ready``) and the server's ``state``, ``faults``,
    ``stats`` and ``metadata`` (a MetadataAPI). The fault settings apply as on /v1/graphql,
    in the same order: latency, drop, error status (nothing applied), then processing, then
    lose-answer (committed, answer lost), ``lose_answer`` keyed by metadata type.
    """

    def _project_post(self, rest: str) -> None:
        slug, _slash, route = rest.partition("/")
        raw = self._read_body()
        if route != "v1/metadata":
            self._send(404, b"Not Found", "text/plain")
            return
        api = self.server.metadata
        api.stats.count("requests")
        faults = self.server.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000.0)
        if faults.draw_drop():
            self.server.stats.count_fault("dropped")
            self._drop()
            return
        status = faults.draw_error_status()
        if status is not None:
            self._send_fault_status(status)
            return
        status, answer, types = self._metadata_answer(slug, raw)
        if types and faults.take_lost_answer(types):
            self.server.stats.count_fault("lost_answers")
            self._drop()
            return
        if isinstance(answer, bytes):
            self._send(status, answer, "text/plain")
        else:
            self._send_json(status, answer)

    def _metadata_answer(self, slug: str, raw: bytes) -> tuple[int, Any, list[str]]:
        state = self.server.state
        with state.lock:
            record = state.by_slug(slug)
            if record is None:
                return 404, b"Not Found", []
            if not self._engine_ready(record["created_at"], record["env_changed_at"]):
                # ASSUMPTION: while the engine starts or restarts, the project's endpoint
                # answers 503 with a non-JSON body, as its /healthz does.
                return 503, b"Service Unavailable", []
            denied = self._admin_denied(record)
            if denied is not None:
                return 401, denied, []
            try:
                request = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                # ASSUMPTION: the code and words for a body that is not JSON.
                return 400, {"path": "$", "error": "Error in $: not a valid json value", "code": "invalid-json"}, []
            return self.server.metadata.execute(record, request)

    def _admin_denied(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The engine's answer to a missing or wrong admin secret (HTTP 401), or None when admitted.

        An engine without an admin secret admits everyone as admin.
        """
        secret = record["env"].get(ADMIN_SECRET_KEY)
        if not secret:
            return None
        given = next((self.headers.get(name) for name in ADMIN_SECRET_HEADERS if self.headers.get(name) is not None),
                     None)
        if given is None:
            return {"path": "$", "error": "x-hasura-admin-secret/x-hasura-access-key required, but not found",
                    "code": "access-denied"}
        if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
            return {"path": "$", "error": "invalid x-hasura-admin-secret/x-hasura-access-key", "code": "access-denied"}
        return None
