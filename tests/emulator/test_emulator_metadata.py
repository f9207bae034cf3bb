# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the emulator's metadata API (emulator_metadata.py), over HTTP against a real subprocess."""

from __future__ import annotations

import re
import time

import pytest
import requests

from emulator_process import Emulator

SECRET = "admin-secret-0123456789"
CREATE = ("mutation($cloud: String!, $region: String!, $name: String, $envs: [UpdateEnvsObject]) {"
          " createTenant(cloud: $cloud, region: $region, name: $name, envs: $envs) {"
          " id tenant { project { endpoint } } } }")
READ_ENV = "query($id: uuid!) { getTenantEnv(tenantId: $id) { hash } }"
UPDATE_ENV = ("mutation($id: uuid!, $hash: String!, $envs: [UpdateEnvObject!]!) {"
              " updateTenantEnv(tenantId: $id, currentHash: $hash, envs: $envs) { hash } }")
DELETE_ENV = ("mutation($id: uuid!, $hash: String!, $keys: [String!]!) {"
              " deleteTenantEnv(tenantId: $id, currentHash: $hash, deleteEnvs: $keys) { hash } }")
EXPORT = {"type": "export_metadata", "version": 2, "args": {}}
INCONSISTENT = {"type": "get_inconsistent_metadata", "args": {}}


class Project:
    """One project of the emulator and its metadata API."""

    def __init__(self, emu: Emulator, name: str, env: dict[str, str] | None = None) -> None:
        self.emu = emu
        env = {"HASURA_GRAPHQL_ADMIN_SECRET": SECRET} if env is None else env
        answer = emu.data(CREATE, {"cloud": "aws", "region": "us-east-1", "name": name,
                                   "envs": [{"key": k, "value": v} for k, v in env.items()]})["createTenant"]
        self.id = answer["id"]
        self.url = answer["tenant"]["project"]["endpoint"] + "/v1/metadata"

    def post(self, body, secret: str | None = SECRET, headers: dict | None = None) -> requests.Response:
        sent = dict(headers or {})
        if secret is not None:
            sent["X-Hasura-Admin-Secret"] = secret
        return requests.post(self.url, json=body, headers=sent, timeout=10)

    def ok(self, body):
        answer = self.post(body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def export(self) -> dict:
        return self.ok(EXPORT)

    def replace(self, metadata: dict, resource_version: int | None = None, allow: bool | None = None,
                version: int = 2) -> requests.Response:
        args = metadata if version == 1 else {"metadata": metadata}
        if allow is not None:
            args["allow_inconsistent_metadata"] = allow
        body = {"type": "replace_metadata", "version": version, "args": args}
        if resource_version is not None:
            body["resource_version"] = resource_version
        return self.post(body)

    def set_env(self, **env: str) -> None:
        current = self.emu.data(READ_ENV, {"id": self.id})["getTenantEnv"]["hash"]
        self.emu.data(UPDATE_ENV, {"id": self.id, "hash": current,
                                   "envs": [{"key": k, "value": v} for k, v in env.items()]})

    def delete_env(self, *keys: str) -> None:
        current = self.emu.data(READ_ENV, {"id": self.id})["getTenantEnv"]["hash"]
        self.emu.data(DELETE_ENV, {"id": self.id, "hash": current, "keys": list(keys)})


def source(name="default", url=None, tables=()):
    return {"name": name, "kind": "postgres",
            "configuration": {"connection_info": {"database_url": url or "postgres://u:p@db:5432/app"}},
            "tables": [{"table": {"schema": "public", "name": table}} for table in tables]}


def metadata(*sources, **rest):
    return dict({"version": 3, "sources": list(sources)}, **rest)


def error_of(answer: requests.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code and body["path"].startswith("$"), body
    return body


@pytest.fixture
def project(emu, request):
    emu.set_faults(metadata_race=0, restart_delay=0)
    emu.reset()
    return Project(emu, "md-" + re.sub(r"[^a-z0-9]+", "-", request.node.name[5:40].lower()).strip("-"))


# --------------------------------------------------------------------------- export and replace


def test_new_project_exports_an_empty_metadata_in_both_versions(project):
    assert project.export() == {"resource_version": 1, "metadata": {"version": 3, "sources": []}}
    assert project.ok({"type": "export_metadata", "args": {}}) == {"version": 3, "sources": []}


def test_replace_v2_moves_the_resource_version_and_exports_the_engine_form(project):
    sent = metadata(source(tables=["author"]))
    del sent["sources"][0]["kind"]
    sent["sources"][0]["tables"][0].update(select_permissions=[], comment=None)
    answer = project.replace(sent, resource_version=1)
    assert answer.status_code == 200 and answer.json() == {"is_consistent": True, "inconsistent_objects": []}
    exported = project.export()
    assert exported["resource_version"] == 2
    # kind defaulted to postgres, nulls and empty lists left out, keys sorted
    assert exported["metadata"]["sources"] == [{
        "configuration": {"connection_info": {"database_url": "postgres://u:p@db:5432/app"}},
        "kind": "postgres", "name": "default", "tables": [{"table": {"name": "author", "schema": "public"}}]}]
    assert list(exported["metadata"]["sources"][0]) == sorted(exported["metadata"]["sources"][0])


def test_replace_v1_and_inferred_versions(project):
    assert project.replace(metadata(source()), version=1).json() == {"message": "success"}
    body = {"type": "replace_metadata", "args": {"metadata": metadata()}}  # no version: v2 by the form of args
    assert project.ok(body) == {"is_consistent": True, "inconsistent_objects": []}
    assert project.export()["resource_version"] == 3


def test_stale_resource_version_is_a_409_conflict_and_changes_nothing(project):
    project.replace(metadata(source(tables=["a"])), resource_version=1)
    body = error_of(project.replace(metadata(), resource_version=1), 409, "conflict")
    assert body["error"] == "metadata resource version referenced (1) did not match current version"
    assert project.export()["resource_version"] == 2
    assert project.export()["metadata"]["sources"][0]["name"] == "default"
    assert project.emu.stats()["metadata"]["conflicts"] == 1


def test_reload_moves_the_version_and_clear_keeps_the_default_source(project):
    project.replace(metadata(source(tables=["a"]), source("other")))
    assert project.ok({"type": "reload_metadata", "args": {}}) == {"is_consistent": True, "message": "success"}
    assert project.export()["resource_version"] == 3
    assert project.ok({"type": "clear_metadata", "args": {}}) == {"message": "success"}
    exported = project.export()
    assert exported["resource_version"] == 4
    assert [s["name"] for s in exported["metadata"]["sources"]] == ["default"]
    assert "tables" not in exported["metadata"]["sources"][0]


def test_bulk_answers_in_order_and_is_atomic(project):
    answer = project.ok({"type": "bulk", "args": [EXPORT, INCONSISTENT]})
    assert answer == [{"resource_version": 1, "metadata": {"version": 3, "sources": []}},
                      {"is_consistent": True, "inconsistent_objects": []}]
    bad = project.post({"type": "bulk", "args": [
        {"type": "replace_metadata", "version": 2, "args": {"metadata": metadata(source())}},
        {"type": "no_such_type", "args": {}}]})
    assert error_of(bad, 400, "parse-failed")["path"] == "$.args[1]"
    assert project.export() == {"resource_version": 1, "metadata": {"version": 3, "sources": []}}
    assert project.emu.stats()["metadata"]["types"]["bulk"] == 2


def test_unknown_type_bad_json_and_bad_version(project):
    assert "unknown metadata command" in error_of(project.post({"type": "pg_track_table", "args": {}}), 400,
                                                  "parse-failed")["error"]
    bad = requests.post(project.url, data=b"{not json", headers={"X-Hasura-Admin-Secret": SECRET}, timeout=10)
    error_of(bad, 400, "invalid-json")
    body = error_of(project.replace({"version": 2, "tables": []}), 400, "parse-failed")
    assert "version 3" in body["error"]
    error_of(project.post({"args": {}}), 400, "parse-failed")


@pytest.mark.parametrize("broken, words", [
    (metadata(source(), source()), "sources: default"),
    (metadata(source(tables=["a", "b", "a"])), "tables: public.a"),
    (metadata(actions=[{"name": "x", "definition": {}}] * 2), "actions: x"),
    (metadata(remote_schemas=[{"name": "r", "definition": {"url": "http://r"}}] * 2), "remote schemas: r"),
    (metadata(cron_triggers=[{"name": "c", "webhook": "http://c", "schedule": "* * * * *"}] * 2), "cron triggers: c"),
])
def test_duplicate_names_are_refused_whatever_allow_inconsistent_says(project, broken, words):
    body = error_of(project.replace(broken, allow=True), 400, "parse-failed")
    assert body["error"] == "multiple declarations exist for the following " + words
    assert project.export()["resource_version"] == 1


# --------------------------------------------------------------------------- consistency


def test_source_url_from_a_missing_env_var(project):
    wanted = metadata(source(url={"from_env": "APP_DB_URL"}, tables=["a"]))
    body = error_of(project.replace(wanted), 400, "unexpected")
    assert body["error"] == "cannot continue due to inconsistent metadata"
    assert body["internal"] == [{"type": "source", "name": "source default", "reason":
                                 "Inconsistent object: environment variable 'APP_DB_URL' not set",
                                 "definition": {"name": "default", "kind": "postgres", "configuration": {
                                     "connection_info": {"database_url": {"from_env": "APP_DB_URL"}}}}}]
    assert project.export()["resource_version"] == 1  # nothing changed
    answer = project.replace(wanted, allow=True)
    assert answer.status_code == 200 and answer.json()["is_consistent"] is False
    assert project.ok(INCONSISTENT)["inconsistent_objects"][0]["name"] == "source default"
    # The engine notices env changes (it restarts and rebuilds its schema cache).
    project.set_env(APP_DB_URL="postgres://db/app")
    assert project.ok(INCONSISTENT) == {"is_consistent": True, "inconsistent_objects": []}
    project.delete_env("APP_DB_URL")
    assert project.ok(INCONSISTENT)["is_consistent"] is False


def test_other_inconsistencies(project):
    target = {"column": "author_id", "table": {"schema": "public", "name": "article"}}
    rel = {"name": "articles", "using": {"foreign_key_constraint_on": target}}
    broken = metadata(source(tables=["author"]), remote_schemas=[{"name": "rs", "definition": {
        "url_from_env": "RS_URL"}}], actions=[{"name": "greet", "definition": {"output_type": "Greeting!"}}])
    broken["sources"][0]["tables"][0]["array_relationships"] = [rel]
    found = project.replace(broken, allow=True).json()["inconsistent_objects"]
    assert sorted(obj["name"] for obj in found) == [
        "action greet", "array_relation articles in table public.author in source default", "remote_schema rs"]
    fixed = metadata(source(tables=["author", "article"]), custom_types={"objects": [{"name": "Greeting"}]},
                     actions=[{"name": "greet", "definition": {"output_type": "Greeting!"}}])
    fixed["sources"][0]["tables"][0]["array_relationships"] = [rel]
    assert project.replace(fixed).json()["is_consistent"] is True


# --------------------------------------------------------------------------- auth, readiness, routes


def test_admin_secret_missing_wrong_and_deprecated_header(project):
    missing = error_of(project.post(EXPORT, secret=None), 401, "access-denied")
    assert missing["error"] == "x-hasura-admin-secret/x-hasura-access-key required, but not found"
    wrong = error_of(project.post(EXPORT, secret="nope"), 401, "access-denied")
    assert wrong["error"] == "invalid x-hasura-admin-secret/x-hasura-access-key"
    assert project.post(EXPORT, secret=None, headers={"x-hasura-access-key": SECRET}).status_code == 200
    assert SECRET not in missing["error"] + wrong["error"]


def test_project_without_admin_secret_admits_everyone(emu):
    open_project = Project(emu, "md-open-project", env={})
    open_project.delete_env("HASURA_GRAPHQL_ADMIN_SECRET")  # every new project gets one
    assert open_project.post(EXPORT, secret=None).status_code == 200


def test_unknown_project_and_route_are_404(project):
    assert requests.post(project.url.replace("/projects/", "/projects/x"), json=EXPORT, timeout=10).status_code == 404
    assert requests.post(project.url.replace("/v1/metadata", "/v1/query"), json=EXPORT, timeout=10).status_code == 404


def test_starting_and_restarting_engine_answers_503(emu, project):
    emu.set_faults(restart_delay=30)
    project.set_env(FEATURE="on")
    answer = project.post(EXPORT)
    assert answer.status_code == 503 and not answer.headers["Content-Type"].startswith("application/json")
    emu.set_faults(restart_delay=0)
    assert project.post(EXPORT).status_code == 200


# --------------------------------------------------------------------------- faults, stats, state


def test_faults_apply_to_the_metadata_api(emu, project):
    emu.set_faults(error_rate=1.0, error_statuses=[503])
    assert project.post(EXPORT).status_code == 503
    emu.set_faults(error_rate=0.0, lose_answer={"replace_metadata": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        project.replace(metadata(source()), resource_version=1)
    assert project.export()["resource_version"] == 2  # committed, only the answer was lost
    stats = emu.stats()
    assert stats["faults"]["503"] == 1 and stats["faults"]["lost_answers"] == 1
    assert stats["metadata"]["requests"] == 3 and stats["metadata"]["writes"] == 1
    assert stats["requests"] == 1  # the control-plane counter: the createTenant of the fixture only


def test_metadata_race_makes_a_guarded_write_meet_a_concurrent_one(emu, project):
    emu.set_faults(metadata_race=1)
    error_of(project.replace(metadata(source()), resource_version=1), 409, "conflict")
    exported = project.export()
    assert exported["resource_version"] == 2
    assert [c["name"] for c in exported["metadata"]["query_collections"]] == ["concurrent-writer-1"]
    assert project.replace(metadata(source()), resource_version=2).status_code == 200
    assert requests.get(emu.base + "/_emulator/faults", timeout=10).json()["metadata_race"] == 0


def test_metadata_survives_a_restart_and_goes_with_its_tenant(start_emulator, tmp_path):
    state = str(tmp_path / "state.json")
    first = start_emulator("--state-file", state)
    kept = Project(first, "md-kept")
    kept.replace(metadata(source(tables=["a"])), resource_version=1)
    first.stop()
    again = start_emulator("--state-file", state)
    kept.emu, kept.url = again, kept.url.replace(first.base, again.base)
    assert kept.export()["resource_version"] == 2
    again.data("mutation($id: uuid!) { deleteTenant(tenantId: $id) { status } }", {"id": kept.id})
    assert Project(again, "md-kept").export()["resource_version"] == 1


def test_latency_applies(emu, project):
    emu.set_faults(latency_ms=200)
    started = time.monotonic()
    project.export()
    assert time.monotonic() - started >= 0.2
