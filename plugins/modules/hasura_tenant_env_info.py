#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_tenant_env_info
short_description: Read the environment variables of a Hasura Cloud project
version_added: 0.1.0
description:
  - Returns the environment variables of a Hasura Cloud project (tenant), their names and the hash
    of the environment, with one C(getTenantEnv) request (plus one lookup when O(tenant_name) is given).
  - The values are returned because reading them is the point of this module. They are often
    secrets (admin secret, database URL), so set C(no_log=true) on the task and do not print the
    registered variable, unless the values may be seen by everyone who can read the output or logs.
  - Never changes anything.
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.module
  - hasura.cloud.hasura_cloud.tenant
  - hasura.cloud.hasura_cloud.check_mode_read_only
  - ansible.builtin.action_common_attributes
seealso:
  - module: hasura.cloud.hasura_tenant_env
    description: Set or remove the environment variables of a project.
  - module: hasura.cloud.hasura_tenant_info
    description: Read projects.
"""

EXAMPLES = r"""
# Ad-hoc, with the token in the HASURA_CLOUD_PAT environment variable (prints the values!):
#   ansible localhost -m hasura.cloud.hasura_tenant_env_info -a tenant_name=my-app

- name: Inspect a project's environment
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
  tasks:
    - name: Read the environment (the values are secrets, keep them out of the output)
      hasura.cloud.hasura_tenant_env_info:
        tenant_name: my-app
      register: project_env
      no_log: true

    - name: Show the variable names and the hash, not the values
      ansible.builtin.debug:
        msg: "{{ project_env.names | join(', ') }} (hash {{ project_env.hash }})"

    - name: Fail when the admin secret is missing
      ansible.builtin.assert:
        that: "'HASURA_GRAPHQL_ADMIN_SECRET' in project_env.names"
        quiet: true

    - name: Copy one variable to another project
      hasura.cloud.hasura_tenant_env:
        tenant_name: my-app-staging
        env:
          FEATURE_X: "{{ project_env.env.FEATURE_X }}"
      when: "'FEATURE_X' in project_env.names"
"""

RETURN = r"""
hash:
  description: Hash of the environment (an opaque version string; the service shows a 40-hex SHA-1).
  returned: success
  type: str
  sample: 5c2b0d8c8f2e1f0a4a7f7b3a0b1e9d6c4f2a8e11
names:
  description:
    - Names of the variables, sorted.
    - Release 0.1.0 returned this list as C(keys), a name that Jinja dot notation cannot reach.
  returned: success
  type: list
  elements: str
  sample: [FEATURE_X, HASURA_GRAPHQL_ADMIN_SECRET]
env:
  description:
    - Variable name to value; every value is a string.
    - The values are secrets; set C(no_log=true) on the task.
  returned: success
  type: dict
  sample: {FEATURE_X: "on", HASURA_GRAPHQL_ADMIN_SECRET: "..."}
tenant_id:
  description: ID of the tenant (resolved from O(tenant_name) when that was given).
  returned: success
  type: str
  sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
"""

from ansible_collections.hasura.cloud.plugins.module_utils._common import check_tenant_ref, hasura_module, run_module
from ansible_collections.hasura.cloud.plugins.module_utils._env import read_env
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import resolve_tenant_ref


def run(module, client):
    tenant_id = resolve_tenant_ref(client, module.params)["id"]
    env_hash, env = read_env(client, tenant_id)
    return dict(changed=False, tenant_id=tenant_id, hash=env_hash, names=sorted(env), env=env)


def main():
    module = hasura_module({}, tenant_ref=True)
    run_module(module, run, check_options=check_tenant_ref)


if __name__ == "__main__":
    main()
