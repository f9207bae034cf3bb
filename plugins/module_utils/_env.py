# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Environment variables of a Hasura Cloud tenant: normalisation, reading, the change plan and convergence.

Internal to the hasura.cloud collection: it may change in any release.

Nothing here ever puts a value into a message: errors name keys only, because env values
are secrets.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from fnmatch import fnmatchcase

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    GraphQLError,
    HasuraCloudError,
    OptionError,
    OutcomeUnknownError,
)
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import TenantNotFoundError

# The names the service accepts for environment variables.
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Keys purge never removes unless told otherwise: they configure the engine itself.
DEFAULT_PURGE_EXCLUDE = ("HASURA_GRAPHQL_*",)

# Markers shown in diffs instead of values (unless show_values is set).
HIDDEN = "<hidden>"
HIDDEN_CHANGED = "<hidden, changed>"

# Convergence makes at least this many rounds (read, plan, write) before giving up on a
# moving environment, whatever max_retries says.
MIN_ROUNDS = 3

GET_TENANT_ENV = "query getTenantEnv($tenantId: uuid!) { getTenantEnv(tenantId: $tenantId) { hash envVars } }"
# The same read plus the project's endpoint, in one request, for a task that waits after a change.
GET_TENANT_ENV_AND_ENDPOINT = (
    "query getTenantEnvAndEndpoint($tenantId: uuid!) { getTenantEnv(tenantId: $tenantId) { hash envVars } "
    "tenant_by_pk(id: $tenantId) { id project { name endpoint } } }"
)
UPDATE_TENANT_ENV = (
    "mutation updateTenantEnv($tenantId: uuid!, $currentHash: String!, $envs: [UpdateEnvObject!]!) "
    "{ updateTenantEnv(tenantId: $tenantId, currentHash: $currentHash, envs: $envs) { hash envVars } }"
)
DELETE_TENANT_ENV = (
    "mutation deleteTenantEnv($tenantId: uuid!, $currentHash: String!, $keys: [String!]!) "
    "{ deleteTenantEnv(tenantId: $tenantId, currentHash: $currentHash, deleteEnvs: $keys) { hash envVars } }"
)


class EnvInputError(OptionError):
    """The env option cannot be used; the message names keys, never values."""


class ConflictsExhaustedError(HasuraCloudError):
    """The env kept changing under us for every allowed round."""


# --------------------------------------------------------------------------- input


def key_problem(key):
    """Why ``key`` cannot be an environment variable name, or None when it can."""
    if not isinstance(key, str):
        return "env key %r is not a string" % (key,)
    if not ENV_NAME_PATTERN.fullmatch(key):  # fullmatch: "$" alone would accept a trailing newline
        return "env key %r is not a valid variable name: it must match %s" % (key, ENV_NAME_PATTERN.pattern)
    return None


def normalize_value(key, value):
    """The text the service stores for ``value``; raise EnvInputError naming ``key`` when there is none.

    Strings are kept, booleans become ``true``/``false``, integers and floats their decimal
    form without an exponent. None, lists and dicts are refused.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EnvInputError("env value of %s is not a finite number; quote it to store it as text" % key)
        # repr() is the shortest text that reads back as the same float; Decimal drops the exponent.
        return format(Decimal(repr(value)), "f")
    if value is None:
        kind = "null"
    elif isinstance(value, dict):
        kind = "a dict"
    elif isinstance(value, (list, tuple)):
        kind = "a list"
    else:
        kind = "of type %s" % type(value).__name__
    raise EnvInputError("env value of %s is %s; values must be strings, numbers or booleans "
                        "(quote the value, or use to_json to store structured data as text)" % (key, kind))


def normalize_env(env, check_values=True):
    """Check every key (and, if asked, every value) of ``env``; return name -> text.

    All problems are collected into one EnvInputError so the user fixes them in one go.
    With ``check_values=False`` (state=absent, where values are ignored) values are not
    looked at and come back as None.
    """
    problems = []
    result = {}
    for key in sorted(env, key=str):
        problem = key_problem(key)
        if problem:
            problems.append(problem)
            continue
        if not check_values:
            result[key] = None
            continue
        try:
            result[key] = normalize_value(key, env[key])
        except EnvInputError as exc:
            problems.append(str(exc))
    if problems:
        raise EnvInputError("; ".join(problems))
    return result


def pattern_problem(patterns):
    """Why ``purge_exclude`` cannot be used, or None."""
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern:
            return "purge_exclude entries must be non-empty glob patterns, got %r" % (pattern,)
    return None


# --------------------------------------------------------------------------- reading


def _text(value):
    """A value read from the service as text (the service may return non-strings)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        try:
            return normalize_value("", value)
        except EnvInputError:
            return str(value)
    # Structured values cannot be set through this API; keep a stable text form.
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def env_from_node(node):
    """``(hash, {name: text})`` from a TenantEnv object (``{hash, envVars}``).

    Reads ``envVars.environment`` and tolerates a flat object of name to value.
    """
    env_vars = node.get("envVars")
    if isinstance(env_vars, str):
        # jsonb may arrive encoded as text through some gateways.
        try:
            env_vars = json.loads(env_vars)
        except ValueError:
            env_vars = {}
    if not isinstance(env_vars, dict):
        env_vars = {}
    environment = env_vars.get("environment") if isinstance(env_vars.get("environment"), dict) else env_vars
    return node.get("hash"), dict((str(name), _text(value)) for name, value in environment.items())


def read_env(client, tenant_id):
    """``(hash, env)`` of a tenant, with one getTenantEnv query."""
    node = client.query(GET_TENANT_ENV, {"tenantId": tenant_id}).get("getTenantEnv")
    if not node:
        raise TenantNotFoundError("tenant %s not found: getTenantEnv returned nothing" % tenant_id)
    return env_from_node(node)


def read_env_and_endpoint(client, tenant_id):
    """``((hash, env), tenant)`` with one request; ``tenant`` holds ``id``, ``name`` and ``endpoint``."""
    data = client.query(GET_TENANT_ENV_AND_ENDPOINT, {"tenantId": tenant_id})
    node, tenant = data.get("getTenantEnv"), data.get("tenant_by_pk")
    if not node or not tenant:
        raise TenantNotFoundError("tenant %s not found: no tenant with this id is visible to this token" % tenant_id)
    project = tenant.get("project") or {}
    return env_from_node(node), {"id": tenant_id, "name": project.get("name"), "endpoint": project.get("endpoint")}


def env_objects(env):
    """``[{key, value}]`` sorted by key: how the API takes env vars (updateTenantEnv, createTenant)."""
    return [{"key": key, "value": env[key]} for key in sorted(env)]


def upsert_env(client, tenant_id, current_hash, upserts):
    """One updateTenantEnv for every upsert; return the new ``(hash, env)``."""
    variables = {"tenantId": tenant_id, "currentHash": current_hash, "envs": env_objects(upserts)}
    node = client.mutate(UPDATE_TENANT_ENV, variables)
    return env_from_node(node.get("updateTenantEnv") or {})


def delete_env(client, tenant_id, current_hash, keys):
    """One deleteTenantEnv for every removal; return the new ``(hash, env)``."""
    node = client.mutate(DELETE_TENANT_ENV, {"tenantId": tenant_id, "currentHash": current_hash, "keys": sorted(keys)})
    return env_from_node(node.get("deleteTenantEnv") or {})


# --------------------------------------------------------------------------- plan


class EnvPlan(object):
    """What a task changes in an env: sorted key lists, the upserts and the removals."""

    def __init__(self, added, updated, removed, unchanged, upserts, removals):
        self.added = sorted(added)
        self.updated = sorted(updated)
        self.removed = sorted(removed)
        self.unchanged = sorted(unchanged)
        self.upserts = upserts
        self.removals = sorted(removals)

    @property
    def changed(self):
        return bool(self.upserts or self.removals)

    def as_result(self):
        return dict(added=self.added, updated=self.updated, removed=self.removed, unchanged=self.unchanged)


def purgeable(key, exclude):
    """True when purge may remove ``key`` (it matches none of the ``exclude`` globs, case-sensitive)."""
    return not any(fnmatchcase(key, pattern) for pattern in exclude)


def plan_changes(current, desired, state="present", purge=False, purge_exclude=DEFAULT_PURGE_EXCLUDE):
    """The plan that brings ``current`` (name -> text) to what the task asks.

    ``desired`` is the normalised env option. ``present``: its keys hold its values, other
    keys are kept unless ``purge`` removes them (keys matching ``purge_exclude`` are always
    kept). ``absent``: its keys are removed. ``unchanged`` lists the named keys that were
    already as asked.
    """
    added, updated, unchanged, removals = [], [], [], []
    upserts = {}
    if state == "absent":
        for key in desired:
            if key in current:
                removals.append(key)
            else:
                unchanged.append(key)
        return EnvPlan([], [], removals, unchanged, {}, removals)
    for key, value in desired.items():
        if key not in current:
            added.append(key)
            upserts[key] = value
        elif current[key] != value:
            updated.append(key)
            upserts[key] = value
        else:
            unchanged.append(key)
    if purge:
        removals = [key for key in current if key not in desired and purgeable(key, purge_exclude)]
    return EnvPlan(added, updated, removals, unchanged, upserts, removals)


def apply_plan(current, plan):
    """The env ``current`` becomes once ``plan`` is applied (what check mode predicts)."""
    after = dict(current)
    after.update(plan.upserts)
    for key in plan.removals:
        after.pop(key, None)
    return after


def net_changes(before, after, desired, state, touched):
    """The key lists of what differs between two envs, limited to the keys a task named or removed.

    Used for the result, so that the lists describe the env before the task and after it,
    even when the writes needed more than one round (hash conflicts, lost answers).
    """
    scope = set(desired) | set(touched)
    added, updated, removed, unchanged = [], [], [], []
    for key in scope:
        if key in before and key in after:
            (updated if before[key] != after[key] else unchanged).append(key)
        elif key in after:
            added.append(key)
        elif key in before:
            removed.append(key)
        elif key in desired and state == "absent":
            unchanged.append(key)
    unchanged = [key for key in unchanged if key in desired]
    return EnvPlan(added, updated, removed, unchanged, {}, [])


def env_diff(before, after, keys, show_values=False):
    """Per-key ``{before, after}`` dicts over ``keys``; values are markers unless ``show_values``.

    An added key appears only in ``after``, a removed one only in ``before``; an updated one
    reads ``<hidden>`` before and ``<hidden, changed>`` after so the change stays visible.
    """
    diff_before, diff_after = {}, {}
    for key in sorted(keys):
        if key in before:
            diff_before[key] = before[key] if show_values else HIDDEN
        if key in after:
            if show_values:
                diff_after[key] = after[key]
            elif key in before and before[key] != after[key]:
                diff_after[key] = HIDDEN_CHANGED
            else:
                diff_after[key] = HIDDEN
    return {"before": diff_before, "after": diff_after}


# --------------------------------------------------------------------------- convergence


class DesiredEnv(object):
    """What a task asks of an environment: the normalised env option, state, purge and purge_exclude."""

    def __init__(self, env, state="present", purge=False, purge_exclude=DEFAULT_PURGE_EXCLUDE):
        self.env = env
        self.state = state
        self.purge = purge
        self.purge_exclude = purge_exclude

    def plan(self, current):
        """The plan that brings ``current`` to what is asked."""
        return plan_changes(current, self.env, self.state, self.purge, self.purge_exclude)


class EnvOutcome(object):
    """What a convergence did: the env as first read, and as left (predicted in check mode).

    ``after_hash`` is None in check mode, where no new hash exists yet. ``touched`` holds
    every key a round planned to remove.
    """

    def __init__(self, before, after, touched):
        self.before_hash, self.before = before
        self.after_hash, self.after = after
        self.touched = touched

    @property
    def changed(self):
        """The one rule for ``changed``: the env hash moved (in check mode: the env would change)."""
        if self.after_hash is None:
            return self.after != self.before
        return self.after_hash != self.before_hash

    def changes(self, desired):
        """The key lists of what the task changed (or would change)."""
        return net_changes(self.before, self.after, desired.env, desired.state, self.touched)

    def result(self, desired, tenant_id):
        """The module result: hashes and sorted key lists, never a value."""
        changes = self.changes(desired)
        result = dict(changed=self.changed, tenant_id=tenant_id, previous_hash=self.before_hash,
                      hash=self.after_hash if self.after_hash is not None else self.before_hash)
        result.update(changes.as_result())
        return result

    def diff(self, desired, show_values):
        """Per-key before/after over the keys the task named or removed."""
        keys = set(desired.env) | set(self.changes(desired).removed)
        return env_diff(self.before, self.after, keys, show_values=show_values)


def _write(client, tenant_id, state, plan):
    """Send the plan's writes (upserts, then removals), each with the hash just known; return the new state."""
    if plan.upserts:
        state = upsert_env(client, tenant_id, state[0], plan.upserts)
    if plan.removals:
        state = delete_env(client, tenant_id, state[0], plan.removals)
    return state


def converge(client, tenant_id, desired, check_mode, first_read=None):
    """Read, plan and write until the env is as ``desired`` asks; return an EnvOutcome.

    A failed write is judged by reading again, never by its error code: a moved hash is a
    conflict (another writer), so the plan is made again on the new env; an unmoved hash
    with the env already as asked, or the service's "nothing changed in config", is done;
    anything else is the service's error. Bounded to max(MIN_ROUNDS, max_retries + 1) rounds.
    """
    rounds = max(MIN_ROUNDS, client.max_retries + 1)
    before = state = first_read or read_env(client, tenant_id)
    touched = set()
    last_problem = None
    for attempt in range(rounds + 1):
        plan = desired.plan(state[1])
        touched.update(plan.removals)
        if not plan.changed:
            return EnvOutcome(before, state, touched)
        if check_mode:
            return EnvOutcome(before, (None, apply_plan(state[1], plan)), touched)
        if attempt == rounds:
            break  # the read after the last failed write shows the env still differs
        sent_hash = state[0]
        try:
            return EnvOutcome(before, _write(client, tenant_id, state, plan), touched)
        except OutcomeUnknownError:
            last_problem = "the answer to a change was lost"  # it may have been applied: the next read tells
            state = read_env(client, tenant_id)
        except GraphQLError as err:
            state = read_env(client, tenant_id)
            if state[0] == sent_hash:
                if err.nothing_changed:
                    return EnvOutcome(before, state, touched)
                raise
            last_problem = "another writer changed the environment (hash conflict)"
    raise ConflictsExhaustedError(
        "the environment of tenant %s could not be written in %d attempts: it kept changing while this task "
        "was writing, or answers were lost (last: %s); nothing was overwritten blindly, run the task again"
        % (tenant_id, rounds, last_problem))
