# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """Shared documentation of the hasura.cloud plugins.

    DOCUMENTATION mirrors the argument spec of plugins/module_utils/_common.py; the
    sections below add what modules (MODULE, TENANT, CHECK_MODE_READ_ONLY) or the inventory
    plugin (INVENTORY) need on top of it.
    """

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - 'Hasura Cloud Personal Access Token, sent as C(Authorization: pat <token>).'
      - Create one in the Hasura Cloud dashboard under C(Settings). It grants access to all
        of the user's projects and is valid until deleted, so keep it in a vault or in an
        AWX credential.
      - If not set, the value of the E(HASURA_CLOUD_PAT) environment variable is used.
        One of the two is required.
    type: str
    aliases: [pat]
  api_url:
    description:
      - URL of the Hasura Cloud GraphQL API.
      - If not set, the value of the E(HASURA_CLOUD_API_URL) environment variable is used,
        and without it V(https://data.pro.hasura.io/v1/graphql).
    type: str
    default: https://data.pro.hasura.io/v1/graphql
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url) (and of the project endpoint when waiting).
      - Set to V(false) only for an endpoint you trust, such as a local test service.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 30
  max_retries:
    description:
      - How many times a transient failure is retried (connection errors, HTTP 429, 502, 503 and 504),
        with exponential backoff and jitter, honouring C(Retry-After).
      - A change that may already have been applied when its answer was lost is never re-sent
        blindly; the module reads the current state first.
    type: int
    default: 3
requirements:
  - requests
"""

    # What every module shares beyond the options: its membership of the action group, the
    # platform it runs on, and how it reaches the API.
    MODULE = r"""
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - The same-named action plugin runs the module inside the Ansible worker process, without
        starting a module process, whenever that gives the same outcome (see the notes).
  action_group:
    description: Use C(group/hasura.cloud.hasura_cloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - hasura.cloud.hasura_cloud
  platform:
    support: full
    platforms: posix
    details:
      - 'Runs where the Hasura Cloud API is reachable, with Python and C(requests); usually the controller
        (C(connection: local) or C(delegate_to: localhost)).'
notes:
  - 'The modules talk to the Hasura Cloud API from the host they run on; use them with
    C(connection: local) or C(delegate_to: localhost).'
  - Set the connection options once for every module with
    C(module_defaults) and the action group C(group/hasura.cloud.hasura_cloud).
  - 'Execution: a task runs inside the Ansible worker process that already exists, instead of
    a new module process (about ten times faster for a task that changes nothing), when all of
    these hold: the connection is local (C(connection: local), C(delegate_to: localhost), the
    implicit C(localhost)); no C(become); no C(async); the task''s Python interpreter is the
    controller''s own Python (C(ansible_python_interpreter) set to
    C({{ ansible_playbook_python }}), as the implicit C(localhost) has it; an interpreter left to
    discovery, or another Python, runs the module in that Python); and C(requests) can be
    imported by the controller''s Python. Otherwise the task runs as a module process, as any module.'
  - Results, check mode, diff mode, C(no_log) masking, C(module_defaults), the task's
    C(environment) (applied to the worker for the task and undone after it, for each loop
    item), warnings and errors are the same either way. The choice is made before the module
    starts; a task is never re-run the other way.
  - To always run as a module process, set the variable C(hasura_cloud_in_process=false) (for a
    host, a play or a task), or the environment variable E(HASURA_CLOUD_IN_PROCESS=false)
    where C(ansible-playbook) runs; the variable takes precedence. With C(-vvvv), each task
    says which way it runs and why.
"""

    # The project a module acts on, named by its tenant ID or by its project name.
    TENANT = r"""
options:
  tenant_id:
    description:
      - ID (a UUID) of the tenant (the project) to act on. An invalid UUID fails before any request.
      - Exactly one of O(tenant_id) and O(tenant_name) is required.
      - The tenant ID is not the project ID; M(hasura.cloud.hasura_tenant_info) returns both.
    type: str
  tenant_name:
    description:
      - Name of the project to act on; resolved to its tenant with one lookup.
      - Exactly one of O(tenant_id) and O(tenant_name) is required.
    type: str
"""

    CHECK_MODE_READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
"""

    # What an inventory plugin adds to the connection options above: the environment
    # variables it reads them from (modules get the same ones through argument-spec fallbacks).
    INVENTORY = r"""
options:
  api_token:
    env:
      - name: HASURA_CLOUD_PAT
  api_url:
    env:
      - name: HASURA_CLOUD_API_URL
"""
