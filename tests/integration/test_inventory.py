# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin hasura.cloud.projects, run by real ansible-inventory / ansible-playbook.

The session's emulator may hold projects of other tests, so each test gives its own
projects a region of its own and asserts on those hosts and groups.
"""

from __future__ import annotations

import json
import secrets
from types import SimpleNamespace

import pytest

from integration_harness import VENV_BIN, AnsibleRunner  # pylint: disable=import-error

AUTH_MESSAGE = "hasura.cloud.projects: authentication failed: check api_token / HASURA_CLOUD_PAT"


def unwrap(value):
    """Plain data from ``ansible-inventory --list`` JSON (2.19 wraps strings as ``{"__ansible_unsafe": ...}``)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((key, unwrap(item)) for key, item in value.items())
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def group_name(text):
    """The name Ansible's keyed_groups give a value (unsafe characters become ``_``)."""
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in text)


@pytest.fixture
def run_inventory(emulator, tmp_path):
    """``run_inventory(source, *args, env=None)``: ``ansible-inventory -i SOURCE ARGS`` in the harness environment."""
    runner = AnsibleRunner(emulator, tmp_path)

    def run(source, *args, env=None, timeout=120):
        runner.count += 1
        return runner.run([str(VENV_BIN / "ansible-inventory"), "-i", str(source)] + list(args), env, timeout)

    return run


@pytest.fixture
def write_source(tmp_path):
    """Write ``<name>.hasura_cloud.yml`` with the given YAML text; return its path."""

    def write(text, name="projects"):
        path = tmp_path / ("%s.hasura_cloud.yml" % name)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def projects(emulator, unique_name):
    """Three projects in two regions, and no other project (the emulator's state is wiped first).

    ``names``: label (one, two, three) -> project name; ``tenants``: name -> the tenant as
    the emulator reports it; ``regions``: east / west -> region (real region names: the
    emulator refuses unknown ones, as the service does).
    """
    emulator.reset(state=True)
    regions = {"east": "us-east-1", "west": "us-west-2"}
    specs = [("one", "aws", regions["east"], "cloud_free"),
             ("two", "aws", regions["east"], "cloud_payg"),
             ("three", "aws", regions["west"], "cloud_payg")]
    names, tenants = {}, {}
    for label, cloud, region, plan in specs:
        name = names[label] = unique_name(label)
        emulator.create_tenant(name, cloud=cloud, region=region, plan=plan)
        tenants[name] = emulator.find_tenant(name)
    return SimpleNamespace(names=names, tenants=tenants, regions=regions)


KEYED_SOURCE = """\
plugin: hasura.cloud.projects
keyed_groups:
  - key: hasura_region
    prefix: region
  - key: hasura_cloud
    prefix: cloud
  - key: hasura_plan
    prefix: plan
groups:
  paid: hasura_plan == 'cloud_payg'
compose:
  hasura_healthz_url: hasura_endpoint ~ '/healthz'
"""


def listed(run):
    assert run.rc == 0, run.output()
    return unwrap(json.loads(run.stdout))


def hosts_of(inventory, group):
    return set(inventory.get(group, {}).get("hosts", []))


def test_list_shows_every_project_with_its_vars_and_groups(emulator, projects, run_inventory, write_source):
    tenants, regions = projects.tenants, projects.regions
    two = projects.names["two"]
    domains = {two: [emulator.add_domain(tenants[two]["id"], "www.%s.example.com" % two),
                     emulator.add_domain(tenants[two]["id"], "api.%s.example.com" % two)]}
    source = write_source(KEYED_SOURCE)
    emulator.reset()

    run = run_inventory(source, "--list")
    inventory = listed(run)

    # One request for the whole inventory, custom domains included.
    stats = emulator.stats()
    assert stats["requests"] == 1 and stats["operations"] == {"projects": 1}
    hostvars = inventory["_meta"]["hostvars"]
    for name, tenant in tenants.items():
        project = tenant["project"]
        carried = hostvars[name].pop("hasura_custom_domains")
        wanted = sorted(domains.get(name, []), key=lambda domain: domain["fqdn"])
        assert [domain["fqdn"] for domain in carried] == [domain["fqdn"] for domain in wanted]
        for got, stored in zip(carried, wanted):
            assert dict((key, got[key]) for key in stored) == stored  # id, fqdn, tenant_id, dns_validation, cert
            assert set(got) == {"id", "fqdn", "tenant_id", "dns_validation", "cert", "ssl_status", "ssl_message"}
        assert hostvars[name] == {
            "hasura_tenant_id": tenant["id"],
            "hasura_project_id": project["id"],
            "hasura_endpoint": project["endpoint"],
            "hasura_cloud": tenant["cloud"],
            "hasura_region": tenant["region"],
            "hasura_plan": project["plan_name"],
            "ansible_connection": "local",
            "hasura_healthz_url": "%s/projects/%s/healthz" % (emulator.base, name),
        }
    one, two, three = (projects.names[label] for label in ("one", "two", "three"))
    assert hosts_of(inventory, "region_" + group_name(regions["east"])) == {one, two}
    assert hosts_of(inventory, "region_" + group_name(regions["west"])) == {three}
    assert hosts_of(inventory, "cloud_aws") == {one, two, three}
    assert {two, three} <= hosts_of(inventory, "plan_cloud_payg") and one not in hosts_of(inventory, "plan_cloud_payg")
    assert one in hosts_of(inventory, "plan_cloud_free")
    assert {two, three} <= hosts_of(inventory, "paid") and one not in hosts_of(inventory, "paid")
    assert emulator.token not in run.stdout + run.stderr


def test_cached_second_call_makes_no_request(emulator, projects, run_inventory, write_source, tmp_path):
    tenants = projects.tenants
    cache_dir = tmp_path / "inventory-cache"
    source = write_source(KEYED_SOURCE + "cache: true\ncache_plugin: ansible.builtin.jsonfile\n"
                          "cache_connection: %s\ncache_timeout: 600\n" % cache_dir)
    emulator.reset()

    first = listed(run_inventory(source, "--list"))
    assert emulator.stats()["operations"] == {"projects": 1}
    second = listed(run_inventory(source, "--list"))
    stats = emulator.stats()
    assert stats["requests"] == 1 and stats["operations"] == {"projects": 1}  # served from the cache
    assert second == first
    assert set(tenants) <= set(second["_meta"]["hostvars"])

    files = list(cache_dir.iterdir())
    assert len(files) == 1
    content = files[0].read_text(encoding="utf-8")
    assert all(name in content for name in tenants)
    assert emulator.token not in content and emulator.token not in files[0].name

    # --flush-cache reads the API again (and refreshes the cache).
    listed(run_inventory(source, "--list", "--flush-cache"))
    assert emulator.stats()["operations"] == {"projects": 2}


def test_play_on_a_keyed_group_runs_once_per_project_in_it(emulator, projects, run_playbook, write_source):
    tenants, regions = projects.tenants, projects.regions
    east = "region_" + group_name(regions["east"])
    in_east = {name for name, tenant in tenants.items() if tenant["region"] == regions["east"]}
    source = write_source(KEYED_SOURCE)

    run = run_playbook(
        """
        - name: Act on every project of one region
          hosts: %s
          gather_facts: false
          vars:
            ansible_python_interpreter: "{{ ansible_playbook_python }}"
          tasks:
            - name: Read the project through its API
              hasura.cloud.hasura_tenant_info:
                tenant_id: "{{ hasura_tenant_id }}"
              register: info

            - name: Check the host vars
              ansible.builtin.assert:
                that:
                  - info.tenants | length == 1
                  - info.tenants[0].name == inventory_hostname
                  - info.tenants[0].endpoint == hasura_endpoint
                  - hasura_region == "%s"
        """ % (east, regions["east"]),
        inventory=str(source),
    ).assert_ok()

    records = run.records("Read the project through its API")
    assert sorted(record["host"] for record in records) == sorted(in_east)
    assert all(record["status"] == "ok" for record in records)
    assert sorted(record["host"] for record in run.records("Check the host vars")) == sorted(in_east)
    assert emulator.token not in run.stdout + run.stderr


def test_bad_token_gives_one_clear_error(emulator, run_inventory, write_source):
    source = write_source("plugin: hasura.cloud.projects\nmax_retries: 0\n")
    wrong = "wrong-" + secrets.token_hex(8)

    run = run_inventory(source, "--list",
                        env={"HASURA_CLOUD_PAT": wrong, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})

    assert run.rc != 0, run.output()
    assert AUTH_MESSAGE in run.stderr, run.output()
    assert "Traceback" not in run.stdout + run.stderr
    assert wrong not in run.stdout + run.stderr
    assert emulator.token not in run.stdout + run.stderr


def test_bad_token_in_a_play_leaves_no_hosts(emulator, run_playbook, write_source):
    """Without ANSIBLE_INVENTORY_UNPARSED_FAILED Ansible warns and goes on with no project hosts."""
    source = write_source("plugin: hasura.cloud.projects\nmax_retries: 0\n")
    run = run_playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: Never runs
              ansible.builtin.debug:
                msg: "{{ inventory_hostname }}"
        """,
        inventory=str(source), env={"HASURA_CLOUD_PAT": "wrong-token-0123"},
    )
    assert AUTH_MESSAGE in run.stdout + run.stderr, run.output()
    assert run.records("Never runs") == []
    assert "Traceback" not in run.stdout + run.stderr


def test_missing_token_gives_one_clear_error(run_inventory, write_source):
    source = write_source("plugin: hasura.cloud.projects\n")
    run = run_inventory(source, "--list", env={"HASURA_CLOUD_PAT": None, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert run.rc != 0
    assert "hasura.cloud.projects: api_token is required" in run.stderr, run.output()
    assert "Traceback" not in run.stdout + run.stderr


def test_unreachable_api_gives_one_clear_error(emulator, run_inventory, write_source):
    source = write_source("plugin: hasura.cloud.projects\nmax_retries: 0\ntimeout: 5\n")
    run = run_inventory(source, "--list", env={"HASURA_CLOUD_API_URL": "http://127.0.0.1:9/v1/graphql",
                                               "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert run.rc != 0
    assert "hasura.cloud.projects: cannot connect to http://127.0.0.1:9/v1/graphql" in run.stderr, run.output()
    assert "check api_url / HASURA_CLOUD_API_URL" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert emulator.token not in run.stdout + run.stderr


def test_example_source_file_is_valid(emulator, projects, run_inventory, tmp_path):
    """docs/examples/inventory.hasura_cloud.yml works as shipped."""
    from integration_harness import ROOT  # pylint: disable=import-error,import-outside-toplevel

    text = (ROOT / "docs" / "examples" / "inventory.hasura_cloud.yml").read_text(encoding="utf-8")
    source = tmp_path / "example.hasura_cloud.yml"
    source.write_text(text, encoding="utf-8")
    tenants = projects.tenants
    run = run_inventory(source, "--list")
    inventory = listed(run)
    assert set(tenants) <= set(inventory["_meta"]["hostvars"])
    assert set(tenants) <= hosts_of(inventory, "hasura_projects")
    east = "region_" + group_name(projects.regions["east"])
    assert hosts_of(inventory, east) == {projects.names["one"], projects.names["two"]}
    assert emulator.token not in run.stdout + run.stderr


def test_ansible_doc_renders_the_plugin(emulator, tmp_path):
    runner = AnsibleRunner(emulator, tmp_path)
    run = runner.run([str(VENV_BIN / "ansible-doc"), "-t", "inventory", "hasura.cloud.projects"], None, 120)
    assert run.rc == 0, run.output()
    for text in ("hasura_tenant_id", "HASURA_CLOUD_PAT", "connection_local", "keyed_groups", "EXAMPLES"):
        assert text in run.stdout
    assert "ERROR" not in run.stderr
