# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role hasura.cloud.project with engine metadata (hasura_project_metadata / _src), against the emulator."""

from __future__ import annotations

import json
import shutil

import pytest

from integration_harness import ROOT  # pylint: disable=import-error

# Every test runs on both execution paths (in-process and module process); see differential.py.
pytestmark = pytest.mark.both_paths

FIXTURE = ROOT / "tests" / "unit" / "fixtures" / "metadata"
METADATA_ACTION = "hasura.cloud.hasura_metadata"
DB_URL = "postgres://app:role-db-password-51d0@db.example.test:5432/app"
METADATA = {"version": 3, "sources": [{
    "name": "default", "kind": "postgres",
    "configuration": {"connection_info": {"database_url": {"from_env": "PG_DATABASE_URL"}}},
    "tables": [{"table": {"schema": "public", "name": "author"}}]}]}

ROLE_PLAY = """
- name: Apply the project role with metadata
  hosts: localhost
  gather_facts: false
  roles:
    - role: hasura.cloud.project
      vars:
        hasura_project_name: "{{ name }}"
        hasura_project_cloud: aws
        hasura_project_region: us-east-2
        hasura_project_env: "{{ project_env }}"
        hasura_project_metadata: "{{ project_metadata | default({}) }}"
        hasura_project_metadata_src: "{{ project_metadata_src | default(none) }}"
"""


def metadata_record(run):
    records = [rec for rec in run.results if rec["action"] == METADATA_ACTION]
    assert len(records) == 1, run.output()
    return records[0]


def engine_metadata(emulator, name):
    """The project's metadata, exported through its metadata API (the side channel)."""
    tenant = emulator.find_tenant(name)
    secret = emulator.get_env(tenant["id"])[1]["HASURA_GRAPHQL_ADMIN_SECRET"]
    status, body = emulator.request("POST", tenant["project"]["endpoint"][len(emulator.base):] + "/v1/metadata",
                                    {"type": "export_metadata", "version": 2, "args": {}},
                                    headers={"X-Hasura-Admin-Secret": secret})
    assert status == 200, body
    return json.loads(body)


def test_role_takes_a_project_from_nothing_to_serving_its_metadata(emulator, run_playbook, tenant_name):
    # The new project's engine takes 2 s to start, and 2 s to restart after an env change: the role
    # waits before it applies the metadata, which reads its database URL from the env.
    emulator.set_faults(healthz_delay=2, restart_delay=2)
    env = {"PG_DATABASE_URL": DB_URL}
    first = run_playbook(ROLE_PLAY, extra_vars={"name": tenant_name, "project_env": env,
                                                "project_metadata": METADATA}).assert_ok()
    record = metadata_record(first)
    assert record["changed"] and record["result"]["is_consistent"] is True
    assert engine_metadata(emulator, tenant_name)["resource_version"] == 2

    emulator.reset()
    second = run_playbook(ROLE_PLAY, extra_vars={"name": tenant_name, "project_env": env,
                                                 "project_metadata": METADATA}).assert_ok()
    assert second.stats["localhost"]["changed"] == 0, second.output()
    stats = emulator.stats()
    assert stats["mutations"] == 0 and stats["metadata"]["writes"] == 0

    # An env change restarts the engine; the metadata that needs the new variable follows it.
    moved = json.loads(json.dumps(METADATA).replace("PG_DATABASE_URL", "ORDERS_DATABASE_URL"))
    third = run_playbook(ROLE_PLAY, extra_vars={"name": tenant_name, "project_metadata": moved, "project_env": {
        "PG_DATABASE_URL": DB_URL, "ORDERS_DATABASE_URL": DB_URL}}).assert_ok()
    assert metadata_record(third)["changed"] and metadata_record(third)["result"]["is_consistent"] is True
    assert DB_URL not in third.stdout + third.stderr


def test_role_applies_a_cli_directory_found_next_to_the_playbook(emulator, run_playbook, tenant_name, tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "files" / "hasura")
    book = tmp_path / "site.yml"
    book.write_text(ROLE_PLAY, encoding="utf-8")
    extra = {"name": tenant_name, "project_env": {"PG_DATABASE_URL": DB_URL}, "project_metadata_src": "hasura"}
    first = run_playbook(book, extra_vars=extra).assert_ok()
    assert metadata_record(first)["changed"]
    exported = engine_metadata(emulator, tenant_name)["metadata"]
    assert sorted(action["name"] for action in exported["actions"]) == ["greet", "login"]
    second = run_playbook(book, extra_vars=extra).assert_ok()
    assert second.stats["localhost"]["changed"] == 0, second.output()


def test_role_refuses_both_metadata_and_src_before_any_request(emulator, run_playbook, tenant_name):
    emulator.reset()
    run = run_playbook(ROLE_PLAY, extra_vars={"name": tenant_name, "project_env": {}, "project_metadata": METADATA,
                                              "project_metadata_src": str(FIXTURE)})
    assert run.rc != 0
    assert "set hasura_project_metadata (the metadata object) or hasura_project_metadata_src" in run.stdout
    assert emulator.stats()["requests"] == 0
    assert emulator.find_tenant(tenant_name) is None


@pytest.mark.parametrize("unset_src", [{}, {"project_metadata_src": ""}], ids=["src-unset", "src-empty"])
def test_role_without_metadata_does_not_read_it(emulator, run_playbook, tenant_name, unset_src):
    """Unset or an empty string (what a null templated into a variable is before ansible-core 2.19)."""
    emulator.reset()
    run = run_playbook(ROLE_PLAY, extra_vars=dict({"name": tenant_name, "project_env": {"A": "1"}}, **unset_src))
    run.assert_ok()
    assert not [rec for rec in run.results if rec["action"] == METADATA_ACTION and rec["status"] != "skipped"]
    assert emulator.stats()["metadata"]["requests"] == 0
