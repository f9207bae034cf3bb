# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's data: tenants (each with its project), custom domains and regions, their
state file, and Hasura's generated query arguments over them (where, order_by,
distinct_on, limit, offset).

Used by hasura_cloud_emulator.py; standard library only. Callers hold ``EmulatorState.lock``
around every read and write.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import tempfile
import threading
import time
import uuid
from typing import Any, Callable

STATE_FILE_VERSION = 2


class QueryArgumentError(ValueError):
    """A where/order_by/distinct_on/limit/offset argument a Hasura engine refuses (validation-failed)."""


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

# ASSUMPTION: the regions and their gateway addresses. The real region table is not public;
# these names are the ones Hasura Cloud documents, the addresses come from the documentation
# ranges (RFC 5737). One inactive region and one without a NAT address are kept to exercise
# the filters public clients use ({is_active: {_eq: true}, nat_ip: {_is_null: false}}).
REGIONS = (
    ("aws", "us-east-1", True, "192.0.2.11"),
    ("aws", "us-east-2", True, "192.0.2.12"),
    ("aws", "us-west-1", True, "192.0.2.13"),
    ("aws", "us-west-2", True, "192.0.2.14"),
    ("aws", "eu-central-1", True, "192.0.2.21"),
    ("aws", "eu-west-1", True, "192.0.2.22"),
    ("aws", "ap-south-1", True, "192.0.2.31"),
    ("aws", "ap-southeast-1", True, None),
    ("aws", "sa-east-1", False, "192.0.2.41"),
    ("gcp", "us-central1", True, "198.51.100.11"),
    ("gcp", "europe-west1", True, "198.51.100.21"),
    ("gcp", "asia-south1", True, "198.51.100.31"),
)


def now_iso(epoch: float | None = None) -> str:
    """A timestamptz as Hasura prints it: ISO 8601, UTC, microseconds."""
    moment = datetime.datetime.fromtimestamp(time.time() if epoch is None else epoch, datetime.timezone.utc)
    return moment.isoformat(timespec="microseconds")


def parse_timestamptz(value: Any) -> str:
    """The canonical text of a timestamptz input (so that timestamps compare as text)."""
    if not isinstance(value, str):
        raise TypeError(f"timestamptz cannot represent {value!r}")
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


# --------------------------------------------------------------------------- state


class EmulatorState:
    """Tenants (one project each), custom domains and the static regions, plus the state file."""

    def __init__(self, state_file: str | None) -> None:
        self.lock = threading.Lock()
        self.state_file = state_file
        self.tenants: dict[str, dict[str, Any]] = {}  # tenant id -> record, in creation order
        self.domains: dict[str, dict[str, Any]] = {}  # custom domain id -> record
        self.regions = [{"cloud": cloud, "name": name, "is_active": active, "nat_ip": nat_ip}
                        for cloud, name, active, nat_ip in REGIONS]
        # Names are invented with their own generator so that --seed fault draws stay
        # independent of how many tenants get created.
        self.names_rng = random.Random()
        if state_file and os.path.exists(state_file):
            self._load()

    def _load(self) -> None:
        with open(self.state_file, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("version") != STATE_FILE_VERSION:
            return  # a state file of an older emulator: start empty rather than misread it
        for record in data.get("tenants", []):
            self.tenants[record["id"]] = record
        for record in data.get("custom_domains", []):
            self.domains[record["id"]] = record

    def save(self) -> None:
        """Write the state file atomically: temp file in the same dir, fsync, os.replace."""
        if not self.state_file:
            return
        directory = os.path.dirname(os.path.abspath(self.state_file))
        payload = {"version": STATE_FILE_VERSION, "tenants": list(self.tenants.values()),
                   "custom_domains": list(self.domains.values())}
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
        self.domains.clear()
        self.save()

    # --- lookups

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

    def by_slug(self, slug: str) -> dict[str, Any] | None:
        for record in self.tenants.values():
            if record["slug"] == slug:
                return record
        return None

    def domain_by_fqdn(self, fqdn: str) -> dict[str, Any] | None:
        for record in self.domains.values():
            if record["fqdn"] == fqdn:
                return record
        return None

    def domains_of(self, tenant_id: str) -> list[dict[str, Any]]:
        return [record for record in self.domains.values() if record["tenant_id"] == tenant_id]

    def region(self, cloud: str, name: str) -> dict[str, Any] | None:
        for record in self.regions:
            if record["cloud"] == cloud and record["name"] == name:
                return record
        return None

    def invent_name(self) -> str:
        """A free project name in the style Hasura Cloud gives (``lively-otter-42``; issue #9732 shows
        ``honest-mutt-59``). ASSUMPTION: the word lists."""
        taken = {record["project"]["name"] for record in self.tenants.values()}
        while True:
            candidate = "{}-{}-{:02d}".format(self.names_rng.choice(ADJECTIVES), self.names_rng.choice(ANIMALS),
                                              self.names_rng.randrange(100))
            if candidate not in taken:
                return candidate


def new_tenant_record(name: str, cloud: str, region: str, plan: str, env: dict[str, str]) -> dict[str, Any]:
    """A tenant with its project; the slug is the project name (the DNS label follows it)."""
    stamp = time.time()
    return {
        "id": str(uuid.uuid4()),
        "slug": name,
        "cloud": cloud,
        "region": region,
        "created_at": stamp,  # wall clock, so that healthz readiness survives a restart
        "updated_at": stamp,
        "env": dict(env),
        "env_changed_at": None,  # when the env last changed (the engine restarts then)
        "project": {"id": str(uuid.uuid4()), "name": name, "plan_name": plan, "created_at": stamp,
                    "updated_at": stamp},
    }


def new_domain_record(fqdn: str, tenant_id: str, cert: str) -> dict[str, Any]:
    stamp = time.time()
    return {"id": str(uuid.uuid4()), "fqdn": fqdn, "tenant_id": tenant_id, "cert": cert,
            "created_at": stamp, "updated_at": stamp, "dns_validation": None}


# --------------------------------------------------------------------------- tables


class Table:
    """How the GraphQL type of one table reads its rows: columns, object and array relationships."""

    def __init__(self, name: str, columns: dict[str, Callable[[Any], Any]],
                 objects: dict[str, tuple[str, Callable[[Any], Any]]] | None = None,
                 arrays: dict[str, tuple[str, Callable[[Any], list]]] | None = None) -> None:
        self.name = name
        self.columns = columns
        self.objects = objects or {}
        self.arrays = arrays or {}


def build_tables(state: EmulatorState, endpoint_for: Callable[[str], str],
                 env_hash: Callable[[dict], str], dns_validation: Callable[[dict], str]) -> dict[str, Table]:
    """The tables of the schema, over the state's records (a tenant record is also its project's row)."""

    def tenant_of(row: dict[str, Any]) -> dict[str, Any] | None:
        return state.tenants.get(row["tenant_id"])

    tenant = Table("tenant", {
        "active": lambda r: True,
        "cloud": lambda r: r["cloud"],
        "created_at": lambda r: now_iso(r["created_at"]),
        "fqdn": lambda r: "%s.hasura.app" % r["slug"],
        "id": lambda r: r["id"],
        "maintenance_mode": lambda r: False,
        "major_version": lambda r: 2,  # ASSUMPTION: the engine's major version of a new project
        "project_id": lambda r: r["project"]["id"],
        "region": lambda r: r["region"],
        "slug": lambda r: r["slug"],
        "updated_at": lambda r: now_iso(r["updated_at"]),
    }, objects={
        "project": ("projects", lambda r: r),
        "config": ("config", lambda r: r),
        "region_info": ("region", lambda r: state.region(r["cloud"], r["region"])),
    }, arrays={
        "custom_domains": ("custom_domain", lambda r: state.domains_of(r["id"])),
    })
    projects = Table("projects", {
        "created_at": lambda r: now_iso(r["project"]["created_at"]),
        "endpoint": lambda r: endpoint_for(r["slug"]),
        "id": lambda r: r["project"]["id"],
        "name": lambda r: r["project"]["name"],
        "plan_name": lambda r: r["project"]["plan_name"],
        "updated_at": lambda r: now_iso(r["project"]["updated_at"]),
    }, objects={"tenant": ("tenant", lambda r: r)})
    config = Table("config", {
        "hash": lambda r: env_hash(r["env"]),
        "tenant_id": lambda r: r["id"],
        "updated_at": lambda r: now_iso(r["env_changed_at"] or r["created_at"]),
    }, objects={"tenant": ("tenant", lambda r: r)})
    custom_domain = Table("custom_domain", {
        "cert": lambda r: r["cert"],
        "created_at": lambda r: now_iso(r["created_at"]),
        "dns_validation": dns_validation,
        "fqdn": lambda r: r["fqdn"],
        "id": lambda r: r["id"],
        # ASSUMPTION: what the computed SSL fields say; only their types are public.
        "ssl_message": lambda r: None,
        "ssl_status": lambda r: "active" if dns_validation(r) == "succeeded" else None,
        "tenant_id": lambda r: r["tenant_id"],
        "updated_at": lambda r: now_iso(r["updated_at"]),
    }, objects={"tenant": ("tenant", tenant_of)})
    region = Table("region", {
        "cloud": lambda r: r["cloud"],
        "is_active": lambda r: r["is_active"],
        "name": lambda r: r["name"],
        "nat_ip": lambda r: r["nat_ip"],
    })
    return {table.name: table for table in (tenant, projects, config, custom_domain, region)}


# --------------------------------------------------------------------------- where


def _sql_like(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A SQL LIKE pattern (``%``, ``_``) as a regular expression."""
    parts = ["^"]
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    parts.append("$")
    return re.compile("".join(parts), flags | re.DOTALL)


def _sql_similar(pattern: str) -> re.Pattern[str]:
    """A SQL SIMILAR TO pattern: LIKE wildcards plus regular-expression alternation and groups."""
    return re.compile("^(?:" + pattern.replace("%", ".*").replace("_", ".") + ")$", re.DOTALL)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "_eq": lambda value, operand: value == operand,
    "_neq": lambda value, operand: value != operand,
    "_gt": lambda value, operand: value > operand,
    "_gte": lambda value, operand: value >= operand,
    "_lt": lambda value, operand: value < operand,
    "_lte": lambda value, operand: value <= operand,
    "_in": lambda value, operand: value in operand,
    "_nin": lambda value, operand: value not in operand,
    "_like": lambda value, operand: bool(_sql_like(operand).match(value)),
    "_nlike": lambda value, operand: not _sql_like(operand).match(value),
    "_ilike": lambda value, operand: bool(_sql_like(operand, re.IGNORECASE).match(value)),
    "_nilike": lambda value, operand: not _sql_like(operand, re.IGNORECASE).match(value),
    "_similar": lambda value, operand: bool(_sql_similar(operand).match(value)),
    "_nsimilar": lambda value, operand: not _sql_similar(operand).match(value),
    "_regex": lambda value, operand: re.search(operand, value) is not None,
    "_nregex": lambda value, operand: re.search(operand, value) is None,
    "_iregex": lambda value, operand: re.search(operand, value, re.IGNORECASE) is not None,
    "_niregex": lambda value, operand: re.search(operand, value, re.IGNORECASE) is None,
}


def _compare(value: Any, comparison: dict[str, Any]) -> bool:
    """One column against a ``*_comparison_exp``; SQL semantics: a NULL column matches only _is_null."""
    for operator, operand in comparison.items():
        if operand is None:
            # A Hasura engine of v2 or later refuses a null operand ("if in any comparison
            # expression a null value is passed, a type mismatch error will be thrown", its
            # filter documentation; v1 ignored the operator, which v2 keeps only behind
            # HASURA_GRAPHQL_V1_BOOLEAN_NULL_COLLAPSE). ASSUMPTION: the Cloud API runs with
            # the default, and the message text.
            raise QueryArgumentError(f"unexpected null value for the operator {operator}")
        if operator == "_is_null":
            if (value is None) != operand:
                return False
        elif value is None or not _COMPARISONS[operator](value, operand):
            return False
    return True


def matches(tables: dict[str, Table], table: Table, row: Any, where: dict[str, Any] | None) -> bool:
    """Whether ``row`` satisfies a ``<table>_bool_exp``.

    As a Hasura engine translates it to SQL: ``_and`` folds with TRUE, ``_or`` with FALSE, so
    ``_and: []`` is true and ``_or: []`` is false. ASSUMPTION: a member given as null
    (``{name: null}``, ``_and: null``) is ignored, as an absent one is.
    """
    if not where:
        return True
    for key, value in where.items():
        if value is None:
            continue
        if key == "_and":
            ok = all(matches(tables, table, row, part) for part in value)
        elif key == "_or":
            ok = any(matches(tables, table, row, part) for part in value)
        elif key == "_not":
            ok = not matches(tables, table, row, value)
        elif key in table.columns:
            ok = _compare(table.columns[key](row), value)
        elif key in table.objects:
            other, related = table.objects[key]
            target = related(row)
            ok = target is not None and matches(tables, tables[other], target, value)
        else:  # array relationship: some related row matches
            other, related = table.arrays[key]
            ok = any(matches(tables, tables[other], target, value) for target in related(row))
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------- order_by, distinct_on, limit


def _order_terms(tables: dict[str, Table], table: Table, order: dict[str, Any], path=()):
    """Flatten one order_by object into (getter path, direction) terms, in key order."""
    for key, value in order.items():
        if value is None:
            continue
        if isinstance(value, dict):
            other, related = table.objects[key]
            yield from _order_terms(tables, tables[other], value, path + ((related, None),))
        else:
            yield path + ((None, table.columns[key]),), value


def _term_value(row: Any, steps) -> Any:
    for related, column in steps:
        if row is None:
            return None
        row = related(row) if related is not None else column(row)
    return row


def sort_rows(tables: dict[str, Table], table: Table, rows: list, order_by: list | dict | None) -> list:
    """Rows ordered as ``order_by`` asks (asc: nulls last, desc: nulls first, unless _nulls_ says)."""
    if not order_by:
        return rows
    if isinstance(order_by, dict):
        order_by = [order_by]
    terms = [term for order in order_by for term in _order_terms(tables, table, order)]
    for steps, direction in reversed(terms):  # stable sorts, last key first
        descending = direction.startswith("desc")
        nulls_first = direction.endswith("nulls_first") or (direction == "desc")

        def key(row, steps=steps, nulls_first=nulls_first, descending=descending):
            value = _term_value(row, steps)
            # Nulls sort apart from the values; the flag is flipped with reverse= for desc.
            return ((value is not None) == (nulls_first != descending), value if value is not None else "")

        rows = sorted(rows, key=key, reverse=descending)
    return rows


def _check_distinct_on(table: Table, order_by: list | dict | None, distinct_on: list[str]) -> None:
    """Hasura's rule (it is Postgres's for DISTINCT ON): with an order_by, the distinct_on
    columns must be exactly the columns of the first len(distinct_on) order_by items."""
    if not order_by:
        return
    items = [(key, value) for order in (order_by if isinstance(order_by, list) else [order_by])
             for key, value in order.items() if value is not None]
    initial = [key for key, value in items[:len(distinct_on)] if not isinstance(value, dict) and key in table.columns]
    if len(initial) != len(distinct_on) or not all(column in initial for column in distinct_on):
        raise QueryArgumentError('"distinct_on" columns must match initial "order_by" columns')


def select(tables: dict[str, Table], table: Table, rows: list, where=None, order_by=None, distinct_on=None,
           limit=None, offset=None) -> list:
    """A list root or array relationship with Hasura's arguments applied, in Hasura's order.

    Raises QueryArgumentError for arguments a Hasura engine refuses: a negative limit (its
    parser takes a non-negative integer), a negative offset (Postgres refuses it), a null
    comparison operand, distinct_on that does not match the start of order_by.
    ASSUMPTION: the messages of the first two.
    """
    if limit is not None and limit < 0:
        raise QueryArgumentError(f"expected a non-negative integer for limit, got {limit}")
    if offset is not None and offset < 0:
        raise QueryArgumentError(f"OFFSET must not be negative, got {offset}")
    if distinct_on:
        _check_distinct_on(table, order_by, distinct_on)
    rows = [row for row in rows if matches(tables, table, row, where)]
    rows = sort_rows(tables, table, rows, order_by)
    if distinct_on:
        seen, kept = set(), []
        for row in rows:
            marker = tuple(json.dumps(table.columns[column](row), sort_keys=True) for column in distinct_on)
            if marker not in seen:
                seen.add(marker)
                kept.append(row)
        rows = kept
    if offset:
        rows = rows[offset:]
    if limit is not None:
        rows = rows[:limit]
    return rows
