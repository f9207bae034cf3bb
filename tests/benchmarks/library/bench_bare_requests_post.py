# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark reference only: the smallest module that imports requests and makes one POST.

It is the floor a requests-based module cannot go below, measured beside the real modules
so that the cost of our own code shows as the ratio env / bare.
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_bare_requests_post
short_description: Benchmark reference, one requests POST
description: Imports requests and sends one GraphQL POST; never part of the collection.
author: hasura.cloud contributors (@hasura-cloud)
options:
  url: {description: GraphQL URL., type: str, required: true}
  token: {description: Token., type: str, required: true}
  tenant_id: {description: Tenant ID., type: str, required: true}
"""

import requests

from ansible.module_utils.basic import AnsibleModule

QUERY = "query getEnv($id: uuid!) { getTenantEnv(tenantId: $id) { hash envVars } }"


def main():
    module = AnsibleModule(argument_spec=dict(url=dict(type="str", required=True),
                                              token=dict(type="str", required=True, no_log=True),
                                              tenant_id=dict(type="str", required=True)))
    response = requests.post(module.params["url"], json={"query": QUERY, "variables": {"id": module.params["tenant_id"]}},
                             headers={"Authorization": "pat " + module.params["token"]}, timeout=30)
    module.exit_json(changed=False, status=response.status_code)


if __name__ == "__main__":
    main()
