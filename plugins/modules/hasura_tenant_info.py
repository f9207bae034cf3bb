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
  - hasura.cloud.hasura_cloud.module
  - hasura.cloud.hasura_cloud.check_mode_read_only
  - ansible.builtin.action_common_attributes
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
      description: The project's DNS label (the project is served at C(https://<slug>.hasura.app)).
      type: str
      returned: success
      sample: my-app
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
      description: Base URL of the project; its GraphQL API is C(<endpoint>/v1/graphql).
      type: str
      returned: success
      sample: https://my-app.hasura.app
"""

from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    check_project_name,
    check_uuid,
    hasura_module,
    run_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import find_tenant_by_name, get_tenant, list_tenants


def check_options(params):
    """Every check that needs no request."""
    check_uuid(params, "tenant_id")
    check_project_name(params, "name")


def run(module, client):
    """The tenants the options ask for: one (or none) by id or name, else all of them."""
    tenant_id, name = module.params["tenant_id"], module.params["name"]
    if tenant_id is None and name is None:
        return dict(changed=False, tenants=list_tenants(client))
    tenant = get_tenant(client, tenant_id) if tenant_id is not None else find_tenant_by_name(client, name)
    return dict(changed=False, tenants=[tenant] if tenant is not None else [])


def main():
    module = hasura_module(dict(tenant_id=dict(type="str"), name=dict(type="str")),
                           mutually_exclusive=("tenant_id", "name"))
    run_module(module, run, check_options=check_options)


if __name__ == "__main__":
    main()
