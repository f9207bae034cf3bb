#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_metadata_info
short_description: Read the engine metadata of a Hasura Cloud project
version_added: 0.2.0
description:
  - Returns the metadata of a Hasura Cloud project's GraphQL engine as its C(export_metadata) gives it, with its
    C(resource_version) and the objects the engine finds inconsistent, through the engine's metadata API.
  - Costs one Hasura Cloud API request with O(tenant_id) (the project's endpoint and admin secret together; a lookup
    more with O(tenant_name), unless O(admin_secret) is given) and one metadata API request.
  - The metadata is returned as it is, because reading it is the point of this module. It may hold secrets (header
    values, database URLs written as text), so set C(no_log=true) on the task unless everyone who can read the
    output may see them.
  - Never changes anything.
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.module
  - hasura.cloud.hasura_cloud.tenant
  - hasura.cloud.hasura_cloud.check_mode_read_only
  - ansible.builtin.action_common_attributes
options:
  admin_secret:
    description:
      - The admin secret of the project's engine, sent as C(x-hasura-admin-secret).
      - By default the project's C(HASURA_GRAPHQL_ADMIN_SECRET) is read from its environment with the personal access
        token.
    type: str
notes:
  - The engine answers only once it runs; while it starts or restarts after an env change the task fails with a
    clear message.
seealso:
  - module: hasura.cloud.hasura_metadata
    description: Keep a project's engine metadata as declared.
  - name: Hasura metadata API
    description: The API this module uses.
    link: https://hasura.io/docs/2.0/api-reference/metadata-api/manage-metadata/
"""

EXAMPLES = r"""
- name: Export the metadata of a project
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
  tasks:
    - name: Read the metadata (it may hold secrets, keep it out of the output)
      hasura.cloud.hasura_metadata_info:
        tenant_name: my-app
      register: exported
      no_log: true

    - name: Keep it in a file, to commit it and apply it elsewhere with hasura_metadata src
      ansible.builtin.copy:
        content: "{{ exported.metadata | to_nice_yaml(indent=2) }}"
        dest: hasura/metadata.yaml
        mode: "0600"
      no_log: true

    - name: Fail when the engine holds inconsistent objects
      ansible.builtin.assert:
        that: exported.inconsistent_objects | length == 0
        fail_msg: "inconsistent: {{ exported.inconsistent_objects | map(attribute='name') | join(', ') }}"

    - name: Copy the metadata of one project to another
      hasura.cloud.hasura_metadata:
        tenant_name: my-app-staging
        metadata: "{{ exported.metadata }}"
      no_log: true
"""

RETURN = r"""
tenant_id:
  description: ID of the tenant (resolved from O(tenant_name) when that was given).
  returned: success
  type: str
  sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
metadata:
  description:
    - The metadata object as the engine exports it (C(version), C(sources), C(actions), ...).
    - It may hold secrets; set C(no_log=true) on the task.
  returned: success
  type: dict
  sample: {version: 3, sources: [{name: default, kind: postgres, tables: [{table: {schema: public, name: author}}]}]}
resource_version:
  description: The engine's C(resource_version) of this metadata.
  returned: success
  type: int
  sample: 42
is_consistent:
  description: Whether the engine finds the metadata consistent.
  returned: success
  type: bool
  sample: true
inconsistent_objects:
  description: The objects the engine finds inconsistent, as C(get_inconsistent_metadata) lists them.
  returned: success
  type: list
  elements: dict
  sample:
    - type: source
      name: source default
      reason: "Inconsistent object: environment variable 'PG_DATABASE_URL' not set"
      definition: {name: default, kind: postgres}
"""

from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    check_not_blank,
    check_tenant_ref,
    hasura_module,
    run_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._metadata import MetadataTask, resolve_project
from ansible_collections.hasura.cloud.plugins.module_utils._secrets import SecretValues


def check_options(params):
    check_tenant_ref(params)
    check_not_blank(params, "admin_secret")


def run(module, client, secrets):
    tenant, admin_secret, origin = resolve_project(client, module.params)
    secrets.add([admin_secret])
    state = MetadataTask(client, tenant, admin_secret, origin, on_secrets=secrets.add).read()
    return dict(changed=False, tenant_id=tenant["id"], metadata=state.metadata,
                resource_version=state.resource_version, is_consistent=state.is_consistent,
                inconsistent_objects=state.inconsistent_objects)


def main():
    module = hasura_module(dict(admin_secret=dict(type="str", no_log=True)), tenant_ref=True)
    secrets = SecretValues(module, "admin_secret")
    run_module(module, lambda module, client: run(module, client, secrets), check_options=check_options,
               secrets=secrets)


if __name__ == "__main__":
    main()
