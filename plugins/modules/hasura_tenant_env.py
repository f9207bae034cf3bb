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
  - hasura.cloud.hasura_cloud.module
  - hasura.cloud.hasura_cloud.tenant
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
options:
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
  wait:
    description:
      - After a change, wait until the project answers C(GET <endpoint>/healthz) with HTTP 200 again.
      - Hasura Cloud restarts the project's GraphQL engine after every change of its environment; with
        V(true) the task returns once the engine serves again, so the next task can use it.
      - Also when nothing changed, with one check (a ready project answers it at once), so that a task
        run again after a wait that timed out does not pass while the engine is still restarting.
      - Not used in check mode. With O(tenant_id), the first read of the environment also reads the
        project's endpoint, in the same request; the health checks go to the project, not to the API.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true). On expiry the task fails with the tenant ID in the
        message; the change itself is kept (run the task again to keep waiting).
    type: int
    default: 300
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

from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    check_not_negative,
    check_tenant_ref,
    hasura_module,
    run_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudError, OptionError
from ansible_collections.hasura.cloud.plugins.module_utils._env import (
    DEFAULT_PURGE_EXCLUDE,
    DesiredEnv,
    converge,
    normalize_env,
    pattern_problem,
    read_env_and_endpoint,
)
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import resolve_tenant_ref, wait_until_healthy


def check_options(params):
    """The checks of the options other than env (normalised by run before any request)."""
    check_tenant_ref(params)
    check_not_negative(params, "wait_timeout")
    if params["purge"] and params["state"] == "absent":
        raise OptionError("purge=true applies only to state=present; with state=absent the keys listed in env "
                          "are removed and nothing else: drop purge or use state=present")
    problem = pattern_problem(params["purge_exclude"])
    if problem:
        raise OptionError(problem)


def first_read(client, params):
    """The tenant (with its endpoint when waiting) and, when that costs no extra request, its env: one request."""
    if params["wait"] and params["tenant_id"] is not None:
        state, tenant = read_env_and_endpoint(client, params["tenant_id"])
        return tenant, state
    return resolve_tenant_ref(client, params), None


def run(module, client):
    params = module.params
    # Checked here, still before any request: the normalised env is what the task works with.
    desired = DesiredEnv(normalize_env(params["env"], check_values=params["state"] == "present"),
                         params["state"], params["purge"], params["purge_exclude"])
    tenant, state = first_read(client, params)
    outcome = converge(client, tenant["id"], desired, module.check_mode, first_read=state)
    result = outcome.result(desired, tenant["id"])
    if module._diff:
        result["diff"] = outcome.diff(desired, params["show_values"])
    if params["wait"] and not module.check_mode:
        # Also when nothing changed: a task run again after a wait that timed out must not pass
        # while the engine is still restarting. A ready engine answers the first check.
        try:
            wait_until_healthy(client, tenant, params["wait_timeout"],
                               " after its environment changed (the change is kept)" if outcome.changed else "")
        except HasuraCloudError as err:
            raise err.with_result(**result)
    return result


def main():
    module = hasura_module(
        dict(
            env=dict(type="dict", required=True, no_log=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            purge=dict(type="bool", default=False),
            purge_exclude=dict(type="list", elements="str", default=list(DEFAULT_PURGE_EXCLUDE)),
            show_values=dict(type="bool", default=False),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=300),
        ),
        tenant_ref=True,
    )
    run_module(module, run, check_options=check_options, secret_option="env")


if __name__ == "__main__":
    main()
