# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: projects
short_description: Hasura Cloud projects as an inventory
version_added: 0.1.0
author:
  - hasura.cloud contributors (@hasura-cloud-contributors)
description:
  - Builds an inventory of the Hasura Cloud projects the personal access token can see,
    with one request to the Hasura Cloud GraphQL API for the whole inventory.
  - One host per project, named after the project, with the host variables
    C(hasura_tenant_id), C(hasura_project_id), C(hasura_endpoint), C(hasura_cloud),
    C(hasura_region), C(hasura_plan) (null when the service does not report it) and
    C(hasura_custom_domains), the project's custom domains (see below).
  - C(hasura_custom_domains) is a list, sorted by name, of one dict per custom domain of the project, with the
    keys of RV(hasura.cloud.hasura_custom_domain#module:domain) of M(hasura.cloud.hasura_custom_domain), that is
    C(id), C(fqdn), C(tenant_id), C(dns_validation) (V(pending), V(succeeded) or V(failed)), C(cert),
    C(ssl_status) and C(ssl_message). It comes with the projects, in the same single request.
  - Hosts get C(ansible_connection=local) by default (see O(connection_local)), because a
    project is not a machine to log in to; plays act on it through its API from the controller.
  - Supports the C(constructed) features (O(compose), O(groups), O(keyed_groups), O(strict))
    and inventory caching (O(cache)).
  - The source file must be named C(*.hasura_cloud.yml) or C(*.hasura_cloud.yaml).
extends_documentation_fragment:
  - hasura.cloud.hasura_cloud
  - hasura.cloud.hasura_cloud.inventory
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description:
      - The name of this plugin; it marks the file as an inventory source for it.
    type: str
    required: true
    choices: [hasura.cloud.projects]
  connection_local:
    description:
      - Set C(ansible_connection=local) on every project host, so tasks run on the
        controller and reach the project through its API.
      - Set to V(false) to leave the connection to your own variables, for example
        a C(group_vars) file or O(compose).
    type: bool
    default: true
notes:
  - The token comes from O(api_token) in the source file or from the E(HASURA_CLOUD_PAT)
    environment variable; the environment variable (for example injected by an AWX
    credential) keeps it out of files. It is never written to the inventory, to host
    variables, to the inventory cache or to error messages.
  - The cache key is derived from the source file path only. When O(cache) is enabled and
    the token or O(api_url) changes, refresh the inventory once with C(--flush-cache).
  - Modules run on a host with C(ansible_connection=local) use the Python that interpreter
    discovery finds on the controller, which may lack C(requests). Set
    C(ansible_python_interpreter="{{ ansible_playbook_python }}") for these hosts (in
    C(group_vars/all.yml) next to the source file, or in the play) to use Ansible's own Python.
  - A failure (bad token, unreachable API, missing token) is reported with one message
    starting with C(hasura.cloud.projects:). C(ansible-inventory) and C(ansible-playbook)
    show it as a warning and go on with an empty inventory unless
    E(ANSIBLE_INVENTORY_UNPARSED_FAILED) is set (AWX sets it for inventory updates).
seealso:
  - module: hasura.cloud.hasura_tenant_info
  - plugin: ansible.builtin.constructed
    plugin_type: inventory
"""

EXAMPLES = r"""
# projects.hasura_cloud.yml. The smallest source file is one line, `plugin: hasura.cloud.projects`
# (every project, the token taken from HASURA_CLOUD_PAT); this one also groups the projects by
# region, cloud and plan, composes variables, and caches the inventory for an hour.
plugin: hasura.cloud.projects
keyed_groups:
  # region_us_east_1, region_europe_west1, ...
  - key: hasura_region
    prefix: region
  # cloud_aws, cloud_gcp
  - key: hasura_cloud
    prefix: cloud
  # plan_cloud_free, plan_cloud_payg; projects without a plan go to plan_unknown
  - key: hasura_plan
    prefix: plan
    default_value: unknown
groups:
  # every project of this source, handy when several sources feed one inventory
  hasura_projects: true
  paid: hasura_plan == 'cloud_payg'
compose:
  # the project's health check URL (its endpoint is the project's base URL)
  hasura_healthz_url: hasura_endpoint ~ '/healthz'
  # the names of its custom domains whose DNS validation succeeded
  hasura_live_domains: >-
    hasura_custom_domains | selectattr('dns_validation', 'eq', 'succeeded') | map(attribute='fqdn') | list
# the API URL (this is the default), and the inventory cached for an hour in JSON files
api_url: https://data.pro.hasura.io/v1/graphql
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/hasura_cloud_inventory
cache_timeout: 3600

# Usage:
#   export HASURA_CLOUD_PAT=...   # never put the token in the source file in clear text
#   ansible-inventory -i projects.hasura_cloud.yml --graph
#   ansible-playbook -i projects.hasura_cloud.yml -l region_us_east_1 rotate-secret.yml
#   ansible-inventory -i projects.hasura_cloud.yml --list --flush-cache   # ignore the cache once
"""

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hasura.cloud.plugins.module_utils._client import (
    HasuraCloudError,
    MissingLibraryError,
    client_from_options,
)
from ansible_collections.hasura.cloud.plugins.module_utils._domain import list_tenants_with_domains
from ansible_collections.hasura.cloud.plugins.module_utils._tenant import TENANT_KEYS

SOURCE_SUFFIXES = (".hasura_cloud.yml", ".hasura_cloud.yaml")

# The key list_tenants_with_domains adds to the tenant dict: the project's domain dicts.
DOMAINS_KEY = "custom_domains"

# Host variable -> key of the tenant dicts returned by list_tenants_with_domains.
HOST_VARS = (
    ("hasura_tenant_id", "id"),
    ("hasura_project_id", "project_id"),
    ("hasura_endpoint", "endpoint"),
    ("hasura_cloud", "cloud"),
    ("hasura_region", "region"),
    ("hasura_plan", "plan"),
    ("hasura_custom_domains", DOMAINS_KEY),
)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """One host per Hasura Cloud project."""

    NAME = "hasura.cloud.projects"

    def verify_file(self, path):
        """Accept readable files named *.hasura_cloud.yml or *.hasura_cloud.yaml."""
        if not super(InventoryModule, self).verify_file(path):
            return False
        if str(path).endswith(SOURCE_SUFFIXES):
            return True
        self.display.vvv("%s: skipping %s, the file name does not end with %s"
                         % (self.NAME, path, " or ".join(SOURCE_SUFFIXES)))
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)

        use_cache = bool(self.get_option("cache"))
        cache_key = self.get_cache_key(path) if use_cache else None
        tenants = None
        if use_cache and cache:
            # cache=False comes from --flush-cache or a refresh: read the API, then store.
            tenants = self._cached_tenants(cache_key)
        if tenants is None:
            tenants = self._fetch_tenants()
            if use_cache:
                self._cache[cache_key] = tenants
        self._populate(tenants)

    # --- data ------------------------------------------------------------------------

    def _cached_tenants(self, cache_key):
        """The tenant list from the cache, or None on a miss or an unusable entry."""
        try:
            cached = self._cache[cache_key]
        except KeyError:
            return None
        # An entry without domains was written by an older version: read the API again.
        if not isinstance(cached, list) or not all(isinstance(item, dict) and isinstance(item.get(DOMAINS_KEY), list)
                                                   for item in cached):
            self.display.vvv("%s: ignoring a cache entry of an unexpected shape" % self.NAME)
            return None
        return cached

    def _option_text(self, name):
        """An option as text; a template (e.g. a lookup) in the source file is rendered."""
        value = self.get_option(name)
        if value is None:
            return None
        if isinstance(value, str) and self.templar.is_template(value):
            try:
                value = self.templar.template(value)
            except Exception:  # the value may hold a secret: never show it or the error text
                raise AnsibleParserError("%s: cannot render the template given for %s" % (self.NAME, name))
        return str(value)

    def _fetch_tenants(self):
        """Every tenant the token can see, each with its custom domains, with one API request."""
        options = dict(api_token=self._option_text("api_token"), api_url=self._option_text("api_url"),
                       validate_certs=self.get_option("validate_certs"), timeout=self.get_option("timeout"),
                       max_retries=self.get_option("max_retries"))
        try:
            tenants = list_tenants_with_domains(client_from_options(options))
        except MissingLibraryError:
            raise AnsibleError("%s: the Python library requests is required on the controller "
                               "(pip install requests)" % self.NAME)
        except HasuraCloudError as err:
            raise AnsibleParserError("%s: %s" % (self.NAME, err))
        except Exception as err:  # an answer of an unexpected shape; its text may quote anything
            raise AnsibleParserError("%s: unexpected answer from %s while listing projects (%s)"
                                     % (self.NAME, options["api_url"], type(err).__name__))
        # Plain dicts of plain values: safe for any cache plugin, and nothing but project data.
        return [dict(((key, tenant.get(key)) for key in TENANT_KEYS), **{DOMAINS_KEY: tenant[DOMAINS_KEY]})
                for tenant in tenants]

    # --- inventory -------------------------------------------------------------------

    def _populate(self, tenants):
        strict = self.get_option("strict")
        connection_local = self.get_option("connection_local")
        seen = set()
        for tenant in tenants:
            host = tenant.get("name") or tenant.get("id")
            if not host:
                continue
            if host in seen:
                alias = "%s_%s" % (host, tenant.get("id"))
                self.display.warning("%s: more than one project is named %s; tenant %s is added as host %s"
                                     % (self.NAME, host, tenant.get("id"), alias))
                host = alias
            seen.add(host)
            host = self.inventory.add_host(host)
            for var, key in HOST_VARS:
                self.inventory.set_variable(host, var, tenant.get(key))
            if connection_local:
                self.inventory.set_variable(host, "ansible_connection", "local")

            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)
