#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_tenant
short_description: Create, find, rename and delete Hasura Cloud projects
version_added: 0.1.0
description:
  - Manages the lifecycle of a Hasura Cloud project (a I(tenant) in the API). It creates the project, finds it by
    O(tenant_id) or by its O(name), renames it, waits until its endpoint is healthy and deletes it.
  - Idempotent. A project that already matches the task costs one API request and reports no change.
  - A new project is created with its database (O(database_url)) and environment (O(initial_env)) in one request,
    so it starts once. The service has been seen to ignore the name given at creation; the module then renames
    the new project, so the task always ends with the project named as asked and the next run finds it.
  - A project is never created twice, even when the network loses the answer to a creation request.
    Before any new attempt the module lists the projects again; a project found by the name, or the one project
    that appeared since the listing made just before the creation, is the one the earlier attempt created.
  - Hasura Cloud cannot move a project to another cloud or region, and this module does not change plans.
    When O(cloud), O(region) or O(plan) differ from the existing project the task fails, naming the
    attribute and both values; it never ignores the difference silently and never recreates the project.
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.module
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - No change is sent. C(changed) says what would happen and RV(tenant) is the predicted project,
        with null for what only the service can know (V(id), V(slug), V(project_id), V(endpoint) of a new
        project, V(endpoint) of a renamed one).
      - Check mode never waits.
  diff_mode:
    support: full
    details:
      - The diff shows the project's attributes before and after (an empty dict for no project).
        O(database_url) and O(initial_env) never appear in it.
options:
  state:
    description:
      - V(present) makes sure the project exists (creating it when it is looked up by O(name) and missing),
        has the given O(name) and matches O(cloud), O(region) and O(plan).
      - V(absent) deletes the project when it exists.
    type: str
    choices: [present, absent]
    default: present
  tenant_id:
    description:
      - ID (a UUID) of an existing tenant. It identifies the project; with it, O(name) is the name the
        project must have and a different current name is renamed to O(name).
      - A O(tenant_id) that does not exist fails with C(tenant ... not found) when O(state=present); the
        module never creates a different project in its place.
      - An invalid UUID fails before any request.
      - The tenant ID is not the project ID; both are returned in RV(tenant).
      - One of O(tenant_id) and O(name) is required.
    type: str
  name:
    description:
      - Name of the project. Lowercase letters, digits and hyphens, starting and ending with a letter or
        digit, at most 63 characters; names are unique and become part of the endpoint host name.
      - Without O(tenant_id), the name is the key the project is looked up by, and created by when missing.
      - With O(tenant_id), the name the project must have; it is renamed when it differs. With
        O(state=absent), a project whose name differs from O(name) is not deleted (the task fails).
      - An invalid name fails before any request.
    type: str
  cloud:
    description:
      - Cloud provider of the project, for example V(aws) or V(gcp).
      - Required to create a project. On an existing project it is compared, and a difference fails the task.
    type: str
  region:
    description:
      - Region of the project, for example V(us-east-2).
      - Required to create a project. On an existing project it is compared, and a difference fails the task.
    type: str
  plan:
    description:
      - Pricing plan, for example V(cloud_free) (Free) or V(cloud_payg) (Standard).
      - Used at creation; when omitted the service picks its default (V(cloud_free)).
      - On an existing project it is compared when given, and a difference fails the task.
    type: str
  database_url:
    description:
      - URL of the database a new project serves, sent when the project is created, and only then.
      - It travels as the environment variable C(HASURA_GRAPHQL_DATABASE_URL) of the new project, inside the
        same C(createTenant) request (the Hasura Cloud API takes a database that way).
      - It is a secret. It is never read back, compared, returned or shown in a diff; changing it on an
        existing project does nothing (manage C(HASURA_GRAPHQL_DATABASE_URL) with
        M(hasura.cloud.hasura_tenant_env) instead).
      - Setting it and also C(HASURA_GRAPHQL_DATABASE_URL) in O(initial_env) fails before any request.
    type: str
  initial_env:
    description:
      - Environment variables a new project is created with, name to value, sent inside the same
        C(createTenant) request, so the project starts once, with them.
      - Used only when the project is created, like C(update_password=on_create) of M(ansible.builtin.user);
        ignored for a project that exists. Keep an existing project's environment with
        M(hasura.cloud.hasura_tenant_env).
      - The same name and value rules as O(hasura.cloud.hasura_tenant_env#module:env) of
        M(hasura.cloud.hasura_tenant_env). Names must match C(^[A-Za-z_][A-Za-z0-9_]*$); values are strings,
        numbers or booleans. A bad name or value fails before any request, naming the key.
      - The values are secret. They never appear in the result, in a diff or in C(-vvv) output.
      - Hasura Cloud adds a generated C(HASURA_GRAPHQL_ADMIN_SECRET) to every new project unless one is given here.
    type: dict
  wait:
    description:
      - With O(state=present), wait until the project answers C(GET <endpoint>/healthz) with HTTP 200
        before returning.
      - A new project takes a while to start. The health check is polled every second at first, then
        less often (up to every 10 seconds), so a ready project costs one check and a slow one few.
      - An existing project is checked too (a ready one answers the first check at once), so a task that
        timed out while waiting is not reported as done when it is run again.
      - Not used in check mode nor with O(state=absent).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true). On expiry the task fails with the tenant ID in the
        message (the project exists; run the task again to keep waiting).
    type: int
    default: 600
notes:
  - API requests per task, for planning rate limits. A project that already matches the task costs one. A creation
    costs three (look-up by name, listing of the projects that exist, create), four when the service ignored the name
    and the project is renamed; a rename two, a deletion two. The health checks of O(wait) go to the project's
    endpoint, not to the API.
  - O(max_retries) also bounds how many times a creation, rename or deletion is sent again after its answer was lost;
    each new attempt comes only after the state was read again. An error answer from the service is reported
    after one read that confirms nothing happened.
seealso:
  - module: hasura.cloud.hasura_tenant_info
  - module: hasura.cloud.hasura_tenant_env
"""

EXAMPLES = r"""
- name: Create a project with its database and first settings, and wait until its endpoint is healthy
  hasura.cloud.hasura_tenant:
    name: my-app
    cloud: aws
    region: us-east-2
    plan: cloud_free
    database_url: "{{ vault_my_app_database_url }}"
    initial_env:
      HASURA_GRAPHQL_ENABLE_CONSOLE: "false"
      HASURA_GRAPHQL_ADMIN_SECRET: "{{ vault_my_app_admin_secret }}"
    api_token: "{{ vault_hasura_cloud_pat }}"
  delegate_to: localhost
  register: project

- name: Show the new project's endpoint
  ansible.builtin.debug:
    msg: "{{ project.tenant.name }} serves GraphQL at {{ project.tenant.endpoint }}/v1/graphql"

- name: Find an existing project by name (no change when it exists and matches)
  hasura.cloud.hasura_tenant:
    name: my-app
    wait: false
  delegate_to: localhost
  register: found

- name: Rename the project with this tenant ID
  hasura.cloud.hasura_tenant:
    tenant_id: 7a79cf94-0e53-4520-a560-1b02bf522f08
    name: my-app-staging
  delegate_to: localhost

- name: Delete a project by name
  hasura.cloud.hasura_tenant:
    name: my-app-staging
    state: absent
  delegate_to: localhost

- name: Connection settings once for every hasura.cloud module in a block
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
      timeout: 60
  delegate_to: localhost
  block:
    - name: Create two projects in one region
      hasura.cloud.hasura_tenant:
        name: "{{ item }}"
        cloud: gcp
        region: europe-west1
      loop: [shop-api, shop-admin]

- name: See what would change without changing anything (run with --check --diff)
  hasura.cloud.hasura_tenant:
    name: my-app
    cloud: aws
    region: us-east-2
  check_mode: true
  delegate_to: localhost
  register: plan

- name: List every project the token can see
  hasura.cloud.hasura_tenant_info:
  delegate_to: localhost
  register: all_projects
"""

RETURN = r"""
tenant:
  description:
    - The project after the task, with O(state=present); in check mode, the predicted project (null for what
      only the service can know).
    - With O(state=absent), the project as it was before it was deleted, so that the play can report what was
      removed; every value null when there was no such project.
    - O(database_url) and O(initial_env) are never part of it.
  returned: success
  type: dict
  contains:
    id:
      description: Tenant ID, the identity the API uses (O(tenant_id)).
      type: str
      returned: success
      sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
    name:
      description: Project name.
      type: str
      returned: success
      sample: my-app
    slug:
      description: The project's DNS label (the project is served at C(https://<slug>.hasura.app)); it follows the name.
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
      description:
        - Base URL of the project, as the service gives it. Its GraphQL API is C(<endpoint>/v1/graphql), its
          health check C(<endpoint>/healthz). It changes when the project is renamed.
      type: str
      returned: success
      sample: https://my-app.hasura.app
  sample:
    id: 7a79cf94-0e53-4520-a560-1b02bf522f08
    name: my-app
    slug: my-app
    cloud: aws
    region: us-east-2
    plan: cloud_free
    project_id: 0c2d7b7e-3f0c-4a8e-9a53-1f3c2b4d5e6f
    endpoint: https://my-app.hasura.app
diff:
  description: The project's attributes before and after the task (the same keys as RV(tenant); an empty dict
    for no project). Only in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The project before the task.
      type: dict
      returned: when diff mode is on
    after:
      description: The project after the task (predicted in check mode).
      type: dict
      returned: when diff mode is on
  sample:
    before:
      name: my-app
      region: us-east-2
    after:
      name: my-app-staging
      region: us-east-2
"""

from ansible_collections.hasura.cloud.plugins.module_utils._client import HasuraCloudError, OptionError
from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    check_not_negative,
    check_project_name,
    check_uuid,
    hasura_module,
    run_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._env import env_objects, normalize_env
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import (
    TenantMismatchError,
    TenantNotFoundError,
    create_tenant_checked,
    delete_tenant_checked,
    empty_tenant,
    find_tenant_by_name,
    get_tenant,
    rename_tenant_checked,
    wait_until_healthy,
)

# The env var a new project's database URL travels in (the real createTenant has no databaseUrl).
DATABASE_URL_VAR = "HASURA_GRAPHQL_DATABASE_URL"

# Attributes fixed at creation: (option, how the message describes the current value, why).
FIXED_ATTRIBUTES = (
    ("cloud", "runs on", "Hasura Cloud cannot move a project to another cloud"),
    ("region", "is in", "Hasura Cloud cannot move a project to another region"),
    ("plan", "is on", "this module does not change plans (change it in the Hasura Cloud console)"),
)


def check_options(params):
    """Every check that needs no request."""
    check_uuid(params, "tenant_id")
    check_project_name(params, "name")
    check_not_negative(params, "wait_timeout")
    initial_env(params)


def initial_env(params):
    """The env a new project is created with: initial_env plus database_url, normalised (names only in errors)."""
    env = normalize_env(params["initial_env"] or {})
    if params["database_url"] is not None:
        if DATABASE_URL_VAR in env:
            raise OptionError("database_url and initial_env.%s both set the database of a new project: set only one"
                              % DATABASE_URL_VAR)
        env[DATABASE_URL_VAR] = params["database_url"]
    return env


class TenantTask(object):
    """One run of hasura_tenant: look up, compare, then change only what differs."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.changed = False
        self.before = None
        self.tenant = None

    def run(self):
        try:
            current = self.look_up()
            if self.params["state"] == "absent":
                self.remove(current)
            else:
                self.ensure(current)
        except HasuraCloudError as err:
            # A failure still reports what is known by then (say, a project created whose wait timed out).
            raise err.with_result(**self.partial_result())
        return self.result()

    def look_up(self):
        """The tenant named by tenant_id (preferred) or name, or None. One request."""
        tenant_id = self.params["tenant_id"]
        if tenant_id is None:
            return find_tenant_by_name(self.client, self.params["name"])
        tenant = get_tenant(self.client, tenant_id)
        if tenant is None and self.params["state"] == "present":
            raise TenantNotFoundError(
                "tenant %s not found: no tenant with this id is visible to this token; check tenant_id, "
                "or leave it out to create a project by name" % tenant_id)
        return tenant

    # --- state=present

    def ensure(self, current):
        if current is None:
            self.create()
        else:
            self.before = current
            self.check_fixed_attributes(current)
            wanted_name = self.params["name"]
            if wanted_name is not None and wanted_name != current["name"]:
                self.rename(current, wanted_name)
            else:
                self.tenant = current
        if self.params["wait"] and not self.module.check_mode:
            wait_until_healthy(self.client, self.tenant, self.params["wait_timeout"],
                               " after it was created" if current is None else "")

    def check_fixed_attributes(self, current):
        problems = []
        for option, verb, reason in FIXED_ATTRIBUTES:
            wanted = self.params[option]
            actual = current[option]
            if wanted is not None and actual is not None and wanted != actual:
                problems.append("%s differs: the project %s %s, the task asks for %s; %s"
                                % (option, verb, actual, wanted, reason))
        if problems:
            raise TenantMismatchError(
                "tenant %s (project %s): %s. Change the task to match the project, or delete the project "
                "and create it again" % (current["id"], current["name"], "; ".join(problems)),
                result=dict(tenant=current))

    def create(self):
        name = self.params["name"]
        missing = [option for option in ("cloud", "region") if not self.params[option]]
        if missing:
            raise OptionError(
                "project %s does not exist and cannot be created without %s: set cloud (for example aws) "
                "and region (for example us-east-2)" % (name, " and ".join(missing)))
        self.before = {}
        self.changed = True
        if self.module.check_mode:
            self.tenant = dict(empty_tenant(), name=name, cloud=self.params["cloud"], region=self.params["region"],
                               plan=self.params["plan"])
            return
        self.tenant = create_tenant_checked(self.client, name, self.params["cloud"], self.params["region"],
                                            plan=self.params["plan"], envs=env_objects(initial_env(self.params)))

    def rename(self, current, wanted_name):
        self.changed = True
        if self.module.check_mode:
            # The endpoint host follows the name: the service decides the new one.
            self.tenant = dict(current, name=wanted_name, endpoint=None)
            return
        self.tenant = rename_tenant_checked(self.client, current["id"], wanted_name)

    # --- state=absent

    def remove(self, current):
        if current is None:
            self.before = {}
            self.tenant = empty_tenant()
            return
        name = self.params["name"]
        if self.params["tenant_id"] is not None and name is not None and name != current["name"]:
            raise TenantMismatchError(
                "tenant %s is project %s, not %s: nothing was deleted; check tenant_id and name"
                % (current["id"], current["name"], name), result=dict(tenant=current))
        self.before = current
        self.tenant = current
        self.changed = True
        if not self.module.check_mode:
            # False: someone else deleted it between our read and our delete.
            self.changed = delete_tenant_checked(self.client, current["id"])

    # --- result

    def after(self):
        if self.params["state"] == "absent":
            return {}
        return dict(self.tenant or {})

    def result(self):
        result = dict(changed=self.changed, tenant=self.tenant if self.tenant is not None else empty_tenant())
        if self.module._diff:
            result["diff"] = dict(before=dict(self.before or {}), after=self.after())
        return result

    def partial_result(self):
        """What a failure still reports once the project is known."""
        if self.tenant is None:
            return {}
        return dict(changed=self.changed, tenant=self.tenant)


def main():
    module = hasura_module(
        dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            tenant_id=dict(type="str"),
            name=dict(type="str"),
            cloud=dict(type="str"),
            region=dict(type="str"),
            plan=dict(type="str"),
            database_url=dict(type="str", no_log=True),
            initial_env=dict(type="dict", no_log=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        required_one_of=("tenant_id", "name"),
    )
    run_module(module, lambda module, client: TenantTask(module, client).run(),
               check_options=check_options, secret_option="initial_env")


if __name__ == "__main__":
    main()
