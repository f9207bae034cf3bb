#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_tenant_env
short_description: Manage the environment variables of a Hasura Cloud project
version_added: 0.1.0
description:
  - Sets or removes environment variables of a Hasura Cloud project (tenant), idempotently.
  - Reads the environment once, computes the difference, and writes only what differs, with at most
    one C(updateTenantEnv) request for every added or updated variable and one C(deleteTenantEnv)
    request for every removed one. When nothing differs, no change is sent at all.
  - Every write carries the hash of the environment just read. When another writer changed the
    environment in between, the service refuses the write; the module then reads again and
    recomputes, a bounded number of times, so the keys written by the other writer are never lost
    or overwritten unless this task names them.
  - Values are treated as secrets. They never appear in the result, in warnings, in error messages
    or in C(-vvv) output, and they are shown in the diff only with O(show_values=true).
  - To read the current variables, use M(hasura.cloud.hasura_tenant_env_info).
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.action_group
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the environment and reports what would change; sends no change.
  diff_mode:
    support: full
    details:
      - Per-variable C(before) and C(after); values are replaced by markers unless O(show_values=true).
  platform:
    support: full
    platforms: posix
    details:
      - "Runs where the API is reachable, usually the controller (C(connection: local) or C(delegate_to: localhost))."
options:
  tenant_id:
    description:
      - ID (a UUID) of the tenant whose environment is managed.
      - Exactly one of O(tenant_id) and O(tenant_name) is required.
      - An invalid UUID fails before any request.
    type: str
  tenant_name:
    description:
      - Name of the project whose environment is managed; resolved to its tenant ID with one lookup.
      - Exactly one of O(tenant_id) and O(tenant_name) is required.
    type: str
  env:
    description:
      - Variable name to value.
      - Names must match C(^[A-Za-z_][A-Za-z0-9_]*$); a bad name fails before any request.
      - Values are stored as text. Strings are kept as they are; booleans become V(true) or V(false)
        and numbers their decimal form without an exponent (V(2.50) is stored as C(2.5)). Quote a value to keep its
        exact spelling, for example C("yes") or C("007"), because unquoted YAML turns C(yes) into a boolean,
        stored as V(true).
      - With O(state=present), null, lists and dicts fail naming the key; use
        C({{ value | to_json }}) to store structured data as text.
      - With O(state=absent), only the names matter; values are ignored and may be null.
      - The values are secret (C(no_log)). An empty dict is allowed, for example with O(purge=true).
    type: dict
    required: true
  state:
    description:
      - V(present) makes the listed variables hold the given values and leaves every other variable
        as it is (unless O(purge=true)).
      - V(absent) removes the listed variables; variables that do not exist are reported in
        RV(unchanged).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove every variable not listed in O(env), except those whose
        name matches one of O(purge_exclude).
      - Not allowed with O(state=absent).
    type: bool
    default: false
  purge_exclude:
    description:
      - Shell-style glob patterns (C(*), C(?), C([seq])) matched against the whole variable name,
        case-sensitively. Variables matching any of them are never removed by O(purge).
      - The default keeps the variables that configure the GraphQL engine itself (admin secret,
        database URL, ...). Set it to V([]) to purge those too.
      - A variable listed in O(env) is never removed, whatever this option says.
    type: list
    elements: str
    default: ['HASURA_GRAPHQL_*']
  show_values:
    description:
      - Show the values in the C(diff) output.
      - By default every value is replaced by C(<hidden>), and an updated value reads
        C(<hidden, changed>) after the change, so that the diff still shows what changed.
      - The values then appear in the output of the task and in any log of it; use only when that is acceptable.
    type: bool
    default: false
notes:
  - The task reports C(changed) exactly when the hash of the environment after the task differs from
    the hash before it.
  - Changing the environment restarts the project's GraphQL engine.
  - A hash conflict or a lost answer is resolved by reading again, at most
    O(max_retries) + 1 times (3 at least). Changes whose answer was lost are never re-sent blindly.
seealso:
  - module: hasura.cloud.hasura_tenant_env_info
    description: Read the environment variables of a project.
  - module: hasura.cloud.hasura_tenant
    description: Create, rename and delete projects.
  - name: Hasura Cloud API reference
    description: The GraphQL API these modules use.
    link: https://hasura.io/docs/2.0/api-reference/cloud-api-reference/
"""

EXAMPLES = r"""
# Ad-hoc, with the token in the HASURA_CLOUD_PAT environment variable:
#   ansible localhost -m hasura.cloud.hasura_tenant_env \
#     -a 'tenant_name=my-app env={"FEATURE_X":"on","WORKERS":"4"}'

- name: Configure a project
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
  tasks:
    - name: Set two variables, keep the others
      hasura.cloud.hasura_tenant_env:
        tenant_name: my-app
        env:
          FEATURE_X: "on"
          WORKERS: 4            # stored as "4"
          DEBUG: false          # stored as "false"

    - name: Keep only these variables (and every HASURA_GRAPHQL_* one)
      hasura.cloud.hasura_tenant_env:
        tenant_id: 7a79cf94-0e53-4520-a560-1b02bf522f08
        env:
          DATABASE_URL: "{{ vault_database_url }}"
          FEATURE_X: "on"
        purge: true

    - name: Keep only these variables, but also keep every variable starting with MY_ or ending in _TOKEN
      hasura.cloud.hasura_tenant_env:
        tenant_name: my-app
        env:
          FEATURE_X: "on"
        purge: true
        purge_exclude:
          - HASURA_GRAPHQL_*
          - MY_*
          - "*_TOKEN"

    - name: Remove variables (values are ignored)
      hasura.cloud.hasura_tenant_env:
        tenant_name: my-app
        state: absent
        env:
          OLD_FLAG:
          LEGACY_URL:

    - name: See what would change, without changing anything
      hasura.cloud.hasura_tenant_env:
        tenant_name: my-app
        env:
          FEATURE_X: "off"
      check_mode: true
      diff: true
      register: planned

    - name: Show the planned change (names only)
      ansible.builtin.debug:
        msg: "would add {{ planned.added }}, update {{ planned.updated }}, remove {{ planned.removed }}"

    - name: Apply and keep the hash of the new environment
      hasura.cloud.hasura_tenant_env:
        tenant_name: my-app
        env:
          FEATURE_X: "off"
      register: applied

    - name: Report the environment version
      ansible.builtin.debug:
        msg: "env of {{ applied.tenant_id }} moved from {{ applied.previous_hash }} to {{ applied.hash }}"
      when: applied.hash != applied.previous_hash

- name: Same task without module_defaults, delegated from any host
  hosts: app_servers
  gather_facts: false
  tasks:
    - name: Publish this host's address to the project
      hasura.cloud.hasura_tenant_env:
        api_token: "{{ vault_hasura_cloud_pat }}"
        tenant_name: my-app
        env:
          BACKEND_URL: "http://{{ inventory_hostname }}:8080"
      delegate_to: localhost
      run_once: true
"""

RETURN = r"""
hash:
  description:
    - Hash of the environment after the task (an opaque version string; the service shows a 40-hex SHA-1).
    - In check mode, the current hash, since nothing was written.
  returned: success
  type: str
  sample: 5c2b0d8c8f2e1f0a4a7f7b3a0b1e9d6c4f2a8e11
previous_hash:
  description:
    - Hash of the environment as first read by the task.
    - Equal to RV(hash) when nothing changed.
  returned: success
  type: str
  sample: 0f4c2d7e5a1b3c9d8e6f0a2b4c6d8e0f1a3b5c7d
added:
  description: Names of the variables created (or that would be created, in check mode), sorted.
  returned: success
  type: list
  elements: str
  sample: [FEATURE_X]
updated:
  description: Names of the variables whose value changed (or would change), sorted.
  returned: success
  type: list
  elements: str
  sample: [WORKERS]
removed:
  description: Names of the variables removed (or that would be removed) by O(state=absent) or O(purge), sorted.
  returned: success
  type: list
  elements: str
  sample: [OLD_FLAG]
unchanged:
  description:
    - Names of the variables listed in O(env) that already were as asked (same value with O(state=present),
      not set with O(state=absent)), sorted.
    - Variables the task did not name and did not remove are not listed.
  returned: success
  type: list
  elements: str
  sample: [DEBUG]
tenant_id:
  description: ID of the tenant (resolved from O(tenant_name) when that was given).
  returned: success
  type: str
  sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
diff:
  description:
    - The variables the task named or removed, before and after. Values read C(<hidden>)
      (C(<hidden, changed>) for the new value of an updated variable) unless O(show_values=true).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: Variable name to (redacted) value before the task; added variables are absent.
      type: dict
      returned: when diff mode is on
    after:
      description: Variable name to (redacted) value after the task; removed variables are absent.
      type: dict
      returned: when diff mode is on
  sample:
    before: {WORKERS: "<hidden>", OLD_FLAG: "<hidden>"}
    after: {WORKERS: "<hidden, changed>", FEATURE_X: "<hidden>"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    AuthenticationError,
    GraphQLError,
    HasuraCloudError,
    OutcomeUnknownError,
)
from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    SecretValues,
    argument_spec,
    check_uuid,
    require_one_of,
    client_from_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._env import (
    DEFAULT_PURGE_EXCLUDE,
    EnvInputError,
    apply_plan,
    delete_env,
    env_diff,
    is_hash_conflict,
    net_changes,
    normalize_env,
    pattern_problem,
    plan_changes,
    read_env,
    upsert_env,
)
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import tenant_id_for_name

MIN_ROUNDS = 3


class ConflictsExhaustedError(HasuraCloudError):
    """The env kept changing under us for every allowed round."""


def module_spec():
    return dict(
        argument_spec=argument_spec(
            tenant_id=dict(type="str"),
            tenant_name=dict(type="str"),
            env=dict(type="dict", required=True, no_log=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            purge=dict(type="bool", default=False),
            purge_exclude=dict(type="list", elements="str", default=list(DEFAULT_PURGE_EXCLUDE)),
            show_values=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("tenant_id", "tenant_name")],
        required_one_of=[("tenant_id", "tenant_name")],
        supports_check_mode=True,
    )


def validate(secrets, params):
    """Every check that needs no request; fails the module. Returns the normalised env."""
    require_one_of(secrets, "tenant_id", "tenant_name")
    check_uuid(secrets, "tenant_id")
    if params["tenant_name"] is not None and not params["tenant_name"].strip():
        secrets.fail_json(msg="tenant_name must not be empty", trusted_msg=True)
    if params["purge"] and params["state"] == "absent":
        secrets.fail_json(msg="purge=true applies only to state=present; with state=absent the keys listed in env "
                              "are removed and nothing else: drop purge or use state=present", trusted_msg=True)
    problem = pattern_problem(params["purge_exclude"])
    if problem:
        secrets.fail_json(msg=problem, trusted_msg=True)
    try:
        return normalize_env(params["env"], check_values=params["state"] == "present")
    except EnvInputError as exc:
        # Built from key names only; masking it could only garble it.
        secrets.fail_json(msg=str(exc), trusted_msg=True)


def converge(client, tenant_id, desired, params, check_mode):
    """Read, plan and write until the env is as asked; bounded re-reads on conflict or lost answers.

    Returns ``(first_hash, first_env, final_hash, final_env, touched)`` where ``touched`` holds
    every key a round planned to remove.
    """
    rounds = max(MIN_ROUNDS, params["max_retries"] + 1)
    first = None
    touched = set()
    last_problem = None
    for dummy in range(rounds):
        current_hash, current = read_env(client, tenant_id)
        if first is None:
            first = (current_hash, current)
        plan = plan_changes(current, desired, params["state"], params["purge"], params["purge_exclude"])
        touched.update(plan.removals)
        if not plan.changed:
            return first[0], first[1], current_hash, current, touched
        if check_mode:
            return first[0], first[1], current_hash, apply_plan(current, plan), touched
        try:
            if plan.upserts:
                current_hash, current = upsert_env(client, tenant_id, current_hash, plan.upserts)
            if plan.removals:
                current_hash, current = delete_env(client, tenant_id, current_hash, plan.removals)
        except OutcomeUnknownError:
            last_problem = "the answer to a change was lost"  # it may have been applied: the next read tells
            continue
        except HasuraCloudError as exc:
            if not is_hash_conflict(exc):
                raise
            last_problem = "another writer changed the environment (hash conflict)"  # read again, recompute
            continue
        return first[0], first[1], current_hash, current, touched
    raise ConflictsExhaustedError(
        "the environment of tenant %s could not be written in %d attempts: it kept changing while this task "
        "was writing, or answers were lost (last: %s); nothing was overwritten blindly, run the task again"
        % (tenant_id, rounds, last_problem))


def run(module, secrets):
    params = module.params
    desired = validate(secrets, params)
    client = client_from_module(secrets)
    tenant_id = params["tenant_id"]
    if tenant_id is None:
        tenant_id = tenant_id_for_name(client, params["tenant_name"])

    first_hash, first_env, final_hash, final_env, touched = converge(client, tenant_id, desired, params, module.check_mode)
    changes = net_changes(first_env, final_env, desired, params["state"], touched)
    if module.check_mode:
        changed = bool(changes.added or changes.updated or changes.removed)
    else:
        changed = final_hash != first_hash
    result = dict(
        changed=changed,
        tenant_id=tenant_id,
        hash=first_hash if module.check_mode else final_hash,
        previous_hash=first_hash,
    )
    result.update(changes.as_result())
    if module._diff:
        keys = set(desired) | set(changes.removed)
        result["diff"] = env_diff(first_env, final_env, keys, show_values=params["show_values"])
    secrets.exit_json(**result)


def main():
    module = AnsibleModule(**module_spec())
    secrets = SecretValues(module, "env")
    try:
        run(module, secrets)
    except (GraphQLError, AuthenticationError) as err:
        # These carry the service's own words, which might quote a value: masked.
        secrets.fail_json(msg=str(err))
    except HasuraCloudError as err:
        # Our own text, from names, ids, the API URL and transport reasons: masking it could
        # only garble it (a value "1" inside "127.0.0.1").
        secrets.fail_json(msg=str(err), trusted_msg=True)


if __name__ == "__main__":
    main()
