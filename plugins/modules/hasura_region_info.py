#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_region_info
short_description: List Hasura Cloud regions and the gateway addresses to allow in a database firewall
version_added: 0.2.0
description:
  - Returns the Hasura Cloud regions the token can see, with their gateway (NAT) addresses, the addresses a
    project's connections to its databases come from. Put RV(nat_ips) in the database's firewall or allow-list
    before the project is created.
  - By default only the active regions (those where a project can be created); optionally one cloud only.
  - RV(nat_ips) is what the Terraform provider's C(hasuracloud_gateways) data source gives (the C(nat_ip) of every
    active region that has one), sorted and without repeats.
  - Never changes anything. One API request.
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.module
  - hasura.cloud.hasura_cloud.check_mode_read_only
  - ansible.builtin.action_common_attributes
options:
  cloud:
    description:
      - Only the regions of this cloud provider. The values are those of the API's C(cloud_enum); another value fails
        before any request.
      - Unset, the regions of every cloud.
    type: str
    choices: [aws, azure, do, gcp]
  active_only:
    description:
      - Only the active regions, those where projects can be created.
      - Set to V(false) to also list inactive regions (and their addresses).
    type: bool
    default: true
seealso:
  - module: hasura.cloud.hasura_tenant
    description: Create a project in one of these regions.
  - module: hasura.cloud.hasura_custom_domain
"""

EXAMPLES = r"""
- name: The addresses Hasura Cloud connects from, for the database firewall
  hasura.cloud.hasura_region_info:
  delegate_to: localhost
  register: hasura_regions

- name: Show them
  ansible.builtin.debug:
    msg: "allow {{ hasura_regions.nat_ips | join(', ') }}"

- name: Only the gateway of the region the project will run in
  ansible.builtin.set_fact:
    project_gateway: >-
      {{ hasura_regions.regions | selectattr('cloud', 'eq', 'aws') | selectattr('name', 'eq', 'us-east-2')
         | map(attribute='nat_ip') | first }}

- name: The regions of one cloud, inactive ones too
  hasura.cloud.hasura_region_info:
    cloud: gcp
    active_only: false
  delegate_to: localhost
  register: gcp_regions
"""

RETURN = r"""
regions:
  description: The regions, sorted by cloud and name.
  returned: success
  type: list
  elements: dict
  contains:
    cloud:
      description: Cloud provider (a value of the API's C(cloud_enum)).
      type: str
      returned: success
      sample: aws
    name:
      description: Region name, as O(hasura.cloud.hasura_tenant#module:region) takes it.
      type: str
      returned: success
      sample: us-east-2
    is_active:
      description: Whether projects can be created in the region.
      type: bool
      returned: success
      sample: true
    nat_ip:
      description: The region's gateway address; null when the service gives none.
      type: str
      returned: success
      sample: 203.0.113.12
    nat_ips:
      description: The region's gateway addresses as the service gives them (JSON; null when it gives none).
      type: raw
      returned: success
      sample: [203.0.113.12]
  sample:
    - cloud: aws
      name: us-east-2
      is_active: true
      nat_ip: 203.0.113.12
      nat_ips: [203.0.113.12]
nat_ips:
  description:
    - Every gateway address of RV(regions) (their C(nat_ip), and the addresses in their C(nat_ips)), once each,
      in numeric order. Empty when no region has one.
  returned: success
  type: list
  elements: str
  sample: [198.51.100.21, 203.0.113.12]
"""

from ansible_collections.hasura.cloud.plugins.module_utils._common import hasura_module, run_module
from ansible_collections.hasura.cloud.plugins.module_utils._region import CLOUDS, list_regions, nat_addresses


def run(module, client):
    regions = list_regions(client, module.params["cloud"], module.params["active_only"])
    return dict(changed=False, regions=regions, nat_ips=nat_addresses(regions))


def main():
    module = hasura_module(dict(cloud=dict(type="str", choices=list(CLOUDS)),
                                active_only=dict(type="bool", default=True)))
    run_module(module, run)


if __name__ == "__main__":
    main()
