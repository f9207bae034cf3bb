#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_custom_domain
short_description: Add or remove a custom domain of a Hasura Cloud project
version_added: 0.2.0
description:
  - Adds a custom domain (a host name of your own, such as C(api.example.com)) to a Hasura Cloud project, or removes
    it, idempotently.
  - A project is served at C(<slug>.hasura.app). Once the domain is added, create a DNS record
    C(<fqdn> CNAME <slug>.hasura.app) at the DNS provider of the domain; Hasura Cloud then validates the name and
    issues its certificate. The module returns that record (RV(dns_record)) and, while the DNS validation has not
    succeeded, what to do next (RV(next_step), also shown as a warning). With O(wait=true) it waits until the
    validation succeeds.
  - One API request decides. It reads the project's domains and, in the same request, which project the token can
    see holds the name. A domain that is already there costs that one request and reports no change; adding or
    removing one costs one more.
  - A domain belongs to one project at most, across every Hasura Cloud account. A name that another project uses
    fails the task with a message naming that project, before any change is sent. A name used by a project the
    token cannot see is refused by the service; the module reads the project's domains again and reports the
    service's refusal.
  - This is the C(custom_domain) part of the Terraform provider's C(hasuracloud_tenant) resource
    (C(insert_custom_domain_one)); unlike it, the module also removes domains (C(delete_custom_domain_by_pk)).
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
      - Reads the project's domains and reports what would change; sends no change and never waits.
  diff_mode:
    support: full
    details:
      - The domain before and after the task (an empty dict for no domain).
options:
  fqdn:
    description:
      - The host name of the domain, for example V(api.example.com).
      - Compared as DNS compares names, so letter case, surrounding blanks and a trailing dot (V(API.Example.com.))
        do not count; the module sends and returns the name in lowercase without the dot.
      - It must be a fully qualified DNS name of at least two labels, each 1 to 63 letters, digits or hyphens
        (not starting or ending with a hyphen), 253 characters at most. Wildcards and IP addresses are refused.
        Give an internationalised name in its ASCII (IDNA) form, the C(xn--) labels your DNS provider shows.
        A bad name fails before any request.
    type: str
    required: true
  state:
    description:
      - V(present) adds the domain to the project when it does not have it.
      - V(absent) removes it from the project when it has it. A domain of another project is never touched.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - With O(state=present), wait until Hasura Cloud reports the DNS validation of the domain as succeeded
        (C(dns_validation=succeeded)), polling the domain every second at first, then less often (up to every
        10 seconds); each check is one API request.
      - A domain already validated costs no check. A validation that Hasura Cloud reports as failed fails the task
        at once, and so does a validation still pending after O(wait_timeout) seconds; both messages name the
        tenant, the domain and the DNS record to create. The domain stays added.
      - Not used in check mode nor with O(state=absent).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true).
    type: int
    default: 600
notes:
  - A domain at the apex of a DNS zone (V(example.com) itself) cannot have a CNAME record at most DNS providers;
    use the provider's C(ALIAS) or C(ANAME) record, or a subdomain such as V(www.example.com).
  - Deleting a project (M(hasura.cloud.hasura_tenant) with O(hasura.cloud.hasura_tenant#module:state=absent))
    removes its custom domains too.
seealso:
  - module: hasura.cloud.hasura_region_info
    description: The gateway addresses of the regions, to allow in a database firewall.
  - module: hasura.cloud.hasura_tenant
    description: Create and delete projects.
  - plugin: hasura.cloud.projects
    plugin_type: inventory
    description: Every project with its custom domains (host variable C(hasura_custom_domains)).
"""

EXAMPLES = r"""
- name: Serve a project under a domain of our own
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
  tasks:
    - name: Add the domain
      hasura.cloud.hasura_custom_domain:
        tenant_name: my-app
        fqdn: api.example.com
      register: domain

    # Create this record with the module of your DNS provider (for example
    # community.general.cloudflare_dns or amazon.aws.route53), from domain.dns_record.
    - name: Show the DNS record the domain needs
      ansible.builtin.debug:
        msg: "{{ domain.dns_record.name }} {{ domain.dns_record.type }} {{ domain.dns_record.value }}"
      when: domain.next_step is not none

    - name: Wait until Hasura Cloud has validated the name (and issues its certificate)
      hasura.cloud.hasura_custom_domain:
        tenant_name: my-app
        fqdn: api.example.com
        wait: true
        wait_timeout: 900

    - name: Remove an old domain
      hasura.cloud.hasura_custom_domain:
        tenant_id: 7a79cf94-0e53-4520-a560-1b02bf522f08
        fqdn: old-api.example.com
        state: absent

    - name: See what would change (run with --check --diff)
      hasura.cloud.hasura_custom_domain:
        tenant_name: my-app
        fqdn: graphql.example.com
      check_mode: true
      diff: true
"""

RETURN = r"""
domain:
  description:
    - The project's domain of that name after the task, as the service gives it; in check mode, the predicted
      domain (null for what only the service can know).
    - With O(state=absent), the domain as it was before it was removed; every value but RV(domain.fqdn) and
      RV(domain.tenant_id) null when the project had no such domain.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the domain.
      type: str
      returned: success
      sample: 3c1f7d1e-8f63-4a0e-9d4e-6f1b7f7a2c55
    fqdn:
      description: The host name, in lowercase without a trailing dot.
      type: str
      returned: success
      sample: api.example.com
    tenant_id:
      description: ID of the tenant the domain belongs to.
      type: str
      returned: success
      sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
    dns_validation:
      description:
        - Whether the name resolves to the project, as Hasura Cloud checks it; V(pending), V(succeeded) or
          V(failed).
      type: str
      returned: success
      sample: pending
    cert:
      description:
        - How the certificate of the domain is handled, as the service says it; for example V(letsencrypt)
          (issued by Let's Encrypt once the name is validated), C(vault://<path>) (stored by Hasura) or V(none).
      type: str
      returned: success
      sample: letsencrypt
    ssl_status:
      description: The state of the certificate as the service reports it; null until there is one.
      type: str
      returned: success
      sample: active
    ssl_message:
      description: What the service says about the certificate, if anything.
      type: str
      returned: success
      sample: null
dns_record:
  description:
    - The DNS record that points the domain at the project. Create it at the DNS provider of the domain.
  returned: with state=present
  type: dict
  contains:
    type:
      description: Always V(CNAME).
      type: str
      returned: with state=present
      sample: CNAME
    name:
      description: The domain (RV(domain.fqdn)).
      type: str
      returned: with state=present
      sample: api.example.com
    value:
      description: The project's own host name, C(<slug>.hasura.app).
      type: str
      returned: with state=present
      sample: my-app.hasura.app
next_step:
  description:
    - What to do before the domain serves the project, while Hasura Cloud has not validated it; null once
      RV(domain.dns_validation) is V(succeeded). The same text is shown as a warning.
  returned: with state=present
  type: str
  sample: >-
    create the DNS record api.example.com CNAME my-app.hasura.app at the DNS provider of api.example.com;
    Hasura Cloud then validates the name and issues its certificate (wait=true waits for that)
tenant_id:
  description: ID of the tenant (resolved from O(tenant_name) when that was given).
  returned: success
  type: str
  sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
diff:
  description: The domain before and after the task (the keys of RV(domain); an empty dict for no domain).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The domain before the task.
      type: dict
      returned: when diff mode is on
    after:
      description: The domain after the task (predicted in check mode).
      type: dict
      returned: when diff mode is on
  sample:
    before: {}
    after:
      fqdn: api.example.com
      tenant_id: 7a79cf94-0e53-4520-a560-1b02bf522f08
"""

from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudError, OptionError
from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    check_not_negative,
    check_tenant_ref,
    hasura_module,
    run_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._domain import (
    DomainTakenError,
    add_domain_checked,
    dns_record,
    fqdn_problem,
    next_step,
    normalize_fqdn,
    planned_domain,
    read_domain,
    remove_domain_checked,
    taken_message,
    wait_until_validated,
)


def check_options(params):
    """Every check that needs no request."""
    check_tenant_ref(params)
    check_not_negative(params, "wait_timeout")
    problem = fqdn_problem(params["fqdn"])
    if problem:
        raise OptionError(problem)


class DomainTask(object):
    """One run of hasura_custom_domain: one read, then add or remove only what differs."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.fqdn = normalize_fqdn(self.params["fqdn"])
        self.changed = False
        self.read = None
        self.domain = None

    def run(self):
        self.read = read_domain(self.client, self.params, self.fqdn)
        try:
            if self.params["state"] == "absent":
                self.remove()
            else:
                self.ensure()
        except HasuraCloudError as err:
            # A failure still reports what is known (say, a domain added whose wait timed out).
            raise err.with_result(**self.result())
        return self.result()

    def ensure(self):
        read = self.read
        if read.domain is not None:
            self.domain = read.domain
        elif read.holder is not None:
            raise DomainTakenError(taken_message(self.fqdn, read.tenant, read.holder))
        elif self.module.check_mode:
            self.changed = True
            self.domain = planned_domain(self.fqdn, read.tenant["id"])
        else:
            self.domain, self.changed = add_domain_checked(self.client, read, self.fqdn)
        if self.params["wait"] and not self.module.check_mode:
            self.domain = wait_until_validated(self.client, read, self.domain, self.params["wait_timeout"])
        step = next_step(self.domain, read.target)
        if step:
            self.module.warn("custom domain %s of project %s: %s" % (self.fqdn, read.tenant["name"], step))

    def remove(self):
        self.domain = self.read.domain
        if self.domain is None:
            return
        self.changed = True
        if not self.module.check_mode:
            # False: someone else removed it between our read and our delete.
            self.changed = remove_domain_checked(self.client, self.read)

    def result(self):
        tenant_id = self.read.tenant["id"]
        domain = self.domain if self.domain is not None else planned_domain(self.fqdn, tenant_id)
        result = dict(changed=self.changed, tenant_id=tenant_id, domain=domain)
        if self.params["state"] == "present":
            result.update(dns_record=dns_record(self.fqdn, self.read.target),
                          next_step=next_step(domain, self.read.target))
        if self.module._diff:
            before = self.read.domain
            after = self.domain if self.params["state"] == "present" else None
            result["diff"] = dict(before=dict(before or {}), after=dict(after or {}))
        return result


def main():
    module = hasura_module(
        dict(
            fqdn=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=600),
        ),
        tenant_ref=True,
    )
    run_module(module, lambda module, client: DomainTask(module, client).run(), check_options=check_options)


if __name__ == "__main__":
    main()
