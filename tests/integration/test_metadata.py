# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hasura_metadata and hasura_metadata_info through real ansible-playbook runs against the emulator.

Projects are created, their metadata set up and checked through the emulator's side channel
(its Cloud API and each project's metadata API), never through the modules under test. Request
counts come from ``/_emulator/stats`` (``requests`` for the Cloud API, ``metadata`` for the
projects' metadata APIs), reset just before the run they measure.
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from integration_harness import ROOT  # pylint: disable=import-error

# Every test runs on both execution paths (in-process and module process); see differential.py.
pytestmark = pytest.mark.both_paths

APPLY = "metadata_apply.yml"
TASK = "Apply metadata"
FIXTURE = ROOT / "tests" / "unit" / "fixtures" / "metadata"
LITERAL_SECRETS = ("static-action-token-4f2a9c", "cron-literal-token-7d3e1b")  # header values in the fixture
DB_URL = "postgres://app:db-password-3e7f@db.example.test:5432/app"
ADMIN_SECRET = "HASURA_GRAPHQL_ADMIN_SECRET"

TABLES = [
    {"table": {"schema": "public", "name": "author"},
     "select_permissions": [{"role": "user", "permission": {"columns": ["id", "name"], "filter": {}}}]},
    {"table": {"schema": "public", "name": "article"},
     "object_relationships": [{"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}]},
]
METADATA = {
    "version": 3,
    "sources": [{"name": "default", "kind": "postgres", "tables": TABLES,
                 "configuration": {"connection_info": {"database_url": {"from_env": "PG_DATABASE_URL"}}}}],
    "remote_schemas": [{"name": "countries", "definition": {
        "url": "https://countries.example.test/graphql",
        "headers": [{"name": "X-Api-Key", "value": "remote-schema-literal-key-91c2"}]}}],
}


class Project:
    """A project made through the side channel, and its metadata API."""

    def __init__(self, emulator, name, env=None):
        self.emulator = emulator
        self.id = emulator.create_tenant(name, env=dict({"PG_DATABASE_URL": DB_URL}, **(env or {})))
        endpoint = emulator.get_tenant(self.id)["project"]["endpoint"]
        self.path = endpoint[len(emulator.base):] + "/v1/metadata"
        self.secret = emulator.get_env(self.id)[1][ADMIN_SECRET]

    def call(self, body):
        status, payload = self.emulator.request("POST", self.path, body, headers={"X-Hasura-Admin-Secret": self.secret})
        assert status == 200, (status, payload)
        return json.loads(payload)

    def export(self):
        return self.call({"type": "export_metadata", "version": 2, "args": {}})

    def replace(self, metadata):
        version = self.export()["resource_version"]
        return self.call({"type": "replace_metadata", "version": 2, "resource_version": version,
                          "args": {"metadata": metadata, "allow_inconsistent_metadata": True}})


def apply(run_playbook, project, metadata=None, src=None, check=False, diff=False, verbosity=0, **options):
    extra = {"md_tenant_id": project.id} if project is not None else {}
    if metadata is not None:
        extra["md_metadata"] = metadata
    if src is not None:
        extra["md_src"] = str(src)
    extra.update(("md_" + key, value) for key, value in options.items())
    return run_playbook(APPLY, extra_vars=extra, check=check, diff=diff, verbosity=verbosity)


def names(metadata, key):
    return sorted(entry["name"] for entry in metadata.get(key, []))


@pytest.fixture
def project(emulator, tenant_name):
    return Project(emulator, tenant_name)


# --------------------------------------------------------------------------- apply, no-op, requests


def test_apply_from_a_dict_then_nothing_to_do_costs_two_requests(emulator, run_playbook, project):
    first, stats = emulator.measured(lambda: apply(run_playbook, project, METADATA))
    first.assert_ok()
    result = first.result(TASK)
    assert first.changed(TASK)
    assert result["added"] == ["remote_schemas/countries", "sources/default", "sources/default/tables/public.article",
                               "sources/default/tables/public.author"]
    assert (result["previous_resource_version"], result["resource_version"]) == (1, 2)
    assert result["is_consistent"] is True and result["inconsistent_objects"] == []
    assert stats["requests"] == 1 and stats["metadata"]["types"]["replace_metadata"] == 1
    exported = project.export()
    assert exported["resource_version"] == 2
    assert [t["table"]["name"] for t in exported["metadata"]["sources"][0]["tables"]] == ["author", "article"]

    second, stats = emulator.measured(lambda: apply(run_playbook, project, METADATA))
    second.assert_ok()
    assert not second.changed(TASK)
    assert second.result(TASK)["resource_version"] == second.result(TASK)["previous_resource_version"] == 2
    assert stats["requests"] == 1, stats  # getTenantEnv and tenant_by_pk in one document
    assert stats["operations"] == {"getTenantEnv": 1, "tenant_by_pk": 1}
    assert stats["metadata"]["requests"] == 1 and stats["metadata"]["writes"] == 0, stats


def test_apply_from_a_cli_directory_then_nothing_to_do(emulator, run_playbook, project):
    first = apply(run_playbook, project, src=FIXTURE).assert_ok()
    assert first.changed(TASK), first.output()
    result = first.result(TASK)
    assert "actions/login" in result["added"] and "custom_types/objects/Greeting" in result["added"]
    assert "sources/default/functions/public.search_articles" in result["added"]
    exported = project.export()["metadata"]
    assert names(exported, "actions") == ["greet", "login"]
    login = [a for a in exported["actions"] if a["name"] == "login"][0]
    assert login["definition"]["output_type"] == "LoginResult" and login["definition"]["type"] == "mutation"
    assert login["definition"]["handler"] == "{{ACTION_BASE_URL}}/login"  # Hasura's template, not Jinja's
    assert names(exported, "cron_triggers") == ["nightly-cleanup"]
    assert exported["allowlist"] == [{"collection": "allowed-queries"}]

    second, stats = emulator.measured(lambda: apply(run_playbook, project, src=FIXTURE))
    second.assert_ok()
    assert not second.changed(TASK), second.result(TASK)
    assert stats["requests"] == 1 and stats["metadata"]["requests"] == 1


def test_a_relative_src_is_found_next_to_the_playbook(emulator, run_playbook, project, tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "files" / "hasura")
    book = tmp_path / "play.yml"
    book.write_text((ROOT / "tests" / "integration" / "playbooks" / APPLY).read_text(encoding="utf-8"),
                    encoding="utf-8")
    run = run_playbook(book, extra_vars={"md_tenant_id": project.id, "md_src": "hasura"}).assert_ok()
    assert run.changed(TASK)


def test_tenant_name_costs_one_lookup_more(emulator, run_playbook, project, tenant_name):
    project.replace(METADATA)
    run, stats = emulator.measured(lambda: run_playbook(APPLY, extra_vars={
        "md_tenant_name": tenant_name, "md_metadata": METADATA}))
    run.assert_ok()
    assert not run.changed(TASK)
    assert stats["requests"] == 2 and stats["metadata"]["requests"] == 1


# --------------------------------------------------------------------------- check and diff mode


def test_check_mode_sends_no_replace(emulator, run_playbook, project):
    run, stats = emulator.measured(lambda: apply(run_playbook, project, METADATA, check=True))
    run.assert_ok()
    assert run.changed(TASK)
    assert run.result(TASK)["is_consistent"] is None
    assert "replace_metadata" not in stats["metadata"]["types"] and stats["metadata"]["writes"] == 0
    assert project.export()["resource_version"] == 1


def test_diff_shows_the_changed_table_and_permission_by_path(emulator, run_playbook, project):
    project.replace(METADATA)
    changed = copy.deepcopy(METADATA)
    changed["sources"][0]["tables"][0]["select_permissions"][0]["permission"]["columns"] = ["id", "name", "email"]
    changed["remote_schemas"][0]["definition"]["headers"][0]["value"] = "remote-schema-literal-key-new"
    run = apply(run_playbook, project, changed, diff=True).assert_ok()
    result = run.result(TASK)
    assert result["updated"] == ["remote_schemas/countries", "sources/default/tables/public.author"]
    assert result["added"] == [] and result["removed"] == []
    diff = dict((entry["before_header"], entry) for entry in result["diff"])
    permission = diff["sources/default/tables/public.author"]["after"]["select_permissions"][0]
    assert permission == {"role": "user", "permission": {"columns": ["id", "name", "email"]}}
    assert diff["remote_schemas/countries"]["after"]["definition"]["headers"][0]["value"] == "<hidden, changed>"
    # The callback prints one diff per object, headed by its path.
    assert "--- before: sources/default/tables/public.author" in run.stdout
    assert "+++ after: remote_schemas/countries" in run.stdout
    assert "remote-schema-literal-key" not in run.stdout + run.stderr


# --------------------------------------------------------------------------- concurrency, faults


def test_a_concurrent_replace_is_resolved_by_reading_again(emulator, run_playbook, project):
    emulator.set_faults(metadata_race=1)
    run, stats = emulator.measured(lambda: apply(run_playbook, project, METADATA))
    run.assert_ok()
    assert run.changed(TASK)
    assert stats["metadata"]["conflicts"] == 1 and stats["metadata"]["types"]["replace_metadata"] == 2, stats
    exported = project.export()
    assert run.result(TASK)["resource_version"] == exported["resource_version"] == 3
    assert "query_collections" not in exported["metadata"]  # the other writer's change replaced as declared
    assert names(exported["metadata"], "sources") == ["default"]


def test_a_lost_replace_answer_converges(emulator, run_playbook, project):
    emulator.set_faults(lose_answer={"replace_metadata": 1})
    run, stats = emulator.measured(lambda: apply(run_playbook, project, METADATA))
    run.assert_ok()
    assert run.changed(TASK)
    assert stats["faults"]["lost_answers"] == 1 and stats["metadata"]["writes"] == 1, stats
    assert project.export()["resource_version"] == 2


def test_converges_with_30_percent_503_answers(emulator, run_playbook, project):
    emulator.set_faults(error_rate=0.3, error_statuses=[503], seed=14)
    run = run_playbook(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        + "".join("    - name: Apply %d\n      hasura.cloud.hasura_metadata:\n        tenant_id: %s\n"
                  "        metadata: '%s'\n        max_retries: 6\n" % (i, project.id, json.dumps(METADATA))
                  for i in range(3)))
    stats = emulator.stats()
    emulator.set_faults(error_rate=0.0)
    run.assert_ok()
    assert stats["faults"]["503"] > 0, stats
    assert run.changed("Apply 0") and not run.changed("Apply 1") and not run.changed("Apply 2")
    assert project.export()["resource_version"] == 2


# --------------------------------------------------------------------------- consistency


def test_inconsistent_metadata_fails_naming_the_source_and_changes_nothing(emulator, run_playbook, project):
    wanted = copy.deepcopy(METADATA)
    wanted["sources"][0]["configuration"]["connection_info"]["database_url"] = {"from_env": "ORDERS_DB_URL"}
    refused = apply(run_playbook, project, wanted)
    msg = refused.failure(TASK)["msg"]
    assert "refused the metadata, nothing was changed: 1 inconsistent objects" in msg
    assert "source default: Inconsistent object: environment variable 'ORDERS_DB_URL' not set" in msg
    assert refused.result(TASK)["inconsistent_objects"][0]["name"] == "source default"
    assert project.export()["resource_version"] == 1

    allowed = apply(run_playbook, project, wanted, allow_inconsistent=True).assert_ok()
    assert allowed.changed(TASK)
    result = allowed.result(TASK)
    assert result["is_consistent"] is False and result["inconsistent_objects"][0]["name"] == "source default"
    assert allowed.printed("finds 1 metadata objects inconsistent"), allowed.output()  # the warning

    # As declared but inconsistent: refused again without allow_inconsistent, until the env has the variable.
    msg = apply(run_playbook, project, wanted).failure(TASK)["msg"]
    assert "is as declared, but the engine finds 1 objects inconsistent" in msg
    emulator.set_env(project.id, {"ORDERS_DB_URL": DB_URL})
    fixed = apply(run_playbook, project, wanted).assert_ok()
    assert not fixed.changed(TASK) and fixed.result(TASK)["is_consistent"] is True


# --------------------------------------------------------------------------- errors


def test_wrong_admin_secret_fails_clearly(emulator, run_playbook, project):
    msg = apply(run_playbook, project, METADATA, admin_secret="not-the-admin-secret").failure(TASK)["msg"]
    assert "refused the admin secret (given in admin_secret): invalid x-hasura-admin-secret/x-hasura-access-key" in msg
    assert "not-the-admin-secret" not in msg


def test_a_project_that_is_still_starting_fails_clearly(emulator, run_playbook, tenant_name):
    emulator.set_faults(healthz_delay=600)
    starting = Project(emulator, tenant_name)
    msg = apply(run_playbook, starting, METADATA, max_retries=1).failure(TASK)["msg"]
    assert "is not serving yet" in msg and "/healthz answers HTTP 503" in msg and starting.id in msg


def write_tree(tmp_path, files):
    """A copy of the fixture directory with some files replaced (relative path -> text)."""
    root = tmp_path / "metadata"
    shutil.copytree(FIXTURE, root)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", ["missing src", "bad yaml", "missing include", "not a dict", "both"])
def test_bad_input_fails_before_any_request(emulator, run_playbook, project, tmp_path, case):
    if case == "missing src":
        args, words = {"src": tmp_path / "nowhere"}, ["src: %s does not exist" % (tmp_path / "nowhere")]
    elif case == "bad yaml":
        root = write_tree(tmp_path, {"remote_schemas.yaml": "- name: [broken\n"})
        args, words = {"src": root}, ["%s is not valid YAML at line" % (root / "remote_schemas.yaml")]
    elif case == "missing include":
        root = write_tree(tmp_path, {"databases/default/tables/tables.yaml": '- "!include public_gone.yaml"\n'})
        args, words = {"src": root}, ["tables.yaml includes public_gone.yaml, which does not exist"]
    elif case == "not a dict":
        args, words = {"metadata": ["version", 3]}, ["metadata", "dict"]
    else:
        args, words = {"metadata": METADATA, "src": FIXTURE}, ["parameters are mutually exclusive: metadata, src"]
    run, stats = emulator.measured(lambda: apply(run_playbook, project, **args))
    msg = run.failure(TASK)["msg"]
    for word in words:
        assert word in msg, msg
    assert stats["requests"] == 0 and stats["metadata"]["requests"] == 0, stats


# --------------------------------------------------------------------------- secrets at -vvv


def test_no_vvv_output_holds_the_admin_secret_or_a_header_value(emulator, run_playbook, project):
    runs = [
        apply(run_playbook, project, src=FIXTURE, verbosity=3, diff=True),
        apply(run_playbook, project, src=FIXTURE, verbosity=3, diff=True, check=True, show_values=False),
        apply(run_playbook, project, METADATA, verbosity=3, diff=True, admin_secret=project.secret),
        apply(run_playbook, project, METADATA, verbosity=3, admin_secret="wrong-" + project.secret),
    ]
    for run in runs:
        text = run.stdout + run.stderr
        assert any(mark in text for mark in ("Using module file", "AnsiballZ", "EXEC")), run.output()  # it was -vvv
        for secret in (project.secret, DB_URL, "remote-schema-literal-key-91c2") + LITERAL_SECRETS:
            assert secret not in text, (secret, run.output())
    runs[0].assert_ok()
    assert "<hidden>" in runs[0].stdout


# --------------------------------------------------------------------------- the info module


def test_info_returns_the_metadata_its_version_and_the_inconsistent_objects(emulator, run_playbook, project):
    broken = copy.deepcopy(METADATA)
    broken["sources"][0]["configuration"]["connection_info"]["database_url"] = {"from_env": "NOT_SET_ANYWHERE"}
    project.replace(broken)
    run, stats = emulator.measured(lambda: run_playbook(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: Read\n      hasura.cloud.hasura_metadata_info:\n        tenant_id: %s\n" % project.id))
    run.assert_ok()
    result = run.result("Read")
    assert not run.changed("Read")
    assert result["resource_version"] == 2 and result["is_consistent"] is False
    assert result["metadata"]["remote_schemas"][0]["name"] == "countries"
    assert [obj["name"] for obj in result["inconsistent_objects"]] == ["source default"]
    assert stats["requests"] == 1 and stats["metadata"]["requests"] == 1
    assert project.secret not in run.stdout + run.stderr
