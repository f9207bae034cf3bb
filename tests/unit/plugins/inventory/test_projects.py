# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the inventory plugin hasura.cloud.projects, HTTP scripted with ``fake_api``.

The plugin is instantiated directly (not through Ansible's plugin loader, which needs the
collection finder installed before the collection is first imported). Its option
definitions are registered from its own DOCUMENTATION merged with the fragments it
extends, which is what the loader would do, so the docs are exercised as the option source.
"""

from __future__ import annotations

import json
import os

import pytest
import requests
import yaml

from ansible import constants as C
from ansible.release import __version__ as ansible_version
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.doc_fragments.constructed import ModuleDocFragment as ConstructedFragment
from ansible.plugins.doc_fragments.inventory_cache import ModuleDocFragment as InventoryCacheFragment

from ansible_collections.hasura.cloud.plugins.doc_fragments.hasura_cloud import ModuleDocFragment as HasuraFragment
from ansible_collections.hasura.cloud.plugins.inventory import projects
from ansible_collections.hasura.cloud.tests.unit.conftest import API_URL, TOKEN, data, gql_error, make_response

ANSIBLE_CORE_VERSION = tuple(int(part) for part in ansible_version.split(".")[:2])

PLUGIN_NAME = "hasura.cloud.projects"

FRAGMENTS = {
    "hasura.cloud.hasura_cloud": HasuraFragment.DOCUMENTATION,
    "hasura.cloud.hasura_cloud.inventory": HasuraFragment.INVENTORY,
    "ansible.builtin.constructed": ConstructedFragment.DOCUMENTATION,
    "ansible.builtin.inventory_cache": InventoryCacheFragment.DOCUMENTATION,
}


def project(name, cloud="aws", region="us-east-1", plan="cloud_free", number=1, domains=()):
    """A ``projects`` node as the API returns it for the plugin's query (with the tenant's custom domains)."""
    return {
        "id": "00000000-0000-4000-8000-%012d" % number,
        "name": name,
        "endpoint": "https://%s.hasura.app/v1/graphql" % name,
        "plan_name": plan,
        "tenant": {"id": "11111111-1111-4111-8111-%012d" % number, "slug": "slug-%d" % number,
                   "cloud": cloud, "region": region, "custom_domains": list(domains)},
    }


def domain(fqdn, number=1, dns_validation="succeeded"):
    """A ``custom_domain`` node of the tenant of project ``number``."""
    return {"id": "22222222-2222-4222-8222-%012d" % number, "fqdn": fqdn,
            "tenant_id": "11111111-1111-4111-8111-%012d" % number, "dns_validation": dns_validation,
            "cert": "letsencrypt", "ssl_status": "active" if dns_validation == "succeeded" else None,
            "ssl_message": None}


PROJECTS = [
    project("alpha", "aws", "us-east-1", "cloud_free", 1),
    project("beta", "gcp", "europe-west1", "cloud_payg", 2),
    project("gamma", "aws", "us-east-1", "cloud_payg", 3),
]


def option_definitions():
    """The plugin's options as the plugin loader would register them."""
    doc = yaml.safe_load(projects.DOCUMENTATION)
    assert sorted(doc["extends_documentation_fragment"]) == sorted(FRAGMENTS)
    options = {}
    for name in doc["extends_documentation_fragment"]:
        # As ansible-core merges fragments: an option a fragment repeats is merged key by key
        # (the inventory overlay adds only env: sources to the shared connection options).
        for option, spec in yaml.safe_load(FRAGMENTS[name])["options"].items():
            options[option] = dict(options.get(option, {}), **spec)
    options.update(doc["options"])
    return options


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No connection or cache setting leaks in from the developer's environment."""
    for name in list(os.environ):
        if name.startswith(("HASURA_CLOUD_", "ANSIBLE_CACHE_", "ANSIBLE_INVENTORY_")):
            monkeypatch.delenv(name)


@pytest.fixture
def source(tmp_path):
    """Write an inventory source file and return its path."""

    def write(config=None, name="projects.hasura_cloud.yml", with_defaults=True):
        content = {"plugin": PLUGIN_NAME}
        if with_defaults:
            content.update({"api_token": TOKEN, "api_url": API_URL})
        content.update(config or {})
        path = tmp_path / name
        path.write_text(yaml.safe_dump(content))
        return str(path)

    return write


def new_plugin():
    C.config.initialize_plugin_configuration_definitions("inventory", PLUGIN_NAME, option_definitions())
    plugin = projects.InventoryModule()
    plugin._load_name = PLUGIN_NAME
    plugin._redirected_names = []
    plugin.ansible_name = PLUGIN_NAME
    plugin.ansible_aliases = [PLUGIN_NAME]
    return plugin


@pytest.fixture
def parse():
    """Parse a source file with a fresh plugin, as ansible-inventory does; return the inventory."""

    def run(path, cache=True):
        plugin = new_plugin()
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), path, cache=cache)
        try:
            plugin.update_cache_if_changed()  # what the inventory manager does after parse()
        except AttributeError:  # no cache configured
            pass
        inventory.plugin = plugin
        return inventory

    return run


def host_vars(inventory, host):
    """The variables the plugin set on a host (without the inventory_file/_dir InventoryData adds)."""
    return dict((k, v) for k, v in inventory.get_host(host).vars.items() if not k.startswith("inventory_"))


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def all_text(inventory):
    """Every host and group variable of the inventory as one string, for secret scans."""
    parts = []
    for name, host in inventory.hosts.items():
        parts.append(json.dumps({name: dict(host.get_vars())}, default=str))
    for name, group in inventory.groups.items():
        parts.append(json.dumps({name: dict(group.get_vars())}, default=str))
    return "\n".join(parts)


# --- verify_file ---------------------------------------------------------------------


@pytest.mark.parametrize("name, wanted", [
    ("prod.hasura_cloud.yml", True),
    ("prod.hasura_cloud.yaml", True),
    ("hasura_cloud.yml", False),
    ("prod.yml", False),
    ("prod.hasura_cloud.yml.bak", False),
    ("prod.hasura_cloud.json", False),
])
def test_verify_file_accepts_only_hasura_cloud_yaml_names(tmp_path, name, wanted):
    path = tmp_path / name
    path.write_text("plugin: hasura.cloud.projects\n")
    assert new_plugin().verify_file(str(path)) is wanted


def test_verify_file_rejects_a_missing_file(tmp_path):
    assert new_plugin().verify_file(str(tmp_path / "absent.hasura_cloud.yml")) is False


# --- hosts and host vars ---------------------------------------------------------------


def test_one_host_per_project_with_the_contract_vars(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(source())

    assert sorted(inventory.hosts) == ["alpha", "beta", "gamma"]
    assert host_vars(inventory, "beta") == {
        "hasura_tenant_id": "11111111-1111-4111-8111-000000000002",
        "hasura_project_id": "00000000-0000-4000-8000-000000000002",
        "hasura_endpoint": "https://beta.hasura.app/v1/graphql",
        "hasura_cloud": "gcp",
        "hasura_region": "europe-west1",
        "hasura_plan": "cloud_payg",
        "hasura_custom_domains": [],
        "ansible_connection": "local",
    }
    # One request for the whole inventory, to the configured URL, with the PAT header.
    [call] = fake_api.calls
    assert call["field"] == "projects"
    assert "custom_domains(" in call["query"]
    assert call["url"] == API_URL
    assert call["headers"]["Authorization"] == "pat %s" % TOKEN
    assert call["verify"] is True
    assert call["timeout"] == 30


def test_custom_domains_come_with_the_projects_in_the_same_request(fake_api, source, parse):
    www = domain("www.example.com", 2, "pending")
    api = domain("api.example.com", 2)
    nodes = [project("alpha", number=1), project("beta", number=2, domains=[www, api])]
    fake_api.expect("projects", data({"projects": nodes}))
    inventory = parse(source({"compose": {
        "live": "hasura_custom_domains | selectattr('dns_validation', 'eq', 'succeeded') | map(attribute='fqdn') | list"}}))
    beta = host_vars(inventory, "beta")
    assert beta["hasura_custom_domains"] == [api, www]  # sorted by name, every key of the module's domain dict
    assert beta["live"] == ["api.example.com"]
    assert host_vars(inventory, "alpha")["hasura_custom_domains"] == []
    assert len(fake_api.calls) == 1


def test_a_project_without_a_visible_tenant_has_no_domains(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": [dict(project("alpha"), tenant=None)]}))
    assert host_vars(parse(source()), "alpha")["hasura_custom_domains"] == []


def test_no_projects_gives_an_empty_inventory(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": []}))
    inventory = parse(source())
    assert not inventory.hosts


def test_missing_plan_is_null(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": [project("alpha", plan=None)]}))
    inventory = parse(source())
    assert host_vars(inventory, "alpha")["hasura_plan"] is None


def test_connection_local_false_leaves_the_connection_alone(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(source({"connection_local": False}))
    assert "ansible_connection" not in host_vars(inventory, "alpha")


def test_connection_options_are_passed_to_the_client(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": []}))
    parse(source({"validate_certs": False, "timeout": 7}))
    [call] = fake_api.calls
    assert call["verify"] is False
    assert call["timeout"] == 7


def test_duplicate_project_names_keep_both_hosts(fake_api, source, parse):
    twin = project("alpha", number=9)
    fake_api.expect("projects", data({"projects": [project("alpha", number=1), twin]}))
    inventory = parse(source())
    assert sorted(inventory.hosts) == ["alpha", "alpha_11111111-1111-4111-8111-000000000009"]


# --- constructed features --------------------------------------------------------------


def test_keyed_groups_by_region_cloud_and_plan(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS + [project("delta", "gcp", "asia-south1", None, 4)]}))
    inventory = parse(source({"keyed_groups": [
        {"key": "hasura_region", "prefix": "region"},
        {"key": "hasura_cloud", "prefix": "cloud"},
        {"key": "hasura_plan", "prefix": "plan", "default_value": "unknown"},
    ]}))

    assert group_hosts(inventory, "region_us_east_1") == ["alpha", "gamma"]
    assert group_hosts(inventory, "region_europe_west1") == ["beta"]
    assert group_hosts(inventory, "cloud_aws") == ["alpha", "gamma"]
    assert group_hosts(inventory, "cloud_gcp") == ["beta", "delta"]
    assert group_hosts(inventory, "plan_cloud_payg") == ["beta", "gamma"]
    assert group_hosts(inventory, "plan_cloud_free") == ["alpha"]
    if ANSIBLE_CORE_VERSION >= (2, 19):
        # Older ansible-core applies default_value to empty strings only, not to a null plan.
        assert group_hosts(inventory, "plan_unknown") == ["delta"]


def test_groups_and_compose(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(source({
        "groups": {"paid": "hasura_plan == 'cloud_payg'", "hasura_projects": True},
        "compose": {
            "hasura_healthz_url": "hasura_endpoint | regex_replace('/v1/graphql$', '/healthz')",
            "ansible_connection": "'ssh'",
        },
    }))

    assert group_hosts(inventory, "paid") == ["beta", "gamma"]
    assert group_hosts(inventory, "hasura_projects") == ["alpha", "beta", "gamma"]
    alpha = host_vars(inventory, "alpha")
    assert alpha["hasura_healthz_url"] == "https://alpha.hasura.app/healthz"
    assert alpha["ansible_connection"] == "ssh"  # compose may override the default


def test_composed_variables_can_feed_keyed_groups(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(source({
        "compose": {"tier": "'paid' if hasura_plan == 'cloud_payg' else 'free'"},
        "keyed_groups": [{"key": "tier", "prefix": "tier"}],
    }))
    assert group_hosts(inventory, "tier_paid") == ["beta", "gamma"]
    assert group_hosts(inventory, "tier_free") == ["alpha"]


def test_not_strict_skips_a_broken_expression(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(source({
        "compose": {"broken": "no_such_variable.attribute"},
        "keyed_groups": [{"key": "no_such_variable", "prefix": "x"}],
    }))
    assert "broken" not in host_vars(inventory, "alpha")
    assert sorted(inventory.hosts) == ["alpha", "beta", "gamma"]


def test_strict_fails_on_a_broken_compose_expression(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    with pytest.raises(AnsibleError, match="Could not set broken for host alpha"):
        parse(source({"strict": True, "compose": {"broken": "no_such_variable.attribute"}}))


def test_strict_fails_on_a_broken_keyed_group(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    with pytest.raises(AnsibleParserError, match="Could not generate group for host alpha"):
        parse(source({"strict": True, "keyed_groups": [{"key": "no_such_variable", "prefix": "x"}]}))


# --- caching ---------------------------------------------------------------------------


def cache_options(tmp_path):
    # Short plugin names: FQCNs need the collection finder, which these tests do not install.
    return {"cache": True, "cache_plugin": "jsonfile",
            "cache_connection": str(tmp_path / "cache")}


def cache_files_text(tmp_path):
    folder = tmp_path / "cache"
    return "\n".join(path.read_text() for path in sorted(folder.iterdir())) if folder.is_dir() else ""


def test_cache_miss_reads_the_api_and_stores_without_the_token(fake_api, source, parse, tmp_path):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    parse(source(cache_options(tmp_path)))

    stored = cache_files_text(tmp_path)
    assert "alpha" in stored and "europe-west1" in stored
    assert TOKEN not in stored
    files = os.listdir(str(tmp_path / "cache"))
    assert len(files) == 1 and TOKEN not in files[0]


def test_cache_hit_makes_no_request(fake_api, source, parse, tmp_path):
    path = source(cache_options(tmp_path))
    fake_api.expect("projects", data({"projects": PROJECTS}))
    first = parse(path)
    assert len(fake_api.calls) == 1

    second = parse(path)  # the script is empty now: any request would fail the test
    assert len(fake_api.calls) == 1
    assert sorted(second.hosts) == sorted(first.hosts)
    assert host_vars(second, "beta") == host_vars(first, "beta")


def test_cache_hit_still_applies_the_constructed_options(fake_api, source, parse, tmp_path):
    fake_api.expect("projects", data({"projects": PROJECTS}))
    parse(source(cache_options(tmp_path)))

    config = dict(cache_options(tmp_path), keyed_groups=[{"key": "hasura_region", "prefix": "region"}])
    inventory = parse(source(config))
    assert group_hosts(inventory, "region_us_east_1") == ["alpha", "gamma"]


def test_flush_cache_reads_the_api_again_and_refreshes_the_cache(fake_api, source, parse, tmp_path):
    path = source(cache_options(tmp_path))
    fake_api.expect("projects", data({"projects": PROJECTS}))
    parse(path)

    fake_api.expect("projects", data({"projects": PROJECTS[:1]}))
    refreshed = parse(path, cache=False)  # ansible-inventory --flush-cache
    assert sorted(refreshed.hosts) == ["alpha"]

    cached = parse(path)  # no request: served from the refreshed cache
    assert sorted(cached.hosts) == ["alpha"]
    assert len(fake_api.calls) == 2


def test_a_cache_entry_of_an_older_version_without_domains_is_refreshed(fake_api, source, parse, tmp_path):
    path = source(cache_options(tmp_path))
    fake_api.expect("projects", data({"projects": PROJECTS}))
    parse(path)
    key_file = tmp_path / "cache" / os.listdir(str(tmp_path / "cache"))[0]
    stored = json.loads(key_file.read_text())
    wrapped = isinstance(stored, dict) and "__payload__" in stored  # ansible-core 2.19 wraps the JSON text
    entries = json.loads(stored["__payload__"]) if wrapped else stored
    for entry in entries:
        del entry["custom_domains"]
    key_file.write_text(json.dumps(dict(stored, __payload__=json.dumps(entries)) if wrapped else entries))

    fake_api.expect("projects", data({"projects": [project("alpha", domains=[domain("api.example.com")])]}))
    inventory = parse(path)
    assert [d["fqdn"] for d in host_vars(inventory, "alpha")["hasura_custom_domains"]] == ["api.example.com"]
    assert len(fake_api.calls) == 2


def test_cache_disabled_reads_the_api_every_time(fake_api, source, parse, tmp_path):
    config = cache_options(tmp_path)
    config["cache"] = False
    path = source(config)
    fake_api.expect("projects", data({"projects": PROJECTS}))
    fake_api.expect("projects", data({"projects": PROJECTS}))
    parse(path)
    parse(path)
    assert len(fake_api.calls) == 2
    assert not (tmp_path / "cache").exists()


def test_a_cache_entry_of_the_wrong_shape_is_ignored(fake_api, source, parse, tmp_path):
    path = source(cache_options(tmp_path))
    fake_api.expect("projects", data({"projects": PROJECTS}))
    parse(path)
    # Overwrite the entry under the plugin's cache key with junk: the API is read again.
    key_file = os.listdir(str(tmp_path / "cache"))[0]
    (tmp_path / "cache" / key_file).write_text(json.dumps({"not": "a list"}))

    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(path)
    assert sorted(inventory.hosts) == ["alpha", "beta", "gamma"]
    assert len(fake_api.calls) == 2


# --- the token ---------------------------------------------------------------------------


def test_token_from_the_environment(fake_api, source, parse, monkeypatch):
    monkeypatch.setenv("HASURA_CLOUD_PAT", "env-token-abc")
    monkeypatch.setenv("HASURA_CLOUD_API_URL", "https://env.example.test/v1/graphql")
    fake_api.expect("projects", data({"projects": []}))
    parse(source(with_defaults=False))
    [call] = fake_api.calls
    assert call["headers"]["Authorization"] == "pat env-token-abc"
    assert call["url"] == "https://env.example.test/v1/graphql"


def test_source_file_beats_the_environment(fake_api, source, parse, monkeypatch):
    monkeypatch.setenv("HASURA_CLOUD_PAT", "env-token-abc")
    fake_api.expect("projects", data({"projects": []}))
    parse(source())
    assert fake_api.calls[0]["headers"]["Authorization"] == "pat %s" % TOKEN


def test_pat_alias(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": []}))
    parse(source({"pat": "alias-token"}, with_defaults=False))
    assert fake_api.calls[0]["headers"]["Authorization"] == "pat alias-token"
    assert fake_api.calls[0]["url"] == "https://data.pro.hasura.io/v1/graphql"  # the default


def test_token_from_a_lookup_template(fake_api, source, parse, monkeypatch):
    monkeypatch.setenv("MY_HASURA_TOKEN", "looked-up-token")
    fake_api.expect("projects", data({"projects": []}))
    parse(source({"api_token": "{{ lookup('env', 'MY_HASURA_TOKEN') }}"}))
    assert fake_api.calls[0]["headers"]["Authorization"] == "pat looked-up-token"


def test_token_never_in_host_vars_groups_or_cache(fake_api, source, parse, tmp_path):
    config = cache_options(tmp_path)
    config.update({"groups": {"everyone": True}, "keyed_groups": [{"key": "hasura_cloud", "prefix": "cloud"}],
                   "compose": {"copy_of_everything": "hostvars | default({})"}})
    fake_api.expect("projects", data({"projects": PROJECTS}))
    inventory = parse(source(config))
    assert TOKEN not in all_text(inventory)
    assert TOKEN not in cache_files_text(tmp_path)
    assert not any(TOKEN in name for name in inventory.groups)


# --- errors ----------------------------------------------------------------------------


def test_missing_token_fails_before_any_request(fake_api, source, parse):
    with pytest.raises(AnsibleParserError) as err:
        parse(source({"api_url": API_URL}, with_defaults=False))
    assert str(err.value).startswith("hasura.cloud.projects: api_token is required")
    assert "HASURA_CLOUD_PAT" in str(err.value)
    assert fake_api.calls == []


@pytest.mark.parametrize("token, wanted", [
    ("two words", "must not contain white space"),
    ("tok\u20acen", "printable ASCII"),
])
def test_unusable_token_fails_before_any_request_without_showing_it(fake_api, source, parse, token, wanted):
    with pytest.raises(AnsibleParserError) as err:
        parse(source({"api_token": token}))
    assert wanted in str(err.value)
    assert token not in str(err.value)
    assert fake_api.calls == []


def test_bad_api_url_fails_before_any_request(fake_api, source, parse):
    with pytest.raises(AnsibleParserError, match="hasura.cloud.projects: api_url must be an http"):
        parse(source({"api_url": "ftp://example.test"}))


def test_authentication_failure_message(fake_api, source, parse):
    fake_api.expect("projects", gql_error("invalid Authorization header: a valid personal access token is required",
                                          code="invalid-headers"))
    with pytest.raises(AnsibleParserError) as err:
        parse(source())
    message = str(err.value)
    assert message.startswith("hasura.cloud.projects: authentication failed: check api_token / HASURA_CLOUD_PAT")
    assert TOKEN not in message
    assert "Traceback" not in message


def test_unreachable_api_message(fake_api, source, parse):
    refused = requests.exceptions.ConnectionError("[Errno 111] Connection refused")
    fake_api.expect("projects", refused).expect("projects", refused)  # max_retries 1: two attempts
    with pytest.raises(AnsibleParserError) as err:
        parse(source({"max_retries": 1}))
    message = str(err.value)
    assert message.startswith("hasura.cloud.projects: cannot connect to %s" % API_URL)
    assert "check api_url / HASURA_CLOUD_API_URL" in message
    assert TOKEN not in message
    assert len(fake_api.sleeps) == 1


def test_gateway_error_message(fake_api, source, parse):
    fake_api.expect("projects", make_response(status=502, text="<html>bad gateway</html>"))
    with pytest.raises(AnsibleParserError, match=r"hasura.cloud.projects: HTTP 502 Bad Gateway"):
        parse(source({"max_retries": 0}))


def test_graphql_error_message(fake_api, source, parse):
    fake_api.expect("projects", gql_error("field 'projects' not found in type: 'query_root'", code="validation-failed"))
    with pytest.raises(AnsibleParserError, match="hasura.cloud.projects: Hasura Cloud API error: field"):
        parse(source())


def test_answer_of_an_unexpected_shape(fake_api, source, parse):
    fake_api.expect("projects", data({"projects": ["not-an-object"]}))
    with pytest.raises(AnsibleParserError, match="hasura.cloud.projects: unexpected answer from"):
        parse(source())


def test_errors_are_not_cached(fake_api, source, parse, tmp_path):
    path = source(cache_options(tmp_path))
    fake_api.expect("projects", gql_error("invalid Authorization header", code="invalid-headers"))
    with pytest.raises(AnsibleParserError):
        parse(path)
    assert cache_files_text(tmp_path) == ""


def test_a_file_for_another_plugin_is_refused(fake_api, tmp_path, parse):
    path = tmp_path / "other.hasura_cloud.yml"
    path.write_text("plugin: amazon.aws.aws_ec2\n")
    with pytest.raises(AnsibleParserError, match="Incorrect plugin name"):
        parse(str(path))
