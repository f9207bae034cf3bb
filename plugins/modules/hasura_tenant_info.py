#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_tenant_info
short_description: List Hasura Cloud projects or look one up
version_added: 0.1.0
description:
  - Returns one Hasura Cloud project (a I(tenant) in the API) found by O(tenant_id) or O(name), or every project
    the token can see when neither is given.
  - Never changes anything. One API request.
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.action_group
  - hasura.cloud.hasura_cloud.check_mode_read_only
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    support: full
    platforms: all
    details:
      - Runs on any host with Python and C(requests) that can reach O(api_url); usually the controller
        (C(connection=local) or C(delegate_to=localhost)).
options:
  tenant_id:
    description:
      - ID (a UUID) of the tenant to return. An invalid UUID fails before any request.
      - RV(tenants) is empty when no such tenant is visible to the token.
      - Mutually exclusive with O(name).
    type: str
  name:
    description:
      - Name of the project to return. An invalid project name fails before any request.
      - RV(tenants) is empty when no such project is visible to the token.
      - Mutually exclusive with O(tenant_id).
    type: str
seealso:
  - module: hasura.cloud.hasura_tenant
  - module: hasura.cloud.hasura_tenant_env_info
"""

EXAMPLES = r"""
- name: List every project the token can see
  hasura.cloud.hasura_tenant_info:
  delegate_to: localhost
  register: all_projects

- name: Show each project's endpoint
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.endpoint }}"
  loop: "{{ all_projects.tenants }}"

- name: Look a project up by name
  hasura.cloud.hasura_tenant_info:
    name: my-app
  delegate_to: localhost
  register: my_app

- name: Fail when it does not exist
  ansible.builtin.assert:
    that: my_app.tenants | length == 1
    fail_msg: project my-app does not exist

- name: Look a tenant up by ID, with the token from module_defaults
  hasura.cloud.hasura_tenant_info:
    tenant_id: 7a79cf94-0e53-4520-a560-1b02bf522f08
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
  delegate_to: localhost
  register: by_id
"""

RETURN = r"""
tenants:
  description:
    - The projects found, sorted by name. With O(tenant_id) or O(name), the one project or an empty list.
    - Each item has the same keys as RV(hasura.cloud.hasura_tenant#module:tenant); unknown values are null.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Tenant ID.
      type: str
      returned: success
      sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
    name:
      description: Project name.
      type: str
      returned: success
      sample: my-app
    slug:
      description: Tenant slug assigned by the service.
      type: str
      returned: success
      sample: bright-otter-42
    cloud:
      description: Cloud provider.
      type: str
      returned: success
      sample: aws
    region:
      description: Region.
      type: str
      returned: success
      sample: us-east-2
    plan:
      description: Pricing plan.
      type: str
      returned: success
      sample: cloud_free
    project_id:
      description: Project ID (not the tenant ID).
      type: str
      returned: success
      sample: 0c2d7b7e-3f0c-4a8e-9a53-1f3c2b4d5e6f
    endpoint:
      description: GraphQL endpoint of the project.
      type: str
      returned: success
      sample: https://my-app.hasura.app/v1/graphql
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudError
from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    argument_spec,
    check_uuid,
    client_from_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import (
    find_tenant_by_name,
    get_tenant,
    list_tenants,
    name_problem,
)


def find_tenants(client, tenant_id, name):
    """The tenants the options ask for: one (or none) by id or name, else all of them."""
    if tenant_id is not None:
        tenant = get_tenant(client, tenant_id)
    elif name is not None:
        tenant = find_tenant_by_name(client, name)
    else:
        return list_tenants(client)
    return [tenant] if tenant is not None else []


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            tenant_id=dict(type="str"),
            name=dict(type="str"),
        ),
        mutually_exclusive=[("tenant_id", "name")],
        supports_check_mode=True,
    )
    check_uuid(module, "tenant_id")
    if module.params["name"] is not None:
        problem = name_problem(module.params["name"])
        if problem:
            module.fail_json(msg=problem)
    client = client_from_module(module)
    try:
        tenants = find_tenants(client, module.params["tenant_id"], module.params["name"])
    except HasuraCloudError as err:
        module.fail_json(msg=str(err))
    module.exit_json(changed=False, tenants=tenants)


if __name__ == "__main__":
    main()
