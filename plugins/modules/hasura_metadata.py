#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hasura_metadata
short_description: Keep the engine metadata of a Hasura Cloud project as declared
version_added: 0.2.0
description:
  - Keeps the metadata of a Hasura Cloud project's GraphQL engine (its databases, tables, relationships, permissions,
    actions, remote schemas, cron triggers and everything else C(hasura metadata apply) manages) as declared in
    O(metadata) or in a Hasura CLI metadata directory O(src), through the engine's own metadata API
    (C(POST <endpoint>/v1/metadata)).
  - Reads the project's endpoint and admin secret from the Hasura Cloud API, exports the metadata with its
    C(resource_version), compares canonical forms (key order, the order of named lists such as tables, permissions
    or actions, nulls and empty lists do not count) and sends C(replace_metadata) only when they differ, with the
    C(resource_version) just read. When another writer changed the metadata in between, the engine refuses the
    replace (HTTP 409); the module then reads again and compares again, a bounded number of times.
  - A metadata that the engine finds inconsistent (for example a database URL read C(from_env) from a variable the
    project's environment does not have) is not applied unless O(allow_inconsistent=true). The task fails naming
    each inconsistent object and the engine's reason, and nothing changes.
  - Header values, database URLs and passwords written as text inside the metadata are secrets. They are redacted in
    the diff (unless O(show_values=true)) and never appear in the result, in messages or in C(-vvv) output. Prefer
    C(value_from_env) and C(from_env) in metadata, which name variables of the project's environment
    (see M(hasura.cloud.hasura_tenant_env)).
  - To read the metadata, use M(hasura.cloud.hasura_metadata_info).
author:
  - hasura.cloud contributors (@hasura-cloud)
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.module
  - hasura.cloud.hasura_cloud.tenant
  - ansible.builtin.action_common_attributes
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - A same-named action plugin reads O(src) on the controller, whichever host the module runs on, then runs
        the module inside the Ansible worker process when that gives the same outcome (see the notes).
  check_mode:
    support: full
    details:
      - Reads and compares; sends no C(replace_metadata). RV(is_consistent) is null when a change would be made,
        since the engine judges a metadata only when it gets it.
  diff_mode:
    support: full
    details:
      - One diff per object (a source's settings, a table by source and C(schema.name), an action by name, ...) headed
        by its path, in the canonical form compared; secrets redacted unless O(show_values=true).
options:
  metadata:
    description:
      - The whole metadata object, as C(export_metadata) gives it and C(replace_metadata) takes it, with
        C(version) 3.
      - Objects the engine holds and this metadata does not are removed, since the metadata is replaced as a whole.
      - Exactly one of O(metadata) and O(src) is required.
      - The arguments that C(-vvv) echoes show a summary in place of the object (it may be large and hold secrets);
        C(--diff) shows what differs.
      - Hasura's own templates such as C({{ACTION_BASE_URL}}) in action handlers look like Jinja to Ansible. Keep
        such metadata in files read through O(src), or mark the values C(!unsafe).
    type: dict
  src:
    description:
      - Path of a Hasura CLI metadata directory (config v3, the C(metadata/) directory that C(hasura metadata export)
        writes, with C(version.yaml), C(databases/databases.yaml), C(databases/<db>/tables/tables.yaml) with the CLI's
        C(!include) references, C(actions.yaml) and C(actions.graphql), C(remote_schemas.yaml),
        C(cron_triggers.yaml), C(query_collections.yaml), C(allow_list.yaml), ...), or of one YAML or JSON file
        holding the whole metadata object.
      - Read B(on the controller) by the action plugin, which passes its content on as O(metadata); a relative path
        is looked for as the C(copy) module looks for O(src) (the role's or the playbook's C(files/), then the
        playbook's directory).
      - A file that does not exist, does not parse or is C(!include)d but missing fails the task before any request,
        naming the file.
    type: path
  admin_secret:
    description:
      - The admin secret of the project's engine, sent as C(x-hasura-admin-secret).
      - By default the project's C(HASURA_GRAPHQL_ADMIN_SECRET) is read from its environment with the personal access
        token, in the same request that reads its endpoint when O(tenant_id) is given.
    type: str
  allow_inconsistent:
    description:
      - Apply a metadata that the engine finds inconsistent (C(allow_inconsistent_metadata)), and accept an engine
        whose metadata is as declared but inconsistent. The inconsistent objects are returned in
        RV(inconsistent_objects) and named in a warning.
      - With V(false), such a metadata is not applied and the task fails naming each inconsistent object and why.
    type: bool
    default: false
  show_values:
    description:
      - Show header values, database URLs and other literal secrets of the metadata in the C(diff) output.
      - By default each reads C(<hidden>), and one that changed reads C(<hidden, changed>) after the change.
    type: bool
    default: false
notes:
  - 'Cost: with O(tenant_id), one Hasura Cloud API request (the endpoint and the admin secret together) and one
    metadata API request when nothing differs; a change adds the C(replace_metadata) and a read of the result (the
    engine does not return the new C(resource_version)). With O(tenant_name) the project is looked up first: one
    more Cloud API request, unless O(admin_secret) is given.'
  - The engine answers only once it runs. A project's engine starts after its creation and restarts after every
    change of its environment; the task fails with a clear message while it does not serve. Use C(wait=true) on
    M(hasura.cloud.hasura_tenant) and M(hasura.cloud.hasura_tenant_env) before this module (the role
    P(hasura.cloud.project#role) does).
  - The task reports C(changed) exactly when the canonical form of the metadata after the task differs from the one
    before it.
  - For a large metadata prefer O(src). A metadata object passed through a variable is templated by Ansible for every
    task, which costs about a millisecond per table with ansible-core 2.19; files read through O(src) are not templated.
seealso:
  - module: hasura.cloud.hasura_metadata_info
    description: Read a project's engine metadata.
  - module: hasura.cloud.hasura_tenant_env
    description: The environment variables the metadata reads with C(from_env) and C(value_from_env).
  - name: Hasura metadata API
    description: The API this module uses.
    link: https://hasura.io/docs/2.0/api-reference/metadata-api/manage-metadata/
  - name: Hasura metadata format
    description: The CLI's metadata directory that O(src) reads.
    link: https://hasura.io/docs/2.0/migrations-metadata-seeds/metadata-format/
"""

EXAMPLES = r"""
- name: Keep the engine metadata of a project as declared
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/hasura.cloud.hasura_cloud:
      api_token: "{{ vault_hasura_cloud_pat }}"
  tasks:
    - name: Apply a Hasura CLI metadata directory kept in git next to the playbook
      hasura.cloud.hasura_metadata:
        tenant_name: my-app
        src: hasura/metadata

    - name: Preview the change of another project, without sending it
      hasura.cloud.hasura_metadata:
        tenant_id: 7a79cf94-0e53-4520-a560-1b02bf522f08
        src: hasura/metadata
      check_mode: true
      diff: true
      register: planned

    - name: Show what would change (object paths only)
      ansible.builtin.debug:
        msg: "add {{ planned.added }}, update {{ planned.updated }}, remove {{ planned.removed }}"

    - name: Declare the metadata inline; the database URL comes from the project's env
      hasura.cloud.hasura_metadata:
        tenant_name: my-app
        metadata:
          version: 3
          sources:
            - name: default
              kind: postgres
              configuration:
                connection_info:
                  database_url:
                    from_env: PG_DATABASE_URL
              tables:
                - table: {schema: public, name: author}
                  select_permissions:
                    - role: user
                      permission:
                        columns: [id, name]
                        filter: {id: {_eq: X-Hasura-User-Id}}

    - name: Apply while a remote schema is down, and list what the engine finds inconsistent
      hasura.cloud.hasura_metadata:
        tenant_name: my-app
        src: hasura/metadata
        allow_inconsistent: true
      register: applied

    - name: Report the inconsistent objects
      ansible.builtin.debug:
        msg: "{{ applied.inconsistent_objects | map(attribute='name') | list }}"
      when: not applied.is_consistent

- name: Apply the metadata to every project of an inventory built by hasura.cloud.projects
  hosts: hasura_cloud_projects
  gather_facts: false
  tasks:
    - name: Apply the directory of this project's environment
      hasura.cloud.hasura_metadata:
        tenant_id: "{{ hasura_tenant_id }}"
        src: "metadata/{{ hasura_environment | default('production') }}"
"""

RETURN = r"""
tenant_id:
  description: ID of the tenant (resolved from O(tenant_name) when that was given).
  returned: success
  type: str
  sample: 7a79cf94-0e53-4520-a560-1b02bf522f08
resource_version:
  description:
    - The engine's C(resource_version) of the metadata after the task, as read back after a change.
    - In check mode, the current one, since nothing was sent.
  returned: success
  type: int
  sample: 42
previous_resource_version:
  description: The C(resource_version) first read by the task; equal to RV(resource_version) when nothing changed.
  returned: success
  type: int
  sample: 41
is_consistent:
  description:
    - Whether the engine finds the metadata after the task consistent.
    - Null in check mode when a change would be made (the engine judges a metadata only when it gets it).
  returned: success
  type: bool
  sample: true
inconsistent_objects:
  description:
    - The objects the engine finds inconsistent after the task (as C(get_inconsistent_metadata) lists them), with
      secrets in their definitions redacted. Empty when RV(is_consistent); null when it is null.
    - Also returned by a task that fails because of them.
  returned: success
  type: list
  elements: dict
  contains:
    type:
      description: Kind of object (C(source), C(table), C(remote_schema), C(action), C(object_relation), ...).
      type: str
    name:
      description: The engine's name for it, for example C(source default).
      type: str
    reason:
      description: Why the engine cannot use it.
      type: str
    definition:
      description: The object's metadata, secrets redacted.
      type: raw
  sample:
    - type: source
      name: source default
      reason: "Inconsistent object: environment variable 'PG_DATABASE_URL' not set"
      definition: {name: default, kind: postgres}
added:
  description:
    - Paths of the objects the task created (or would create, in check mode), sorted.
    - A source's own settings are C(sources/<source>); its tables C(sources/<source>/tables/<schema>.<name>), its
      functions C(sources/<source>/functions/<schema>.<name>); then C(actions/<name>), C(remote_schemas/<name>),
      C(cron_triggers/<name>), C(query_collections/<name>), C(allowlist/<collection>), C(inherited_roles/<role>),
      C(rest_endpoints/<name>), C(custom_types/<kind>/<name>); other top-level keys (C(api_limits), C(network), ...)
      by their name.
  returned: success
  type: list
  elements: str
  sample: [sources/default/tables/public.article]
updated:
  description: Paths of the objects that differ before and after the task (a table whose permission changed), sorted.
  returned: success
  type: list
  elements: str
  sample: [sources/default/tables/public.author]
removed:
  description: Paths of the objects the task removed (or would remove), sorted.
  returned: success
  type: list
  elements: str
  sample: [remote_schemas/legacy]
diff:
  description:
    - One entry per object that differs, headed by its path (the callback prints each as a diff of its own), in the
      canonical form compared. Header values, database URLs and passwords read C(<hidden>) (C(<hidden, changed>) for
      a new value) unless O(show_values=true).
  returned: when diff mode is on
  type: list
  elements: dict
  contains:
    before_header:
      description: The object's path.
      type: str
      returned: when diff mode is on
    after_header:
      description: The object's path.
      type: str
      returned: when diff mode is on
    before:
      description: The object before the task; null for an added object.
      type: dict
      returned: when diff mode is on
    after:
      description: The object after the task; null for a removed object.
      type: dict
      returned: when diff mode is on
  sample:
    - before_header: sources/default/tables/public.author
      after_header: sources/default/tables/public.author
      before: {table: {schema: public, name: author}}
      after:
        table: {schema: public, name: author}
        select_permissions: [{role: user, permission: {columns: [id]}}]
"""

from ansible_collections.hasura.cloud.plugins.module_utils._client import OptionError
from ansible_collections.hasura.cloud.plugins.module_utils._common import (
    check_not_blank,
    check_one_of,
    check_tenant_ref,
    hasura_module,
    run_module,
)
from ansible_collections.hasura.cloud.plugins.module_utils._metadata import (
    MetadataTask,
    metadata_problem,
    resolve_project,
    secret_values,
)
from ansible_collections.hasura.cloud.plugins.module_utils._secrets import SecretValues

# What -vvv shows of the metadata option.
METADATA_SUMMARY = ("(not shown: a metadata object of version %s, %d sources, %d tables, %d top-level keys; "
                    "run with --diff to see what differs)")
SRC_ON_CONTROLLER_MESSAGE = ("src is read on the controller by the action plugin of hasura.cloud.hasura_metadata, "
                             "which passes its content on as metadata; this module got src itself: call it as "
                             "hasura.cloud.hasura_metadata, or pass the metadata object in metadata")


def check_options(params):
    """Every check that needs no request."""
    check_tenant_ref(params)
    check_not_blank(params, "admin_secret")
    check_one_of(params, ("metadata", "src"))
    if params["src"] is not None:
        raise OptionError(SRC_ON_CONTROLLER_MESSAGE)
    problem = metadata_problem(params["metadata"])
    if problem:
        raise OptionError(problem)


def run(module, client, secrets):
    params = module.params
    secrets.add(lambda: secret_values(params["metadata"]))
    tenant, admin_secret, origin = resolve_project(client, params)
    secrets.add([admin_secret])
    task = MetadataTask(client, tenant, admin_secret, origin, on_secrets=secrets.add)
    task.converge(params["metadata"], params["allow_inconsistent"], module.check_mode)
    for warning in task.warnings():
        module.warn(secrets.mask(warning))
    result = task.result()
    if module._diff:
        result["diff"] = task.diff(params["show_values"])
    return result


def redacted_args(args):
    """The arguments as -vvv and the host's log show them: a summary in place of the metadata.

    The whole object could be large (a copy of it in every result, walked by Ansible's
    masking and by the controller) and holds secrets; the diff shows what differs.
    """
    metadata = args.get("metadata")
    if isinstance(metadata, dict):
        sources = metadata.get("sources") if isinstance(metadata.get("sources"), list) else []
        tables = sum(len(source.get("tables") or []) for source in sources if isinstance(source, dict))
        args["metadata"] = METADATA_SUMMARY % (metadata.get("version"), len(sources), tables, len(metadata))
    return args


def main():
    module = hasura_module(
        dict(
            metadata=dict(type="dict"),
            src=dict(type="path"),
            admin_secret=dict(type="str", no_log=True),
            allow_inconsistent=dict(type="bool", default=False),
            show_values=dict(type="bool", default=False),
        ),
        tenant_ref=True,
        args_filter=redacted_args,  # also what the host's log gets: never the metadata's secrets
    )
    secrets = SecretValues(module, "admin_secret", args_filter=redacted_args)
    run_module(module, lambda module, client: run(module, client, secrets), check_options=check_options,
               secrets=secrets)


if __name__ == "__main__":
    main()
