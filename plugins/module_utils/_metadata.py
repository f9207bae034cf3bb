# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A project's engine metadata: reading and replacing it, its canonical form, object paths,
redaction of the secrets inside it, and convergence.

Internal to the hasura.cloud collection: it may change in any release.

The engine's metadata API (Hasura docs, api-reference/metadata-api): ``export_metadata``
version 2 answers ``{resource_version, metadata}``; ``replace_metadata`` version 2 with the
``resource_version`` just read is refused with HTTP 409 ``conflict`` when the metadata moved
meanwhile; an inconsistent metadata is refused (HTTP 400, the objects in ``internal``)
unless ``allow_inconsistent_metadata`` is set. One ``bulk`` request reads the metadata and
the engine's verdict on it (``get_inconsistent_metadata``) together.

Nothing here puts a secret of the metadata (a header value, a literal database URL, a
password) into a result or a message: objects are shown through ``redact``.
"""

from __future__ import annotations

import json
import re

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    AdminSecretError,
    HasuraCloudError,
    HTTPStatusError,
    MetadataAPIError,
    MetadataConflictError,
    TransportError,
    backoff_ceiling,
)
from ansible_collections.hasura.cloud.plugins.module_utils._env import (
    HIDDEN,
    HIDDEN_CHANGED,
    MIN_ROUNDS,
    read_env,
    read_env_and_endpoint,
)
from ansible_collections.hasura.cloud.plugins.module_utils import _tenant
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import (
    TenantNotFoundError,
    get_tenant,
    healthz_url,
    require_tenant_by_name,
)

ADMIN_SECRET_ENV = "HASURA_GRAPHQL_ADMIN_SECRET"
METADATA_VERSION = 3

EXPORT = {"type": "export_metadata", "version": 2, "args": {}}
GET_INCONSISTENT = {"type": "get_inconsistent_metadata", "args": {}}
# One request: the metadata, its resource_version and the engine's verdict on it.
# ASSUMPTION: a bulk holds queries of either version (the engine's request type nests
# version 1 and 2 queries) and answers with their answers, in order; the docs list bulk
# but show no example with export_metadata version 2 inside it.
READ = {"type": "bulk", "args": [EXPORT, GET_INCONSISTENT]}

# Gateway answers that mean the engine itself is not serving (it starts or restarts).
NOT_SERVING_STATUSES = frozenset((502, 503, 504))

# ---------------------------------------------------------------------------- canonical form
# Lists of named entries, by the key that holds them, and the field that names an entry.
# Their order does not count: they are compared sorted by name.
NAMED_LISTS = {
    "sources": "name", "tables": "table", "functions": "function", "logical_models": "name",
    "native_queries": "root_field_name", "stored_procedures": "stored_procedure",
    "object_relationships": "name", "array_relationships": "name", "remote_relationships": "name",
    "computed_fields": "name", "event_triggers": "name",
    "insert_permissions": "role", "select_permissions": "role", "update_permissions": "role",
    "delete_permissions": "role", "permissions": "role",
    "actions": "name", "remote_schemas": "name", "cron_triggers": "name", "query_collections": "name",
    "queries": "name", "allowlist": "collection", "inherited_roles": "role_name", "rest_endpoints": "name",
    "objects": "name", "input_objects": "name", "scalars": "name", "enums": "name", "values": "value",
    "fields": "name", "arguments": "name", "relationships": "name", "headers": "name", "tls_allowlist": "host",
}
# What an engine fills in when the metadata leaves it out, so that leaving it out is no
# difference. ASSUMPTION: these are the defaults of Hasura v2 (kind postgres is shown by
# the engine's own tests; the connection defaults appear in every CLI export of the docs).
SOURCE_DEFAULTS = {"kind": "postgres"}
POSTGRES_KINDS = ("postgres", "citus", "cockroach")
POSTGRES_CONNECTION_DEFAULTS = {"isolation_level": "read-committed", "use_prepared_statements": False}

# ---------------------------------------------------------------------------- object paths
# Each named entry of these lists is one object of the diff and of the path lists.
TOP_LEVEL_LISTS = {"actions": "name", "remote_schemas": "name", "cron_triggers": "name",
                   "query_collections": "name", "allowlist": "collection", "inherited_roles": "role_name",
                   "rest_endpoints": "name"}
SOURCE_LISTS = {"tables": "table", "functions": "function", "logical_models": "name",
                "native_queries": "root_field_name", "stored_procedures": "stored_procedure"}
CUSTOM_TYPE_LISTS = ("objects", "input_objects", "scalars", "enums")

# ---------------------------------------------------------------------------- secrets
# Literal secrets inside metadata: header values (value_from_env names a variable: fine),
# database URLs and connection strings given as text, passwords, service account keys, and
# the password part of any URL that carries one.
SECRET_TEXT_KEYS = ("database_url", "connection_string", "password")
URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@", re.IGNORECASE)


class EngineNotReadyError(HasuraCloudError):
    """The project's engine does not serve yet (it starts, or restarts after an env change)."""


class InconsistentMetadataError(HasuraCloudError):
    """The engine finds the metadata inconsistent and allow_inconsistent is false."""

    quotes_service = True


class MetadataRefusedError(HasuraCloudError):
    """The engine refused the metadata; the message quotes it."""

    quotes_service = True


class MetadataConflictsExhaustedError(HasuraCloudError):
    """The metadata kept moving under the task for every allowed round."""


# ---------------------------------------------------------------------------- input


def metadata_problem(metadata):
    """Why ``metadata`` (the option) cannot be a whole metadata object, or None."""
    version = metadata.get("version")
    if version != METADATA_VERSION:
        return ("metadata.version must be 3 (the metadata format of Hasura v2 engines and of the CLI's config v3), "
                "got %s" % json.dumps(version))
    for key in ("sources",) + tuple(TOP_LEVEL_LISTS):
        value = metadata.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            return "metadata.%s must be a list of objects" % key
    return None


# ---------------------------------------------------------------------------- canonical form


def _ref_text(ref):
    """A readable name for a table, function or other reference (``public.author``)."""
    if isinstance(ref, dict):
        parts = [str(ref[key]) for key in ("database", "dataset", "schema", "name") if key in ref]
        return ".".join(parts) if parts else json.dumps(ref, sort_keys=True)
    if isinstance(ref, list):
        return ".".join(str(part) for part in ref)
    return str(ref)


def _postgres_ref(ref):
    """A Postgres table or function reference with its schema (a bare name is in public)."""
    if isinstance(ref, str):
        return {"schema": "public", "name": ref}
    if isinstance(ref, dict) and "name" in ref and "schema" not in ref:
        return dict(ref, schema="public")
    return ref


def _with_source_defaults(source):
    source = dict(SOURCE_DEFAULTS, **source)
    if source.get("kind") in POSTGRES_KINDS:
        configuration = source.get("configuration")
        if isinstance(configuration, dict) and isinstance(configuration.get("connection_info"), dict):
            info = dict(POSTGRES_CONNECTION_DEFAULTS, **configuration["connection_info"])
            source["configuration"] = dict(configuration, connection_info=info)
        for key, field in (("tables", "table"), ("functions", "function")):
            if isinstance(source.get(key), list):
                source[key] = [dict(item, **{field: _postgres_ref(item[field])})
                               if isinstance(item, dict) and field in item else item for item in source[key]]
    return source


def _canonical_value(value, key):
    if isinstance(value, dict):
        items = ((name, _canonical_value(item, name)) for name, item in value.items())
        return dict((name, item) for name, item in items if item not in (None, [], {}))
    if isinstance(value, list):
        items = [_canonical_value(item, None) for item in value]
        field = NAMED_LISTS.get(key)
        if field and all(isinstance(item, dict) and field in item for item in items):
            items.sort(key=lambda item: json.dumps(item[field], sort_keys=True))
        return items
    return value


def canonical(metadata):
    """The form two metadata objects are compared in.

    Key order and the order of named lists do not count; nulls and empty lists or objects
    are left out (the engine leaves them out of its export); a source's kind and its
    Postgres connection settings default as the engine's do, and a Postgres table or
    function named without a schema is in ``public``.
    """
    prepared = dict(metadata)
    if isinstance(prepared.get("sources"), list):
        prepared["sources"] = [_with_source_defaults(source) if isinstance(source, dict) else source
                               for source in prepared["sources"]]
    return _canonical_value(prepared, None)


def _named_entries(entries, field, base, objects):
    for index, entry in enumerate(entries):
        name = _ref_text(entry[field]) if isinstance(entry, dict) and field in entry else "#%d" % index
        objects["%s/%s" % (base, name)] = entry


def object_map(metadata):
    """``{path: object}`` of a canonical metadata: each source's own settings, each table,
    function, action, remote schema, cron trigger ... by name, and every other top-level key whole.

    Paths: ``sources/default``, ``sources/default/tables/public.author``, ``actions/greet``,
    ``custom_types/objects/SampleOutput``, ``api_limits``.
    """
    objects = {}
    for key, value in metadata.items():
        if key == "sources" and isinstance(value, list):
            for source in value:
                base = "sources/%s" % source.get("name")
                objects[base] = dict((k, v) for k, v in source.items() if k not in SOURCE_LISTS)
                for list_key, field in SOURCE_LISTS.items():
                    _named_entries(source.get(list_key) or [], field, "%s/%s" % (base, list_key), objects)
        elif key in TOP_LEVEL_LISTS and isinstance(value, list):
            _named_entries(value, TOP_LEVEL_LISTS[key], key, objects)
        elif key == "custom_types" and isinstance(value, dict):
            for kind, entries in value.items():
                if kind in CUSTOM_TYPE_LISTS and isinstance(entries, list):
                    _named_entries(entries, "name", "custom_types/" + kind, objects)
                else:
                    objects["custom_types/" + kind] = entries
        else:
            objects[key] = value
    return objects


def compare(before, after):
    """``(added, updated, removed)``: sorted paths of two object maps."""
    added = sorted(path for path in after if path not in before)
    removed = sorted(path for path in before if path not in after)
    updated = sorted(path for path in after if path in before and before[path] != after[path])
    return added, updated, removed


# ---------------------------------------------------------------------------- secrets


def _secret_leaf(key, value, in_header):
    """True for a value that is a literal secret where it stands."""
    if in_header and key == "value":
        return True
    if key in SECRET_TEXT_KEYS and isinstance(value, str):
        return True
    if key == "service_account" and not (isinstance(value, dict) and "from_env" in value):
        return True
    return isinstance(value, str) and URL_WITH_PASSWORD.search(value) is not None


def _marker(value, other):
    return HIDDEN if other is None or other == value else HIDDEN_CHANGED


def _paired(items, others, by_name):
    """The entry of ``others`` each item of a list is compared with: same name for headers, else same index."""
    if not isinstance(others, list):
        return [None] * len(items)
    if by_name:
        named = dict((other.get("name"), other) for other in others if isinstance(other, dict))
        return [named.get(item.get("name")) if isinstance(item, dict) else None for item in items]
    return [others[index] if index < len(others) else None for index in range(len(items))]


def redact(value, other=None, key=None, in_header=False):
    """``value`` with every literal secret replaced by ``<hidden>`` (``<hidden, changed>`` where
    ``other``, the same object on the other side of a diff, holds another value there)."""
    if _secret_leaf(key, value, in_header):
        return _marker(value, other)
    if isinstance(value, dict):
        others = other if isinstance(other, dict) else {}
        if key == "add_headers":  # a request transform's headers: name to value
            return dict((name, _marker(item, others.get(name))) for name, item in value.items())
        return dict((name, redact(item, others.get(name), name, in_header)) for name, item in value.items())
    if isinstance(value, list):
        headers = key == "headers"
        return [redact(item, match, None, headers) for item, match in zip(value, _paired(value, other, headers))]
    return value


def secret_values(value, key=None, in_header=False):
    """The text of every literal secret inside ``value`` (to keep them out of messages)."""
    found = set()
    if _secret_leaf(key, value, in_header) or key == "add_headers":
        found.update(text for text in _texts(value) if text)
    elif isinstance(value, dict):
        for name, item in value.items():
            found |= secret_values(item, name, in_header)
    elif isinstance(value, list):
        for item in value:
            found |= secret_values(item, None, key == "headers")
    return found


def _texts(value):
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return [value] if isinstance(value, str) else []


def redact_objects(objects):
    """Inconsistent objects as the engine lists them, their definitions redacted."""
    return [dict(obj, definition=redact(obj.get("definition"))) if isinstance(obj, dict) else obj
            for obj in objects or []]


def describe_objects(objects):
    """``<name>: <reason>`` of each inconsistent object, joined with ``; ``."""
    return "; ".join("%s: %s" % (obj.get("name") or obj.get("type"), obj.get("reason"))
                     for obj in objects if isinstance(obj, dict))


# ---------------------------------------------------------------------------- the project and its engine


class AdminSecretRefusedError(HasuraCloudError):
    """The project's engine refused the admin secret the task sent (or sent none)."""

    quotes_service = True


def resolve_project(client, params):
    """``(tenant, admin_secret, origin)``: the project (``id``, ``name``, ``endpoint``), its admin secret
    and where that came from, in as few Cloud API requests as the options allow.

    With tenant_id: one request (``tenant_by_pk`` and ``getTenantEnv`` in one document; or
    ``tenant_by_pk`` alone when admin_secret is given). With tenant_name: the lookup, then
    ``getTenantEnv`` unless admin_secret is given. A project whose env has no admin secret
    gets None (an engine without one admits every request as admin).
    """
    secret, origin = params.get("admin_secret"), "given in admin_secret"
    if secret is not None:
        tenant = _tenant_by_ref(client, params)
    else:
        if params["tenant_id"] is not None:
            env_state, tenant = read_env_and_endpoint(client, params["tenant_id"])
        else:
            tenant = require_tenant_by_name(client, params["tenant_name"])
            env_state = read_env(client, tenant["id"])
        secret = env_state[1].get(ADMIN_SECRET_ENV) or None
        origin = "read from its env (" + ADMIN_SECRET_ENV + ")" if secret else "none: its env has none"
    if not tenant.get("endpoint"):
        raise HasuraCloudError("tenant %s (project %s) has no endpoint: its engine cannot be reached"
                               % (tenant["id"], tenant.get("name")))
    return tenant, secret, origin


def _tenant_by_ref(client, params):
    if params["tenant_id"] is None:
        return require_tenant_by_name(client, params["tenant_name"])
    tenant = get_tenant(client, params["tenant_id"])
    if tenant is None:
        raise TenantNotFoundError("tenant %s not found: no tenant with this id is visible to this token"
                                  % params["tenant_id"])
    return tenant


def _shown(value, other=None):
    """An object of a diff, redacted (absent: None)."""
    return None if value is None else redact(value, other)


class MetadataState(object):
    """An engine's metadata as read: its resource_version, the object and the engine's verdict on it."""

    def __init__(self, resource_version, metadata, inconsistent_objects):
        self.resource_version = resource_version
        self.metadata = metadata
        self.inconsistent_objects = inconsistent_objects
        self.objects = object_map(canonical(metadata))

    @property
    def is_consistent(self):
        return not self.inconsistent_objects


def read_state(engine):
    """The engine's metadata and verdict, with one request."""
    answer = engine.read(READ)
    export, verdict = answer if isinstance(answer, list) and len(answer) == 2 else (None, None)
    if not (isinstance(export, dict) and isinstance(export.get("metadata"), dict) and isinstance(verdict, dict)):
        raise HasuraCloudError("the engine at %s answered the metadata read in an unexpected form; is it a Hasura "
                               "v2 engine?" % engine.url)
    return MetadataState(export.get("resource_version"), export["metadata"], verdict.get("inconsistent_objects") or [])


def replace_body(metadata, resource_version, allow_inconsistent):
    """A replace_metadata (version 2) that applies only over the metadata of ``resource_version``
    (an engine whose export gives none gets an unguarded replace)."""
    body = {"type": "replace_metadata", "version": 2,
            "args": {"allow_inconsistent_metadata": allow_inconsistent, "metadata": metadata}}
    if resource_version is not None:
        body["resource_version"] = resource_version
    return body


# ---------------------------------------------------------------------------- one task


class MetadataTask(object):
    """Bring a project's engine metadata to what is declared, or read it.

    ``on_secrets(find)`` receives, for every metadata read, a function that returns its
    literal secrets, so that the caller can keep them out of its messages (and look for them
    only when it has a message to mask).
    """

    def __init__(self, client, tenant, admin_secret, origin, on_secrets=None):
        self.client = client
        self.tenant = tenant
        self.origin = origin
        self.engine = client.engine(tenant["endpoint"], admin_secret)
        self.on_secrets = on_secrets or (lambda find: None)
        self.wanted = None
        self.before = self.after = None

    @property
    def project(self):
        return "%s (tenant %s)" % (self.tenant.get("name") or "?", self.tenant["id"])

    def read(self):
        """The engine's metadata; clear errors for an engine that does not serve yet or refuses the admin secret."""
        try:
            state = read_state(self.engine)
        except AdminSecretError as err:
            raise AdminSecretRefusedError(
                "the engine of project %s refused the admin secret (%s): %s; set admin_secret to the project's admin "
                "secret, or fix %s in its env" % (self.project, self.origin, err.error, ADMIN_SECRET_ENV))
        except (HTTPStatusError, TransportError) as err:
            if isinstance(err, HTTPStatusError) and err.status not in NOT_SERVING_STATUSES:
                raise
            self._raise_if_not_serving(err)
            raise
        self.on_secrets(lambda: secret_values(state.metadata))
        return state

    def _raise_if_not_serving(self, err):
        url = healthz_url(self.tenant["endpoint"])
        status = self.client.health_status(url)
        if status != 200:
            raise EngineNotReadyError(
                "the engine of project %s is not serving yet (%s; GET %s answers %s): a project's engine starts after "
                "its creation and restarts after every change of its env. Wait for it (wait=true on "
                "hasura.cloud.hasura_tenant or hasura.cloud.hasura_tenant_env), then run the task again"
                % (self.project, err, url, "HTTP %s" % status if status is not None else "nothing"))

    def converge(self, desired, allow_inconsistent, check_mode):
        """Replace the metadata with ``desired`` when its canonical form differs, with the resource_version
        just read; a conflict is resolved by reading again, at most max(MIN_ROUNDS, max_retries + 1) rounds."""
        self.wanted = object_map(canonical(desired))
        rounds = max(MIN_ROUNDS, self.client.max_retries + 1)
        self.before = state = self.read()
        for attempt in range(rounds):
            if not any(compare(state.objects, self.wanted)):
                self.after = state
                self._require_consistent(state, allow_inconsistent)
                return
            if check_mode:
                return  # after stays None: the change is pending
            try:
                self._replace(desired, state.resource_version, allow_inconsistent)
            except MetadataConflictError:
                _tenant._pause(backoff_ceiling(attempt))  # pylint: disable=protected-access
                state = self.read()
                continue
            self.after = self._confirm()
            return
        raise MetadataConflictsExhaustedError(
            "the metadata of project %s could not be replaced in %d attempts: another writer kept changing it "
            "between this task's read and its write; nothing was overwritten blindly, run the task again"
            % (self.project, rounds), result=self.partial())

    def _replace(self, desired, resource_version, allow_inconsistent):
        try:
            self.engine.write(replace_body(desired, resource_version, allow_inconsistent),
                              guarded=resource_version is not None)
        except (MetadataConflictError, AdminSecretError):
            raise
        except MetadataAPIError as err:
            if isinstance(err.internal, list):
                raise InconsistentMetadataError(
                    "the engine of project %s refused the metadata, nothing was changed: %d inconsistent objects: "
                    "%s. Fix them, or set allow_inconsistent=true to apply it anyway"
                    % (self.project, len(err.internal), describe_objects(err.internal)),
                    result=dict(self.partial(), inconsistent_objects=redact_objects(err.internal)))
            raise MetadataRefusedError("the engine of project %s refused the metadata, nothing was changed: %s at %s "
                                       "(code %s)" % (self.project, err.error, err.path, err.code),
                                       result=self.partial())

    def _confirm(self):
        """The metadata after a replace, read back (the replace answer holds no resource_version)."""
        try:
            return self.read()
        except HasuraCloudError as err:
            err.result.update(self.partial(), changed=True)
            raise

    def _require_consistent(self, state, allow_inconsistent):
        if state.is_consistent or allow_inconsistent:
            return
        objects = state.inconsistent_objects
        raise InconsistentMetadataError(
            "the metadata of project %s is as declared, but the engine finds %d objects inconsistent: %s. Fix them, "
            "or set allow_inconsistent=true to accept it" % (self.project, len(objects), describe_objects(objects)),
            result=dict(self.partial(), inconsistent_objects=redact_objects(objects)))

    # --- what the task reports

    def partial(self):
        """What a failure reports: the project and the metadata version first read."""
        return dict(changed=False, tenant_id=self.tenant["id"],
                    previous_resource_version=self.before.resource_version if self.before else None)

    def _after_objects(self):
        return self.wanted if self.after is None else self.after.objects

    def result(self):
        """The module result: resource versions, the engine's verdict and the paths that changed."""
        added, updated, removed = compare(self.before.objects, self._after_objects())
        pending = self.after is None  # check mode, with a change to make
        after = self.before if pending else self.after
        return dict(changed=bool(added or updated or removed), tenant_id=self.tenant["id"],
                    resource_version=after.resource_version,
                    previous_resource_version=self.before.resource_version,
                    is_consistent=None if pending else after.is_consistent,
                    inconsistent_objects=None if pending else redact_objects(after.inconsistent_objects),
                    added=added, updated=updated, removed=removed)

    def diff(self, show_values=False):
        """One diff per object that differs, headed by its path (Ansible prints each apart); secrets
        redacted unless ``show_values``: a secret reads <hidden> before, <hidden, changed> after when it changed."""
        before, after = self.before.objects, self._after_objects()
        diffs = []
        for path in sorted(set(sum(compare(before, after), []))):
            old, new = before.get(path), after.get(path)
            if not show_values:
                old, new = _shown(old), _shown(new, old)
            diffs.append({"before_header": path, "after_header": path, "before": old, "after": new})
        return diffs

    def warnings(self):
        """A warning when the engine holds an inconsistent metadata that the task accepted."""
        if self.after is None or self.after.is_consistent:
            return []
        return ["the engine of project %s finds %d metadata objects inconsistent: %s"
                % (self.project, len(self.after.inconsistent_objects), describe_objects(self.after.inconsistent_objects))]
