# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the Hasura Cloud emulator, driven over HTTP against a real subprocess."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests
import urllib3

from emulator_process import TOKEN, Emulator

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
SLUG_RE = re.compile(r"^[a-z]+-[a-z]+-\d{2}$")
STALE_RE = r"^env hash mismatch: currentHash \S+ is stale, the environment changed since it was read$"

TENANT_FIELDS = "id slug cloud region project { id name endpoint plan_name tenant { id } }"
UPDATE_ENV = (
    "mutation($id: uuid!, $hash: String!, $envs: [UpdateEnvObject!]!) {"
    " updateTenantEnv(tenantId: $id, currentHash: $hash, envs: $envs) { hash envVars } }"
)
DELETE_ENV = (
    "mutation($id: uuid!, $hash: String!, $keys: [String!]!) {"
    " deleteTenantEnv(tenantId: $id, currentHash: $hash, deleteEnvs: $keys) { hash envVars } }"
)
RENAME = (
    "mutation($id: uuid!, $name: String!) {"
    " updateTenantName(tenantId: $id, name: $name) { tenant { id project { name endpoint } } } }"
)
DELETE_TENANT = "mutation($id: uuid!) { deleteTenant(tenantId: $id) { status } }"


def canonical_hash(environment: dict) -> str:
    text = json.dumps(environment, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()


def envs(**pairs: str) -> list[dict]:
    return [{"key": k, "value": v} for k, v in pairs.items()]


def only_error(body: dict) -> dict:
    """The single Hasura-style error of a body that must carry no data."""
    assert "data" not in body, body
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert error["extensions"]["path"].startswith("$")
    return error


def assert_error(body: dict, code: str, message: str | None = None) -> dict:
    error = only_error(body)
    assert error["extensions"]["code"] == code, body
    if message is not None:
        assert error["message"] == message
    return error


def update_env(emu: Emulator, tenant_id: str, current_hash: str, **pairs: str) -> dict:
    return emu.gql(UPDATE_ENV, {"id": tenant_id, "hash": current_hash, "envs": envs(**pairs)})


# --------------------------------------------------------------------------- process


def test_listening_line_shows_real_port(emu):
    assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+/v1/graphql", emu.listening_line)
    assert not emu.url.endswith(":0/v1/graphql")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_and_stdout_holds_one_line(start_emulator, sig):
    emulator = start_emulator()
    emulator.create("sig-test")  # a keep-alive connection is open while stopping
    emulator.proc.send_signal(sig)
    out, _err = emulator.proc.communicate(timeout=10)
    assert emulator.proc.returncode == 0
    assert out == ""  # nothing after the listening line, which the fixture consumed


def test_verbose_logs_to_stderr_without_the_token(start_emulator):
    emulator = start_emulator("--verbose")
    emulator.create("quiet")
    emulator.gql("{ nope }")
    emulator.proc.send_signal(signal.SIGTERM)
    out, err = emulator.proc.communicate(timeout=10)
    assert out == ""  # the listening line was consumed already; nothing followed it
    assert "POST /v1/graphql" in err
    assert TOKEN not in err
    assert emulator.proc.returncode == 0


def test_keep_alive_reuses_one_connection(emu):
    host, port = emu.base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    body = json.dumps({"query": "{ projects { id } }"})
    headers = {"Authorization": f"pat {TOKEN}", "Content-Type": "application/json"}
    for _attempt in range(3):
        conn.request("POST", "/v1/graphql", body, headers)
        response = conn.getresponse()
        assert response.status == 200
        assert int(response.headers["Content-Length"]) == len(response.read())
        assert conn.sock is not None  # still the same open socket
    sock = conn.sock
    conn.request("POST", "/v1/graphql", body, headers)
    conn.getresponse().read()
    assert conn.sock is sock
    conn.close()


# --------------------------------------------------------------------------- auth and request errors


@pytest.mark.parametrize("header", [None, "pat wrong-token", f"Bearer {TOKEN}", "pat", TOKEN, ""])
def test_auth_errors(emu, header):
    headers = {"Authorization": header} if header is not None else {}
    session = requests.Session()
    if header is None:
        session.headers.pop("Authorization", None)
    response = session.post(emu.url, json={"query": "{ projects { id } }"}, headers=headers,
                            timeout=5)
    assert response.status_code == 200
    assert_error(response.json(), "invalid-headers",
                 "invalid Authorization header: a valid personal access token is required")
    assert TOKEN not in response.text


def test_auth_failure_applies_nothing(emu):
    requests.post(emu.url, json={"query": 'mutation { createTenant(cloud: "aws", region: "x",'
                                          ' name: "sneaky") { id } }'},
                  headers={"Authorization": "pat nope"}, timeout=5)
    assert emu.data("{ projects { id } }")["projects"] == []


def test_invalid_json_is_parse_failed(emu):
    response = emu.session.post(emu.url, data=b"{not json", timeout=5)
    assert response.status_code == 200
    assert_error(response.json(), "parse-failed")


@pytest.mark.parametrize("payload", [[1, 2], {"variables": {}}, {"query": 5},
                                     {"query": "{ projects { id } }", "variables": [1]}])
def test_malformed_request_is_parse_failed(emu, payload):
    response = emu.post(payload)
    assert response.status_code == 200
    assert_error(response.json(), "parse-failed")


@pytest.mark.parametrize("query", [
    "{ projects { id ",                                    # syntax error
    "{ unknownField }",                                   # unknown root field
    "{ projects { id colour } }",                         # unknown nested field
    '{ tenant_by_pk(id: "%s", extra: 1) { id } }' % UNKNOWN_ID,  # unknown argument
    "{ getTenantEnv(tenantId: 42) { hash } }",            # wrong argument type
    '{ tenant_by_pk(id: "not-a-uuid") { id } }',          # bad uuid literal
    '{ projects(where: {id: {_in: ["x"]}}) { id } }',     # bad uuid inside an input object
    "{ getTenantEnv { hash } }",                          # missing required argument
    'mutation { createTenant(cloud: "aws") { id } }',     # missing required argument
    "subscription { projects { id } }",                   # no subscription root
])
def test_validation_failed(emu, query):
    assert_error(emu.gql(query), "validation-failed")


def test_bad_uuid_variable_is_validation_failed(emu):
    body = emu.gql("query($id: uuid!) { tenant_by_pk(id: $id) { id } }", {"id": "12345"})
    assert_error(body, "validation-failed")
    body = emu.gql("query($id: uuid!) { tenant_by_pk(id: $id) { id } }", {"id": 7})
    assert_error(body, "validation-failed")


def test_wrong_variable_type_is_validation_failed(emu):
    body = emu.gql(UPDATE_ENV, {"id": UNKNOWN_ID, "hash": "x", "envs": [{"key": "A"}]})
    assert_error(body, "validation-failed")


# --------------------------------------------------------------------------- createTenant and reads


def test_create_and_read_every_way(emu):
    created = emu.create("my-app", cloud="gcp", region="europe-west1", plan="cloud_payg")
    tenant_id = created["id"]
    assert created["name"] == "my-app"
    assert str(uuid.UUID(tenant_id)) == tenant_id

    tenant = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { %s } }" % TENANT_FIELDS,
                      {"id": tenant_id})["tenant_by_pk"]
    assert tenant["id"] == tenant_id
    assert SLUG_RE.match(tenant["slug"])
    assert (tenant["cloud"], tenant["region"]) == ("gcp", "europe-west1")
    project = tenant["project"]
    assert project["name"] == "my-app"
    assert project["plan_name"] == "cloud_payg"
    assert project["id"] != tenant_id
    assert project["tenant"]["id"] == tenant_id
    assert project["endpoint"] == f"{emu.base}/projects/my-app/v1/graphql"

    by_project = emu.data("query($id: uuid!) { projects_by_pk(id: $id) { id name tenant { id slug } } }",
                          {"id": project["id"]})["projects_by_pk"]
    assert by_project == {"id": project["id"], "name": "my-app",
                          "tenant": {"id": tenant_id, "slug": tenant["slug"]}}

    assert emu.data("{ tenant { id } }")["tenant"] == [{"id": tenant_id}]
    assert emu.data("{ projects { name } }")["projects"] == [{"name": "my-app"}]


def test_uppercase_uuid_is_accepted(emu):
    tenant_id = emu.create("upper")["id"]
    found = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { id } }",
                     {"id": tenant_id.upper()})
    assert found["tenant_by_pk"]["id"] == tenant_id


def test_defaults_and_generated_name(emu):
    created = emu.create()
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{2}", created["name"])
    project = emu.data("{ projects { name plan_name tenant { slug } } }")["projects"][0]
    assert project["name"] == created["name"]
    assert project["plan_name"] == "cloud_free"
    assert SLUG_RE.match(project["tenant"]["slug"])
    # slug is stable across reads
    again = emu.data("{ projects { tenant { slug } } }")["projects"][0]
    assert again["tenant"]["slug"] == project["tenant"]["slug"]


def test_generated_names_are_unique(emu):
    names = {emu.create()["name"] for _index in range(20)}
    assert len(names) == 20


def test_create_seeds_env_and_drops_database_url(emu):
    secret = "postgres://user:s3cret@db/app"
    tenant_id = emu.create("seeded", envs=envs(A="1", B="two"), databaseUrl=secret)["id"]
    env = emu.get_env(tenant_id)
    assert env["envVars"] == {"environment": {"A": "1", "B": "two"}}
    assert secret not in json.dumps(env)


def test_unknown_ids_read_as_null(emu):
    data = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { id } projects_by_pk(id: $id) { id } }",
                    {"id": UNKNOWN_ID})
    assert data == {"tenant_by_pk": None, "projects_by_pk": None}


def test_duplicate_name_is_constraint_violation(emu):
    emu.create("taken")
    body = emu.gql('mutation { createTenant(cloud: "aws", region: "r", name: "taken") { id } }')
    assert_error(body, "constraint-violation", "a project named taken already exists")
    assert len(emu.data("{ projects { id } }")["projects"]) == 1


@pytest.mark.parametrize("name", ["My-App", "-app", "app-", "my_app", "a" * 64, "", "app.x", "é"])
def test_bad_name_is_validation_failed(emu, name):
    body = emu.gql("mutation($n: String) { createTenant(cloud: \"aws\", region: \"r\", name: $n) { id } }",
                   {"n": name})
    assert_error(body, "validation-failed")
    assert emu.data("{ projects { id } }")["projects"] == []


@pytest.mark.parametrize("name", ["a", "a" * 63, "0-9", "my-app-2"])
def test_good_names_are_accepted(emu, name):
    assert emu.create(name)["name"] == name


@pytest.mark.parametrize("cloud", ["azure", "AWS", ""])
def test_bad_cloud_is_validation_failed(emu, cloud):
    assert_error(emu.gql("mutation($c: String!) { createTenant(cloud: $c, region: \"r\") { id } }",
                         {"c": cloud}), "validation-failed")


def test_empty_region_is_validation_failed(emu):
    assert_error(emu.gql('mutation { createTenant(cloud: "aws", region: "") { id } }'),
                 "validation-failed")


def test_region_is_free_text(emu):
    emu.create("anywhere", region="mars-north-1")
    assert emu.data("{ tenant { region } }")["tenant"] == [{"region": "mars-north-1"}]


@pytest.mark.parametrize("document,variables", [
    ("query($id: uuid!) { getTenantEnv(tenantId: $id) { hash } }", {}),
    (UPDATE_ENV, {"hash": "x", "envs": envs(A="1")}),
    (DELETE_ENV, {"hash": "x", "keys": ["A"]}),
    (DELETE_TENANT, {}),
    (RENAME, {"name": "whatever"}),
])
def test_unknown_tenant_is_not_exists(emu, document, variables):
    body = emu.gql(document, {"id": UNKNOWN_ID, **variables})
    assert_error(body, "not-exists", f"tenant {UNKNOWN_ID} does not exist")


# --------------------------------------------------------------------------- env


def test_env_shape_and_hash(emu):
    tenant_id = emu.create("env-shape")["id"]
    empty = emu.get_env(tenant_id)
    assert empty["envVars"] == {"environment": {}}
    assert empty["hash"] == canonical_hash({})
    assert re.fullmatch(r"[0-9a-f]{40}", empty["hash"])

    body = update_env(emu, tenant_id, empty["hash"], ZED="z", ALPHA="a b", N_1="ü")
    result = body["data"]["updateTenantEnv"]
    expected = {"ZED": "z", "ALPHA": "a b", "N_1": "ü"}
    assert result["envVars"] == {"environment": expected}
    assert result["hash"] == canonical_hash(expected)
    assert emu.get_env(tenant_id) == result


def test_update_is_upsert_only(emu):
    tenant_id = emu.create("upsert", envs=envs(KEEP="k", CHANGE="old"))["id"]
    current = emu.get_env(tenant_id)["hash"]
    result = update_env(emu, tenant_id, current, CHANGE="new", ADD="a")["data"]["updateTenantEnv"]
    assert result["envVars"]["environment"] == {"KEEP": "k", "CHANGE": "new", "ADD": "a"}


def test_update_with_no_entries_keeps_hash(emu):
    tenant_id = emu.create("noop", envs=envs(A="1"))["id"]
    current = emu.get_env(tenant_id)["hash"]
    result = emu.gql(UPDATE_ENV, {"id": tenant_id, "hash": current, "envs": []})
    assert result["data"]["updateTenantEnv"]["hash"] == current


def test_delete_env_removes_keys_and_ignores_unknown(emu):
    tenant_id = emu.create("del-keys", envs=envs(A="1", B="2", C="3"))["id"]
    current = emu.get_env(tenant_id)["hash"]
    body = emu.gql(DELETE_ENV, {"id": tenant_id, "hash": current, "keys": ["A", "C", "NOPE"]})
    result = body["data"]["deleteTenantEnv"]
    assert result["envVars"] == {"environment": {"B": "2"}}
    assert result["hash"] == canonical_hash({"B": "2"})
    assert emu.get_env(tenant_id) == result


@pytest.mark.parametrize("document,extra", [
    (UPDATE_ENV, {"envs": envs(A="changed")}),
    (DELETE_ENV, {"keys": ["A"]}),
])
def test_stale_hash_is_conflict_and_writes_nothing(emu, document, extra):
    tenant_id = emu.create("stale", envs=envs(A="1"))["id"]
    old_hash = emu.get_env(tenant_id)["hash"]
    update_env(emu, tenant_id, old_hash, B="2")  # someone else writes
    before = emu.get_env(tenant_id)
    body = emu.gql(document, {"id": tenant_id, "hash": old_hash, **extra})
    error = assert_error(body, "constraint-violation")
    assert re.fullmatch(STALE_RE, error["message"])
    assert old_hash in error["message"]
    assert emu.get_env(tenant_id) == before


@pytest.mark.parametrize("key", ["1ABC", "A-B", "A B", "", "ÄB"])
def test_bad_env_key_is_validation_failed(emu, key):
    tenant_id = emu.create("badkey")["id"]
    current = emu.get_env(tenant_id)["hash"]
    body = emu.gql(UPDATE_ENV, {"id": tenant_id, "hash": current,
                                "envs": [{"key": key, "value": "v"}]})
    assert_error(body, "validation-failed")
    body = emu.gql("mutation($e: [UpdateEnvObject!]) { createTenant(cloud: \"aws\", region: \"r\","
                   " envs: $e) { id } }", {"e": [{"key": key, "value": "v"}]})
    assert_error(body, "validation-failed")
    assert emu.get_env(tenant_id)["envVars"] == {"environment": {}}


# --------------------------------------------------------------------------- rename and delete


def test_rename_changes_name_and_endpoint(emu):
    tenant_id = emu.create("old-name")["id"]
    body = emu.data(RENAME, {"id": tenant_id, "name": "new-name"})
    project = body["updateTenantName"]["tenant"]["project"]
    assert project == {"name": "new-name",
                       "endpoint": f"{emu.base}/projects/new-name/v1/graphql"}
    assert requests.get(f"{emu.base}/projects/old-name/healthz", timeout=5).status_code == 404
    assert requests.get(f"{emu.base}/projects/new-name/healthz", timeout=5).status_code == 200
    # renaming to its own name is fine; to another project's name is not
    emu.data(RENAME, {"id": tenant_id, "name": "new-name"})
    emu.create("other")
    assert_error(emu.gql(RENAME, {"id": tenant_id, "name": "other"}), "constraint-violation",
                 "a project named other already exists")
    assert_error(emu.gql(RENAME, {"id": tenant_id, "name": "Bad_Name"}), "validation-failed")


def test_delete_tenant(emu):
    tenant_id = emu.create("doomed")["id"]
    assert emu.data(DELETE_TENANT, {"id": tenant_id}) == {"deleteTenant": {"status": "deleted"}}
    assert emu.data("{ projects { id } }")["projects"] == []
    assert_error(emu.gql(DELETE_TENANT, {"id": tenant_id}), "not-exists")
    emu.create("doomed")  # the name is free again


# --------------------------------------------------------------------------- where filters


@pytest.fixture
def three(emu):
    tenants = {name: emu.create(name)["id"] for name in ("alpha", "beta", "gamma")}
    rows = emu.data("{ tenant { id slug project { id name } } }")["tenant"]
    return {row["project"]["name"]: row for row in rows} | {"_ids": tenants}


def names_of(rows: list[dict]) -> list[str]:
    return sorted(row["name"] if "name" in row else row["project"]["name"] for row in rows)


@pytest.mark.parametrize("where,expected", [
    ({"name": {"_eq": "beta"}}, ["beta"]),
    ({"name": {"_neq": "beta"}}, ["alpha", "gamma"]),
    ({"name": {"_in": ["alpha", "gamma", "zzz"]}}, ["alpha", "gamma"]),
    ({"name": {"_in": []}}, []),
    ({"name": {"_eq": "nobody"}}, []),
    ({}, ["alpha", "beta", "gamma"]),
    ({"_or": [{"name": {"_eq": "alpha"}}, {"name": {"_eq": "gamma"}}]}, ["alpha", "gamma"]),
    ({"_and": [{"name": {"_neq": "alpha"}}, {"name": {"_neq": "gamma"}}]}, ["beta"]),
])
def test_projects_where_by_name(emu, three, where, expected):
    rows = emu.data("query($w: projects_bool_exp) { projects(where: $w) { name } }",
                    {"w": where})["projects"]
    assert names_of(rows) == expected


def test_projects_where_by_id_and_tenant(emu, three):
    beta = three["beta"]
    rows = emu.data("query($id: uuid!) { projects(where: {id: {_eq: $id}}) { name } }",
                    {"id": beta["project"]["id"]})["projects"]
    assert names_of(rows) == ["beta"]
    rows = emu.data("query($id: uuid!) { projects(where: {tenant: {id: {_eq: $id}}}) { name } }",
                    {"id": beta["id"]})["projects"]
    assert names_of(rows) == ["beta"]
    ids = [three["alpha"]["project"]["id"], three["gamma"]["project"]["id"]]
    rows = emu.data("query($ids: [uuid!]) { projects(where: {id: {_in: $ids}}) { name } }",
                    {"ids": ids})["projects"]
    assert names_of(rows) == ["alpha", "gamma"]


def test_tenant_where(emu, three):
    alpha, gamma = three["alpha"], three["gamma"]
    rows = emu.data("query($id: uuid!) { tenant(where: {id: {_eq: $id}}) { project { name } } }",
                    {"id": alpha["id"]})["tenant"]
    assert names_of(rows) == ["alpha"]
    rows = emu.data("query($ids: [uuid!]) { tenant(where: {id: {_in: $ids}}) { project { name } } }",
                    {"ids": [alpha["id"], gamma["id"]]})["tenant"]
    assert names_of(rows) == ["alpha", "gamma"]
    rows = emu.data('{ tenant(where: {project: {name: {_eq: "gamma"}}}) { project { name } } }')
    assert names_of(rows["tenant"]) == ["gamma"]
    rows = emu.data("query($s: String!) { tenant(where: {slug: {_eq: $s}}) { id } }",
                    {"s": alpha["slug"]})["tenant"]
    assert rows == [{"id": alpha["id"]}]


# --------------------------------------------------------------------------- documents


def test_operation_name_and_several_root_fields(emu):
    tenant_id = emu.create("multi", envs=envs(A="1"))["id"]
    document = """
        query First($id: uuid!) { one: getTenantEnv(tenantId: $id) { hash }
                                  two: getTenantEnv(tenantId: $id) { envVars }
                                  projects { name } }
        query Second { tenant { id } }
    """
    emu.reset()
    response = emu.post({"query": document, "variables": {"id": tenant_id},
                         "operationName": "First"})
    data = response.json()["data"]
    assert data["one"]["hash"] == canonical_hash({"A": "1"})
    assert data["two"]["envVars"] == {"environment": {"A": "1"}}
    assert data["projects"] == [{"name": "multi"}]
    second = emu.post({"query": document, "operationName": "Second"}).json()["data"]
    assert second == {"tenant": [{"id": tenant_id}]}
    # two operations and no operationName: validation-failed
    assert_error(emu.post({"query": document}).json(), "validation-failed")
    assert emu.stats()["operations"] == {"getTenantEnv": 2, "projects": 1, "tenant": 1}


def test_fragments_are_supported(emu):
    emu.create("frag")
    body = emu.data("fragment P on projects { name } { projects { ...P } }")
    assert body == {"projects": [{"name": "frag"}]}


# --------------------------------------------------------------------------- stats and reset


def test_stats_and_reset(emu):
    tenant_id = emu.create("counted")["id"]
    current = emu.get_env(tenant_id)["hash"]
    update_env(emu, tenant_id, current, A="1")
    emu.gql("{ a: projects { id } b: projects { id } }")
    emu.gql("{ nope }")
    requests.post(emu.url, json={"query": "{ projects { id } }"}, timeout=5)  # no auth
    emu.session.post(emu.url, data=b"junk", timeout=5)
    stats = emu.stats()
    assert stats["requests"] == 7
    assert stats["operations"] == {"createTenant": 1, "getTenantEnv": 1, "updateTenantEnv": 1,
                                   "projects": 2, "nope": 1}
    assert stats["mutations"] == 2
    assert stats["faults"] == {"429": 0, "502": 0, "503": 0, "dropped": 0, "lost_answers": 0}

    emu.reset()
    assert emu.stats() == {"requests": 0, "operations": {}, "mutations": 0,
                           "faults": {"429": 0, "502": 0, "503": 0, "dropped": 0,
                                      "lost_answers": 0}}
    assert len(emu.data("{ projects { id } }")["projects"]) == 1  # state kept

    emu.reset(state=True)
    assert emu.data("{ projects { id } }")["projects"] == []


def test_failed_mutation_still_counts_as_mutation(emu):
    emu.gql(UPDATE_ENV, {"id": UNKNOWN_ID, "hash": "x", "envs": []})
    stats = emu.stats()
    assert stats["mutations"] == 1
    assert stats["operations"] == {"updateTenantEnv": 1}


def test_control_endpoints_reject_bad_bodies(emu):
    for path in ("/_emulator/reset", "/_emulator/faults"):
        response = requests.post(emu.base + path, data=b"[1]", timeout=5)
        assert response.status_code == 400
    assert requests.get(emu.base + "/nowhere", timeout=5).status_code == 404


# --------------------------------------------------------------------------- healthz


def test_healthz_delay(start_emulator):
    emulator = start_emulator("--healthz-delay", "1")
    emulator.create("slow")
    health = f"{emulator.base}/projects/slow/healthz"
    started = time.monotonic()
    assert requests.get(health, timeout=5).status_code == 503
    while time.monotonic() - started < 3:
        response = requests.get(health, timeout=5)
        if response.status_code == 200:
            break
        time.sleep(0.1)
    assert response.status_code == 200
    assert response.text == "OK"
    assert 0.8 < time.monotonic() - started < 2.5
    assert requests.get(f"{emulator.base}/projects/nobody/healthz", timeout=5).status_code == 404


# --------------------------------------------------------------------------- state file


def test_state_file_survives_restart(start_emulator, tmp_path):
    state_file = tmp_path / "state.json"
    first = start_emulator("--state-file", str(state_file), "--healthz-delay", "60")
    tenant_id = first.create("persisted", envs=envs(A="1"), plan="cloud_payg")["id"]
    current = first.get_env(tenant_id)["hash"]
    update_env(first, tenant_id, current, B="2")
    before = first.data("{ tenant { %s } }" % TENANT_FIELDS)["tenant"]
    env_before = first.get_env(tenant_id)
    assert first.stop() == 0

    assert json.loads(state_file.read_text())  # valid JSON on disk
    assert os.listdir(tmp_path) == ["state.json"]  # no temp files left

    second = start_emulator("--state-file", str(state_file), "--healthz-delay", "60")
    after = second.data("{ tenant { %s } }" % TENANT_FIELDS)["tenant"]
    # everything but the port-dependent endpoint is identical
    for row in before + after:
        row["project"].pop("endpoint")
    assert after == before
    assert second.get_env(tenant_id) == env_before
    # readiness is based on the stored wall-clock creation time: still not ready
    health = f"{second.base}/projects/persisted/healthz"
    assert requests.get(health, timeout=5).status_code == 503
    second.set_faults(healthz_delay=0)
    assert requests.get(health, timeout=5).status_code == 200

    second.gql(DELETE_TENANT, {"id": tenant_id})
    assert json.loads(state_file.read_text())["tenants"] == []
    second.reset(state=True)
    assert os.listdir(tmp_path) == ["state.json"]


def test_state_file_is_written_after_each_mutation(start_emulator, tmp_path):
    state_file = tmp_path / "s.json"
    emulator = start_emulator("--state-file", str(state_file))
    assert not state_file.exists()  # reads do not write
    emulator.data("{ projects { id } }")
    assert not state_file.exists()
    tenant_id = emulator.create("w")["id"]
    stored = json.loads(state_file.read_text())
    assert [t["id"] for t in stored["tenants"]] == [tenant_id]
    update_env(emulator, tenant_id, emulator.get_env(tenant_id)["hash"], K="v")
    stored = json.loads(state_file.read_text())
    assert stored["tenants"][0]["env"] == {"K": "v"}


# --------------------------------------------------------------------------- faults


def timed_query(emulator: Emulator) -> float:
    started = time.monotonic()
    emulator.data("{ projects { id } }")
    return time.monotonic() - started


def test_latency_is_added(start_emulator):
    emulator = start_emulator("--latency", "300")
    timed_query(emulator)  # warm the connection
    slow = min(timed_query(emulator) for _round in range(2))
    assert slow >= 0.3
    emulator.set_faults(latency_ms=0)
    fast = min(timed_query(emulator) for _round in range(2))
    assert fast < 0.2
    # control endpoints never get latency
    emulator.set_faults(latency_ms=1000)
    started = time.monotonic()
    emulator.stats()
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("status", [429, 502, 503])
def test_error_statuses(start_emulator, status):
    emulator = start_emulator("--error-rate", "1", "--error-statuses", str(status),
                              "--retry-after", "7")
    response = emulator.post({"query": 'mutation { createTenant(cloud: "aws", region: "r",'
                                       ' name: "never") { id } }'})
    assert response.status_code == status
    assert str(status) in response.text
    with pytest.raises(ValueError):
        response.json()
    if status == 429:
        assert response.headers["Retry-After"] == "7"
    else:
        assert "Retry-After" not in response.headers
    stats = emulator.stats()
    assert stats["faults"][str(status)] == 1
    assert stats["requests"] == 1
    assert stats["operations"] == {} and stats["mutations"] == 0
    emulator.set_faults(error_rate=0)
    assert emulator.data("{ projects { id } }")["projects"] == []  # nothing was applied


def test_default_error_statuses_and_retry_after(start_emulator):
    emulator = start_emulator("--error-rate", "1", "--seed", "3")
    seen = {emulator.post({"query": "{ projects { id } }"}).status_code for _request in range(30)}
    assert seen == {429, 502, 503}
    assert emulator.stats()["faults"]["429"] > 0
    faults = emulator.set_faults(error_statuses=[429])
    assert faults["retry_after"] == 1
    assert emulator.post({"query": "{ projects { id } }"}).headers["Retry-After"] == "1"


def test_drop_rate(start_emulator):
    emulator = start_emulator("--drop-rate", "1")
    with pytest.raises(requests.ConnectionError):
        emulator.post({"query": 'mutation { createTenant(cloud: "aws", region: "r",'
                                ' name: "dropped") { id } }'})
    stats = emulator.stats()  # control endpoints are never dropped
    assert stats["faults"]["dropped"] == 1
    assert stats["requests"] == 1 and stats["mutations"] == 0
    assert requests.get(f"{emulator.base}/projects/x/healthz", timeout=5).status_code == 404
    emulator.set_faults(drop_rate=0)
    assert emulator.data("{ projects { id } }")["projects"] == []  # nothing was applied


def test_lose_answer_commits_then_drops(start_emulator, tmp_path):
    state_file = tmp_path / "state.json"
    emulator = start_emulator("--lose-answer", "createTenant:2", "--lose-answer", "updateTenantEnv",
                              "--state-file", str(state_file))
    assert emulator.set_faults()["lose_answer"] == {"createTenant": 2, "updateTenantEnv": 1}
    for name in ("lost-1", "lost-2"):
        with pytest.raises(requests.ConnectionError):
            emulator.create(name)
    tenant_id = emulator.create("answered")["id"]
    assert names_of(emulator.data("{ projects { name } }")["projects"]) == [
        "answered", "lost-1", "lost-2"]
    assert len(json.loads(state_file.read_text())["tenants"]) == 3  # committed to disk too

    current = emulator.get_env(tenant_id)["hash"]
    with pytest.raises(requests.ConnectionError):
        update_env(emulator, tenant_id, current, A="1")
    assert emulator.get_env(tenant_id)["envVars"] == {"environment": {"A": "1"}}
    stats = emulator.stats()
    assert stats["faults"]["lost_answers"] == 3
    assert stats["mutations"] == 4
    assert emulator.set_faults()["lose_answer"] == {}


def test_seed_makes_faults_deterministic(start_emulator):
    def sequence(seed: str) -> list[int]:
        emulator = start_emulator("--error-rate", "0.5", "--seed", seed)
        return [emulator.post({"query": "{ projects { id } }"}).status_code for _request in range(40)]

    first, second, other = sequence("42"), sequence("42"), sequence("43")
    assert first == second
    assert 200 in first and set(first) - {200}
    assert first != other


def test_runtime_faults_endpoint(emu):
    defaults = requests.get(f"{emu.base}/_emulator/faults", timeout=5).json()
    assert defaults == {"latency_ms": 0.0, "error_rate": 0.0, "error_statuses": [429, 502, 503],
                        "retry_after": 1, "drop_rate": 0.0, "lose_answer": {},
                        "healthz_delay": 0.0, "seed": None}
    changed = emu.set_faults(error_rate=1, error_statuses=[503], seed=5)
    assert changed["error_rate"] == 1.0 and changed["error_statuses"] == [503]
    assert requests.get(f"{emu.base}/_emulator/faults", timeout=5).json() == changed
    assert emu.post({"query": "{ projects { id } }"}).status_code == 503
    emu.set_faults(error_rate=0, lose_answer={"getTenantEnv": 1})
    tenant_id = emu.create("rt")["id"]
    with pytest.raises(requests.ConnectionError):
        emu.get_env(tenant_id)
    emu.get_env(tenant_id)

    for bad in ({"error_rate": 2}, {"drop_rate": "x"}, {"error_statuses": [200]},
                {"lose_answer": {"createTenant": -1}}, {"bogus": 1}, {"seed": "s"}):
        response = requests.post(f"{emu.base}/_emulator/faults", json=bad, timeout=5)
        assert response.status_code == 400, bad
    assert requests.get(f"{emu.base}/_emulator/faults", timeout=5).json()["error_statuses"] == [503]


# --------------------------------------------------------------------------- TLS


def test_tls(start_emulator, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    emulator = start_emulator("--tls-cert", str(cert), "--tls-key", str(key))
    assert emulator.url.startswith("https://127.0.0.1:")
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    emulator.verify = False
    tenant_id = emulator.create("secure")["id"]
    endpoint = emulator.data("{ projects { endpoint } }")["projects"][0]["endpoint"]
    assert endpoint.startswith("https://")
    assert emulator.get_env(tenant_id)["hash"] == canonical_hash({})
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(emulator.url, json={"query": "{ projects { id } }"}, timeout=5)
    plain = emulator.url.replace("https://", "http://")
    with pytest.raises(requests.ConnectionError):
        requests.post(plain, json={"query": "{ projects { id } }"}, timeout=5)
    # the server survived the bad handshakes
    assert emulator.get_env(tenant_id)["hash"] == canonical_hash({})


# --------------------------------------------------------------------------- concurrency


def test_racing_writers_with_same_hash_one_wins(emu):
    tenant_id = emu.create("race")["id"]
    current = emu.get_env(tenant_id)["hash"]
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[dict] = [{}] * workers

    def write(index: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"pat {TOKEN}"
        barrier.wait()
        results[index] = session.post(emu.url, timeout=10, json={
            "query": UPDATE_ENV,
            "variables": {"id": tenant_id, "hash": current, "envs": envs(**{f"K{index}": "v"})},
        }).json()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if "data" in r]
    losers = [r for r in results if "errors" in r]
    assert len(winners) == 1
    assert len(losers) == workers - 1
    for loser in losers:
        assert_error(loser, "constraint-violation")
    assert emu.get_env(tenant_id) == winners[0]["data"]["updateTenantEnv"]


def test_read_modify_write_loses_nothing(emu):
    tenant_id = emu.create("rmw")["id"]
    workers, keys_each = 6, 8
    conflicts = [0] * workers

    def writer(index: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"pat {TOKEN}"
        for n in range(keys_each):
            while True:
                read = session.post(emu.url, timeout=10, json={
                    "query": "query($id: uuid!) { getTenantEnv(tenantId: $id) { hash } }",
                    "variables": {"id": tenant_id}}).json()
                body = session.post(emu.url, timeout=10, json={
                    "query": UPDATE_ENV,
                    "variables": {"id": tenant_id, "hash": read["data"]["getTenantEnv"]["hash"],
                                  "envs": envs(**{f"W{index}_{n}": str(n)})}}).json()
                if "data" in body:
                    break
                assert body["errors"][0]["extensions"]["code"] == "constraint-violation"
                conflicts[index] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    environment = emu.get_env(tenant_id)["envVars"]["environment"]
    expected = {f"W{i}_{n}": str(n) for i in range(workers) for n in range(keys_each)}
    assert environment == expected
    assert emu.stats()["operations"]["updateTenantEnv"] == workers * keys_each + sum(conflicts)
