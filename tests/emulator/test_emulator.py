# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the Hasura Cloud emulator, driven over HTTP against a real subprocess.

Most tests share the module's emulator (the ``emu`` fixture resets its state and settings);
only those about a start-up flag, the process itself or the state file start their own.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
import urllib3

from emulator_process import EMULATOR, TOKEN, Emulator

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
INVENTED_NAME_RE = re.compile(r"^[a-z]+-[a-z]+-\d{2}$")
ADMIN_SECRET = "HASURA_GRAPHQL_ADMIN_SECRET"
AUTH_HOOK_MESSAGE = "Authentication hook unauthorized this request"

TENANT_FIELDS = "id slug fqdn cloud region active config { hash } project { id name endpoint plan_name tenant { id } }"
CREATE = (
    "mutation($cloud: String!, $region: String!, $name: String, $plan: String, $envs: [UpdateEnvsObject]) {"
    " createTenant(cloud: $cloud, region: $region, name: $name, plan: $plan, envs: $envs) {"
    " id name tenant { id slug project { id name endpoint } } } }"
)
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
    " updateTenantName(tenantId: $id, name: $name) { tenant_id tenant { id slug fqdn project { name endpoint } } } }"
)
DELETE_TENANT = "mutation($id: uuid!) { deleteTenant(tenantId: $id) { status } }"
ADD_DOMAIN = (
    "mutation($t: uuid!, $fqdn: String!) { insert_custom_domain_one(object: {fqdn: $fqdn, tenant_id: $t}) {"
    " id fqdn tenant_id cert dns_validation ssl_status tenant { slug } } }"
)
ADD_DOMAIN_OR_NOTHING = (
    "mutation($t: uuid!, $fqdn: String!) { insert_custom_domain_one(object: {fqdn: $fqdn, tenant_id: $t},"
    " on_conflict: {constraint: custom_domain_fqdn_key}) { id } }"
)
GATEWAY_IPS = "{ region(where: {is_active: {_eq: true}, nat_ip: {_is_null: false}}) { nat_ip } }"


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


def environment(emu: Emulator, tenant_id: str) -> dict:
    """The env without the generated admin secret."""
    env = dict(emu.get_env(tenant_id)["envVars"]["environment"])
    env.pop(ADMIN_SECRET)
    return env


def add_domain(emu: Emulator, tenant_id: str, fqdn: str) -> dict:
    return emu.data(ADD_DOMAIN, {"t": tenant_id, "fqdn": fqdn})["insert_custom_domain_one"]


def names_of(rows: list[dict]) -> list[str]:
    return sorted(row["name"] if "name" in row else row["project"]["name"] for row in rows)


def wait_for_status(url: str, status: int, timeout: float) -> float:
    """Poll url until it answers status; returns the seconds it took."""
    started = time.monotonic()
    while True:
        if requests.get(url, timeout=5).status_code == status:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"{url} did not answer {status} within {timeout} s"
        time.sleep(0.05)


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


def test_bad_flags_are_refused():
    bad = (["--auth-error", "bogus"], ["--restart-delay", "soon"], ["--dns-delay", "-"], ["--error-rate", "2"])
    procs = [subprocess.Popen([sys.executable, EMULATOR, "--token", "t", "--port", "0", *flags],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for flags in bad]
    for proc in procs:
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 2, err
        assert out == ""


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


def post_without_token(emu: Emulator, header: str | None) -> requests.Response:
    headers = {"Authorization": header} if header is not None else {}
    return requests.post(emu.url, json={"query": "{ projects { id } }"}, headers=headers, timeout=5)


@pytest.mark.parametrize("header", [None, "pat wrong-token", f"Bearer {TOKEN}", "pat", TOKEN, ""])
def test_auth_errors_default_to_the_auth_hook_answer(emu, header):
    response = post_without_token(emu, header)
    assert response.status_code == 200  # errors are in the body, never a 401
    assert_error(response.json(), "access-denied", AUTH_HOOK_MESSAGE)
    assert TOKEN not in response.text


@pytest.mark.parametrize("form,message", [
    ("access-denied", AUTH_HOOK_MESSAGE),
    ("invalid-jwt", "Could not verify JWT: JWSError JWSInvalidSignature"),
    ("invalid-headers", "Missing 'Authorization' or 'Cookie' header in JWT authentication mode"),
])
def test_auth_error_forms_at_run_time(emu, form, message):
    assert emu.set_faults(auth_error=form)["auth_error"] == form
    assert_error(post_without_token(emu, "pat wrong").json(), form, message)
    assert emu.data("{ projects { id } }") == {"projects": []}  # the right token still works


def test_auth_scheme_is_case_insensitive(emu):
    response = requests.post(emu.url, json={"query": "{ projects { id } }"},
                             headers={"Authorization": f"PAT {TOKEN}"}, timeout=5)
    assert response.json() == {"data": {"projects": []}}


def test_auth_failure_applies_nothing(emu):
    requests.post(emu.url, json={"query": 'mutation { createTenant(cloud: "aws", region: "us-east-1",'
                                          ' name: "sneaky") { id } }'},
                  headers={"Authorization": "pat nope"}, timeout=5)
    assert emu.data("{ projects { id } }")["projects"] == []


def test_invalid_json_is_parse_failed(emu):
    response = emu.session.post(emu.url, data=b"{not json", timeout=5)
    assert response.status_code == 200
    assert_error(response.json(), "parse-failed")


@pytest.mark.parametrize("payload", [[1, 2], {"variables": {}}, {"query": 5},
                                     {"query": "{ projects { id } }", "variables": [1]},
                                     {"query": "{ projects { id } }", "operationName": 3}])
def test_malformed_request_is_parse_failed(emu, payload):
    response = emu.post(payload)
    assert response.status_code == 200
    assert_error(response.json(), "parse-failed")


@pytest.mark.parametrize("query", [
    "{ projects { id ",                                    # syntax error
    "{ unknownField }",                                   # unknown root field
    "{ project { tenant { id } } }",                      # no such root (issue #7431's document)
    "{ projects { id colour } }",                         # unknown nested field
    "{ projects { id databaseUrl } }",                    # the seed's field is gone
    '{ tenant_by_pk(id: "%s", extra: 1) { id } }' % UNKNOWN_ID,  # unknown argument
    'mutation { createTenant(cloud: "aws", region: "us-east-1", databaseUrl: "postgres://x") { id } }',
    "{ getTenantEnv(tenantId: 42) { hash } }",            # wrong argument type
    '{ tenant_by_pk(id: "not-a-uuid") { id } }',          # bad uuid literal
    '{ projects(where: {id: {_in: ["x"]}}) { id } }',     # bad uuid inside an input object
    '{ region(where: {cloud: {_eq: "gcp"}}) { name } }',  # cloud_enum takes an enum value, not a string
    "{ getTenantEnv { hash } }",                          # missing required argument
    'mutation { createTenant(cloud: "aws") { id } }',     # missing required argument
    "{ tenant { status { is_active } } }",                # a real field the emulator does not serve
    "subscription { projects { id } }",                   # no subscription root
    "query($id: ID!) { tenant_by_pk(id: $id) { id } }",   # ID is not uuid (the 2020 provider's documents)
    "{ projects { id } } { tenant { id } }",              # two anonymous operations
])
def test_validation_failed(emu, query):
    assert_error(emu.gql(query), "validation-failed")


def test_database_url_is_refused_and_creates_nothing(emu):
    body = emu.gql("mutation($u: String!) { createTenant(cloud: \"aws\", region: \"us-east-1\", name: \"db\","
                   " databaseUrl: $u) { id } }", {"u": "postgres://user:s3cret@db/app"})
    error = assert_error(body, "validation-failed")
    assert "databaseUrl" in error["message"]
    assert "s3cret" not in json.dumps(body)
    assert emu.data("{ projects { id } }")["projects"] == []


def test_one_error_per_answer(emu):
    error = assert_error(emu.gql("{ nope projects { colour } }"), "validation-failed")
    assert "nope" in error["message"]


def test_unexpected_variables_are_refused(emu):
    body = emu.gql("query($id: uuid!) { tenant_by_pk(id: $id) { id } }", {"id": UNKNOWN_ID, "zeta": 1, "alpha": 2})
    assert_error(body, "validation-failed", "unexpected variables in variableValues: alpha, zeta")
    assert emu.gql("{ projects { id } }", {}) == {"data": {"projects": []}}  # an empty object is fine


def test_bad_uuid_variable_is_validation_failed(emu):
    body = emu.gql("query($id: uuid!) { tenant_by_pk(id: $id) { id } }", {"id": "12345"})
    assert_error(body, "validation-failed")
    body = emu.gql("query($id: uuid!) { tenant_by_pk(id: $id) { id } }", {"id": 7})
    assert_error(body, "validation-failed")


def test_wrong_variable_type_is_validation_failed(emu):
    body = emu.gql(UPDATE_ENV, {"id": UNKNOWN_ID, "hash": "x", "envs": [{"key": "A"}]})
    assert_error(body, "validation-failed")


def test_env_input_types_are_distinct(emu):
    # createTenant takes [UpdateEnvsObject], updateTenantEnv [UpdateEnvObject!]!: the same
    # shape under two names, and a variable of one type does not fit the other.
    body = emu.gql("mutation($e: [UpdateEnvObject!]) { createTenant(cloud: \"aws\", region: \"us-east-1\","
                   " envs: $e) { id } }", {"e": envs(A="1")})
    assert_error(body, "validation-failed")
    body = emu.gql("mutation($id: uuid!, $e: [UpdateEnvsObject]!) { updateTenantEnv(tenantId: $id,"
                   " currentHash: \"x\", envs: $e) { hash } }", {"id": UNKNOWN_ID, "e": envs(A="1")})
    assert_error(body, "validation-failed")


# --------------------------------------------------------------------------- createTenant and reads


def test_create_and_read_every_way(emu):
    created = emu.data(CREATE, {"cloud": "gcp", "region": "europe-west1", "name": "my-app",
                                "plan": "cloud_payg"})["createTenant"]
    tenant_id = created["id"]
    assert created["name"] == "my-app"
    assert str(uuid.UUID(tenant_id)) == tenant_id
    endpoint = f"{emu.base}/projects/my-app"  # a base URL, no /v1/graphql
    assert created["tenant"] == {"id": tenant_id, "slug": "my-app",
                                 "project": {"id": created["tenant"]["project"]["id"], "name": "my-app",
                                             "endpoint": endpoint}}

    tenant = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { %s } }" % TENANT_FIELDS,
                      {"id": tenant_id})["tenant_by_pk"]
    assert tenant["id"] == tenant_id
    assert tenant["slug"] == "my-app"  # the slug is the project name
    assert tenant["fqdn"] == "my-app.hasura.app"
    assert (tenant["cloud"], tenant["region"], tenant["active"]) == ("gcp", "europe-west1", True)
    assert tenant["config"]["hash"] == emu.get_env(tenant_id)["hash"]
    project = tenant["project"]
    assert project["name"] == "my-app"
    assert project["plan_name"] == "cloud_payg"
    assert project["id"] != tenant_id
    assert project["tenant"]["id"] == tenant_id
    assert project["endpoint"] == endpoint

    by_project = emu.data("query($id: uuid!) { projects_by_pk(id: $id) { id name tenant { id slug } } }",
                          {"id": project["id"]})["projects_by_pk"]
    assert by_project == {"id": project["id"], "name": "my-app", "tenant": {"id": tenant_id, "slug": "my-app"}}
    assert emu.data("{ tenant { id } }")["tenant"] == [{"id": tenant_id}]
    assert emu.data("{ projects { name } }")["projects"] == [{"name": "my-app"}]
    assert emu.health("my-app").status_code == 200


def test_uppercase_uuid_is_accepted(emu):
    tenant_id = emu.create("upper")["id"]
    found = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { id } }", {"id": tenant_id.upper()})
    assert found["tenant_by_pk"]["id"] == tenant_id


def test_defaults_and_generated_name(emu):
    created = emu.create()
    assert INVENTED_NAME_RE.match(created["name"])
    project = emu.data("{ projects { name plan_name tenant { slug } } }")["projects"][0]
    assert project == {"name": created["name"], "plan_name": "cloud_free", "tenant": {"slug": created["name"]}}


def test_generated_names_are_unique(emu):
    names = {emu.create()["name"] for _index in range(20)}
    assert len(names) == 20


def test_every_new_project_gets_a_generated_admin_secret(emu):
    first = emu.get_env(emu.create("one")["id"])["envVars"]["environment"]
    second = emu.get_env(emu.create("two")["id"])["envVars"]["environment"]
    assert set(first) == set(second) == {ADMIN_SECRET}
    assert isinstance(first[ADMIN_SECRET], str) and len(first[ADMIN_SECRET]) >= 32
    assert first[ADMIN_SECRET] != second[ADMIN_SECRET]


def test_create_seeds_env_and_keeps_a_given_admin_secret(emu):
    tenant_id = emu.create("seeded", envs=envs(A="1", B="two", HASURA_GRAPHQL_ADMIN_SECRET="mine"))["id"]
    env = emu.get_env(tenant_id)
    assert env["envVars"] == {"environment": {"A": "1", "B": "two", ADMIN_SECRET: "mine"}}
    assert env["hash"] == canonical_hash(env["envVars"]["environment"])


def test_create_envs_items_may_be_null(emu):
    # [UpdateEnvsObject]: the list and its items are nullable in the real schema.
    tenant_id = emu.create("nulls", envs=[None, {"key": "A", "value": "1"}])["id"]
    assert environment(emu, tenant_id) == {"A": "1"}
    assert environment(emu, emu.create("no-envs", envs=None)["id"]) == {}


def test_unknown_ids_read_as_null(emu):
    data = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { id } projects_by_pk(id: $id) { id }"
                    " config_by_pk(tenant_id: $id) { hash } custom_domain_by_pk(id: $id) { id } }",
                    {"id": UNKNOWN_ID})
    assert data == {"tenant_by_pk": None, "projects_by_pk": None, "config_by_pk": None, "custom_domain_by_pk": None}


def test_duplicate_name_is_constraint_violation(emu):
    emu.create("taken")
    body = emu.gql('mutation { createTenant(cloud: "aws", region: "us-east-1", name: "taken") { id } }')
    assert_error(body, "constraint-violation", "a project named taken already exists")
    assert len(emu.data("{ projects { id } }")["projects"]) == 1


@pytest.mark.parametrize("name", ["My-App", "-app", "app-", "my_app", "a" * 64, "", "app.x", "é"])
def test_bad_name_is_validation_failed(emu, name):
    body = emu.gql("mutation($n: String) { createTenant(cloud: \"aws\", region: \"us-east-1\", name: $n) { id } }",
                   {"n": name})
    assert_error(body, "validation-failed")
    assert emu.data("{ projects { id } }")["projects"] == []


@pytest.mark.parametrize("name", ["a", "a" * 63, "0-9", "my-app-2"])
def test_good_names_are_accepted(emu, name):
    assert emu.create(name)["name"] == name


@pytest.mark.parametrize("cloud,region", [
    ("azure", "us-east-1"), ("AWS", "us-east-1"), ("", "us-east-1"),  # no regions for these clouds
    ("aws", ""), ("aws", "mars-north-1"), ("gcp", "us-east-1"),        # no such region in the cloud
    ("aws", "sa-east-1"),                                              # an inactive region
])
def test_unavailable_cloud_or_region_is_validation_failed(emu, cloud, region):
    body = emu.gql("mutation($c: String!, $r: String!) { createTenant(cloud: $c, region: $r) { id } }",
                   {"c": cloud, "r": region})
    assert_error(body, "validation-failed")
    assert emu.data("{ projects { id } }")["projects"] == []


def test_dedicated_vpc_and_empty_plan_are_refused(emu):
    assert_error(emu.gql('mutation { createTenant(cloud: "aws", region: "us-east-1", dedicatedVPCID: "vpc-1") { id } }'),
                 "validation-failed")
    assert_error(emu.gql('mutation { createTenant(cloud: "aws", region: "us-east-1", plan: " ") { id } }'),
                 "validation-failed")
    emu.data('mutation { createTenant(cloud: "aws", region: "us-east-1", name: "heroku",'
             ' projectMetadata: {herokuAppName: "x"}) { id } }')


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


def test_ignore_create_name_at_run_time_and_the_rename_workaround(emu):
    assert emu.set_faults(ignore_create_name=True)["ignore_create_name"] is True
    created = emu.create("wanted")
    assert created["name"] != "wanted" and INVENTED_NAME_RE.match(created["name"])
    assert emu.health(created["name"]).status_code == 200
    # What public clients do about it: rename right after creating.
    renamed = emu.data(RENAME, {"id": created["id"], "name": "wanted"})["updateTenantName"]
    assert renamed["tenant"]["slug"] == "wanted"
    emu.set_faults(ignore_create_name=False)
    assert emu.create("kept")["name"] == "kept"


# --------------------------------------------------------------------------- env


def test_env_shape_and_hash(emu):
    tenant_id = emu.create("env-shape")["id"]
    first = emu.get_env(tenant_id)
    assert list(first["envVars"]) == ["environment"]
    assert first["hash"] == canonical_hash(first["envVars"]["environment"])
    assert re.fullmatch(r"[0-9a-f]{40}", first["hash"])

    body = update_env(emu, tenant_id, first["hash"], ZED="z", ALPHA="a b", N_1="ü")
    result = body["data"]["updateTenantEnv"]
    expected = {**first["envVars"]["environment"], "ZED": "z", "ALPHA": "a b", "N_1": "ü"}
    assert result["envVars"] == {"environment": expected}
    assert result["hash"] == canonical_hash(expected) != first["hash"]
    assert emu.get_env(tenant_id) == result


def test_flat_env_vars_at_run_time(emu):
    tenant_id = emu.create("flat", envs=envs(A="1"))["id"]
    nested = emu.get_env(tenant_id)
    emu.set_faults(flat_env_vars=True)
    flat = emu.get_env(tenant_id)
    assert flat["envVars"] == nested["envVars"]["environment"]
    assert flat["hash"] == nested["hash"]  # the same env, served in the other shape
    written = update_env(emu, tenant_id, flat["hash"], B="2")["data"]["updateTenantEnv"]
    assert written["envVars"]["B"] == "2" and "environment" not in written["envVars"]


def test_tenant_config_hash_is_the_env_hash(emu):
    tenant_id = emu.create("hashes")["id"]
    query = ("query($id: uuid!) { tenant_by_pk(id: $id) { config { hash tenant_id tenant { id } } }"
             " config_by_pk(tenant_id: $id) { hash } config { hash } getTenantEnv(tenantId: $id) { hash } }")
    for _round in range(2):
        data = emu.data(query, {"id": tenant_id})
        current = data["getTenantEnv"]["hash"]
        assert data["tenant_by_pk"]["config"] == {"hash": current, "tenant_id": tenant_id, "tenant": {"id": tenant_id}}
        assert data["config_by_pk"] == {"hash": current}
        assert data["config"] == [{"hash": current}]
        update_env(emu, tenant_id, current, ROUND="x")


def test_update_is_upsert_only(emu):
    tenant_id = emu.create("upsert", envs=envs(KEEP="k", CHANGE="old"))["id"]
    current = emu.get_env(tenant_id)["hash"]
    update_env(emu, tenant_id, current, CHANGE="new", ADD="a")
    assert environment(emu, tenant_id) == {"KEEP": "k", "CHANGE": "new", "ADD": "a"}


@pytest.mark.parametrize("document,extra", [
    (UPDATE_ENV, {"envs": []}),                        # no entries
    (UPDATE_ENV, {"envs": envs(A="1")}),                # the values it already has
    (DELETE_ENV, {"keys": ["NOPE"]}),                   # keys that do not exist
    (DELETE_ENV, {"keys": []}),
])
def test_a_write_that_changes_nothing_is_an_error(emu, document, extra):
    tenant_id = emu.create("noop", envs=envs(A="1"))["id"]
    before = emu.get_env(tenant_id)
    emu.set_faults(restart_delay=60)
    assert_error(emu.gql(document, {"id": tenant_id, "hash": before["hash"], **extra}),
                 "unexpected", "nothing changed in config")
    assert emu.get_env(tenant_id) == before
    assert emu.health("noop").status_code == 200  # nothing written, so no restart


def test_delete_env_removes_keys_and_ignores_unknown(emu):
    tenant_id = emu.create("del-keys", envs=envs(A="1", B="2", C="3"))["id"]
    current = emu.get_env(tenant_id)["hash"]
    body = emu.gql(DELETE_ENV, {"id": tenant_id, "hash": current, "keys": ["A", "C", "NOPE", ADMIN_SECRET]})
    result = body["data"]["deleteTenantEnv"]
    assert result["envVars"] == {"environment": {"B": "2"}}
    assert result["hash"] == canonical_hash({"B": "2"})
    assert emu.get_env(tenant_id) == result


@pytest.mark.parametrize("document,extra", [
    (UPDATE_ENV, {"envs": envs(A="changed")}),
    (DELETE_ENV, {"keys": ["A"]}),
])
def test_stale_hash_is_refused_and_writes_nothing(emu, document, extra):
    tenant_id = emu.create("stale", envs=envs(A="1"))["id"]
    old_hash = emu.get_env(tenant_id)["hash"]
    update_env(emu, tenant_id, old_hash, B="2")  # someone else writes
    before = emu.get_env(tenant_id)
    body = emu.gql(document, {"id": tenant_id, "hash": old_hash, **extra})
    error = assert_error(body, "unexpected")
    assert error["message"].startswith("config hash mismatch")
    assert old_hash in error["message"]
    assert emu.get_env(tenant_id) == before


@pytest.mark.parametrize("key", ["1ABC", "A-B", "A B", "", "ÄB"])
def test_bad_env_key_is_validation_failed(emu, key):
    tenant_id = emu.create("badkey")["id"]
    before = emu.get_env(tenant_id)
    body = emu.gql(UPDATE_ENV, {"id": tenant_id, "hash": before["hash"], "envs": [{"key": key, "value": "v"}]})
    assert_error(body, "validation-failed")
    body = emu.gql("mutation($e: [UpdateEnvsObject]) { createTenant(cloud: \"aws\", region: \"us-east-1\","
                   " envs: $e) { id } }", {"e": [{"key": key, "value": "v"}]})
    assert_error(body, "validation-failed")
    assert emu.get_env(tenant_id) == before
    assert len(emu.data("{ projects { id } }")["projects"]) == 1


# --------------------------------------------------------------------------- rename and delete


def test_rename_changes_name_slug_fqdn_and_endpoint(emu):
    tenant_id = emu.create("old-name")["id"]
    body = emu.data(RENAME, {"id": tenant_id, "name": "new-name"})["updateTenantName"]
    assert body == {"tenant_id": tenant_id,
                    "tenant": {"id": tenant_id, "slug": "new-name", "fqdn": "new-name.hasura.app",
                               "project": {"name": "new-name", "endpoint": f"{emu.base}/projects/new-name"}}}
    assert emu.health("old-name").status_code == 404
    assert emu.health("new-name").status_code == 200
    found = emu.data('{ tenant(where: {slug: {_eq: "new-name"}}) { id } }')["tenant"]
    assert found == [{"id": tenant_id}]
    # renaming to its own name is fine; to another project's name is not
    emu.data(RENAME, {"id": tenant_id, "name": "new-name"})
    emu.create("other")
    assert_error(emu.gql(RENAME, {"id": tenant_id, "name": "other"}), "constraint-violation",
                 "a project named other already exists")
    assert_error(emu.gql(RENAME, {"id": tenant_id, "name": "Bad_Name"}), "validation-failed")
    emu.create("old-name")  # the old name is free again


def test_delete_tenant_deletes_its_domains(emu):
    tenant_id = emu.create("doomed")["id"]
    add_domain(emu, tenant_id, "api.doomed.example.com")
    assert emu.data(DELETE_TENANT, {"id": tenant_id}) == {"deleteTenant": {"status": "deleted"}}
    assert emu.data("{ projects { id } custom_domain { id } }") == {"projects": [], "custom_domain": []}
    assert emu.health("doomed").status_code == 404
    assert_error(emu.gql(DELETE_TENANT, {"id": tenant_id}), "not-exists")
    again = emu.create("doomed")["id"]  # the name is free again, and so is the domain
    assert add_domain(emu, again, "api.doomed.example.com")["tenant_id"] == again


# --------------------------------------------------------------------------- the project's own endpoint


def test_healthz_delay_after_creation(start_emulator):
    emulator = start_emulator("--healthz-delay", "0.5")
    emulator.create("slow")
    assert emulator.health("slow").status_code == 503
    waited = wait_for_status(f"{emulator.base}/projects/slow/healthz", 200, timeout=3)
    assert 0.2 < waited < 2.5
    assert emulator.health("slow").text == "OK"
    assert emulator.health("nobody").status_code == 404


def test_healthz_delay_at_run_time(emu):
    emu.set_faults(healthz_delay=60)
    emu.create("starting")
    assert emu.health("starting").status_code == 503
    emu.set_faults(healthz_delay=0)  # readiness is computed from the creation time on every request
    assert emu.health("starting").status_code == 200


def test_restart_delay_after_every_env_change(emu):
    tenant_id = emu.create("restarts", envs=envs(A="1"))["id"]
    emu.set_faults(restart_delay=0.3)
    assert emu.health("restarts").status_code == 200  # creation is not an env change
    current = update_env(emu, tenant_id, emu.get_env(tenant_id)["hash"], A="2")["data"]["updateTenantEnv"]["hash"]
    assert emu.health("restarts").status_code == 503
    assert 0.1 < wait_for_status(f"{emu.base}/projects/restarts/healthz", 200, timeout=3) < 2
    emu.set_faults(restart_delay=60)
    emu.data(DELETE_ENV, {"id": tenant_id, "hash": current, "keys": ["A"]})
    assert emu.health("restarts").status_code == 503
    emu.set_faults(restart_delay=0)
    assert emu.health("restarts").status_code == 200


def test_project_version_route(emu):
    emu.create("versioned")
    response = emu.health("versioned", "v1/version")
    assert response.status_code == 200
    assert isinstance(response.json()["version"], str)
    assert emu.health("nobody", "v1/version").status_code == 404
    assert emu.health("versioned", "v1/graphql").status_code == 404  # not served
    assert requests.get(f"{emu.base}/projects/versioned", timeout=5).status_code == 404


# --------------------------------------------------------------------------- where


@pytest.fixture
def three(emu):
    """Projects alpha (aws, two domains), beta (gcp, cloud_payg), gamma (aws, one domain)."""
    ids = {
        "alpha": emu.create("alpha", region="us-east-1")["id"],
        "beta": emu.create("beta", cloud="gcp", region="europe-west1", plan="cloud_payg")["id"],
        "gamma": emu.create("gamma", region="eu-central-1")["id"],
    }
    for name, fqdn in (("alpha", "www.alpha.example.com"), ("alpha", "api.alpha.example.com"),
                       ("gamma", "gamma.example.org")):
        add_domain(emu, ids[name], fqdn)
    rows = emu.data("{ tenant { id slug created_at project { id name } } }")["tenant"]
    return {row["project"]["name"]: row for row in rows}


def project_names(emu: Emulator, where: dict) -> list[str]:
    rows = emu.data("query($w: projects_bool_exp) { projects(where: $w) { name } }", {"w": where})["projects"]
    return names_of(rows)


@pytest.mark.parametrize("comparison,expected", [
    ({"_eq": "beta"}, ["beta"]),
    ({"_neq": "beta"}, ["alpha", "gamma"]),
    ({"_gt": "beta"}, ["gamma"]),
    ({"_gte": "beta"}, ["beta", "gamma"]),
    ({"_lt": "beta"}, ["alpha"]),
    ({"_lte": "beta"}, ["alpha", "beta"]),
    ({"_in": ["alpha", "gamma", "zzz"]}, ["alpha", "gamma"]),
    ({"_in": []}, []),
    ({"_nin": ["alpha"]}, ["beta", "gamma"]),
    ({"_nin": []}, ["alpha", "beta", "gamma"]),
    ({"_like": "%mm%"}, ["gamma"]),
    ({"_like": "b_ta"}, ["beta"]),
    ({"_like": "B%"}, []),
    ({"_nlike": "%mm%"}, ["alpha", "beta"]),
    ({"_ilike": "ALP%"}, ["alpha"]),
    ({"_nilike": "ALP%"}, ["beta", "gamma"]),
    ({"_similar": "(alpha|beta)"}, ["alpha", "beta"]),
    ({"_nsimilar": "(alpha|beta)"}, ["gamma"]),
    ({"_regex": "^g"}, ["gamma"]),
    ({"_nregex": "^g"}, ["alpha", "beta"]),
    ({"_iregex": "^B"}, ["beta"]),
    ({"_niregex": "^B"}, ["alpha", "gamma"]),
    ({"_is_null": True}, []),
    ({"_is_null": False}, ["alpha", "beta", "gamma"]),
    ({"_gt": "alpha", "_lt": "gamma"}, ["beta"]),  # several operators: all must hold
    ({}, ["alpha", "beta", "gamma"]),
])
def test_string_comparisons(emu, three, comparison, expected):
    assert project_names(emu, {"name": comparison}) == expected


@pytest.mark.parametrize("where,expected", [
    ({}, ["alpha", "beta", "gamma"]),
    ({"_and": []}, ["alpha", "beta", "gamma"]),
    ({"_or": []}, []),  # Hasura folds _or with FALSE
    ({"_or": [{"name": {"_eq": "alpha"}}, {"name": {"_eq": "gamma"}}]}, ["alpha", "gamma"]),
    ({"_and": [{"name": {"_neq": "alpha"}}, {"name": {"_neq": "gamma"}}]}, ["beta"]),
    ({"_not": {"name": {"_eq": "beta"}}}, ["alpha", "gamma"]),
    ({"_not": {"_or": [{"name": {"_eq": "alpha"}}, {"plan_name": {"_eq": "cloud_payg"}}]}}, ["gamma"]),
    ({"plan_name": {"_eq": "cloud_free"}, "name": {"_neq": "alpha"}}, ["gamma"]),  # members are and-ed
    ({"endpoint": {"_like": "%/projects/beta"}}, ["beta"]),
])
def test_boolean_combinations(emu, three, where, expected):
    assert project_names(emu, where) == expected


@pytest.mark.parametrize("where", [
    {"name": {"_eq": None}},
    {"name": {"_in": None}},
    {"name": {"_is_null": None}},
    {"tenant": {"id": {"_neq": None}}},
])
def test_null_comparison_operand_is_refused(emu, three, where):
    body = emu.gql("query($w: projects_bool_exp) { projects(where: $w) { name } }", {"w": where})
    assert_error(body, "validation-failed")


def test_uuid_boolean_and_timestamp_comparisons(emu, three):
    alpha, beta, gamma = three["alpha"], three["beta"], three["gamma"]
    query = "query($w: tenant_bool_exp) { tenant(where: $w) { project { name } } }"

    def tenants(where: dict) -> list[str]:
        return names_of(emu.data(query, {"w": where})["tenant"])

    assert tenants({"id": {"_eq": beta["id"]}}) == ["beta"]
    assert tenants({"id": {"_neq": beta["id"]}}) == ["alpha", "gamma"]
    assert tenants({"id": {"_in": [alpha["id"], gamma["id"]]}}) == ["alpha", "gamma"]
    assert tenants({"id": {"_nin": [alpha["id"]]}}) == ["beta", "gamma"]
    assert tenants({"id": {"_is_null": False}}) == ["alpha", "beta", "gamma"]
    lowest = min(row["id"] for row in three.values())
    assert len(tenants({"id": {"_gt": lowest}})) == 2 and len(tenants({"id": {"_gte": lowest}})) == 3
    assert len(tenants({"id": {"_lte": lowest}})) == 1 and tenants({"id": {"_lt": lowest}}) == []
    assert tenants({"project_id": {"_eq": gamma["project"]["id"]}}) == ["gamma"]
    assert tenants({"active": {"_eq": True}}) == ["alpha", "beta", "gamma"]
    assert tenants({"active": {"_neq": True}}) == []
    assert tenants({"created_at": {"_gte": alpha["created_at"]}}) == ["alpha", "beta", "gamma"]
    assert tenants({"created_at": {"_gt": beta["created_at"]}}) == ["gamma"]
    assert tenants({"created_at": {"_lt": beta["created_at"]}}) == ["alpha"]
    assert tenants({"created_at": {"_in": [beta["created_at"]]}}) == ["beta"]
    assert tenants({"fqdn": {"_eq": "gamma.hasura.app"}}) == ["gamma"]
    assert tenants({"cloud": {"_eq": "gcp"}}) == ["beta"]  # tenant.cloud is a String
    regions = emu.data("{ inactive: region(where: {is_active: {_eq: false}}) { name }"
                       " no_nat: region(where: {nat_ip: {_is_null: true}}) { name }"
                       " listed: region(where: {is_active: {_in: [false]}}) { name } }")
    assert regions == {"inactive": [{"name": "sa-east-1"}], "no_nat": [{"name": "ap-southeast-1"}],
                       "listed": [{"name": "sa-east-1"}]}


def test_cloud_enum_comparisons(emu):
    data = emu.data("query($c: cloud_enum!) { eq: region(where: {cloud: {_eq: gcp}}) { cloud }"
                    " var: region(where: {cloud: {_eq: $c}}) { cloud }"
                    " nin: region(where: {cloud: {_nin: [aws]}}) { cloud }"
                    " neq: region(where: {cloud: {_neq: aws}}) { cloud }"
                    " in: region(where: {cloud: {_in: [gcp, azure]}}) { cloud }"
                    " az: region(where: {cloud: {_eq: azure}}) { cloud } }", {"c": "gcp"})
    assert data["eq"] == data["var"] == data["nin"] == data["neq"] == data["in"] == [{"cloud": "gcp"}] * 3
    assert data["az"] == []
    assert_error(emu.gql("query($c: String!) { region(where: {cloud: {_eq: $c}}) { name } }", {"c": "gcp"}),
                 "validation-failed")


def test_relationship_filters_in_both_directions(emu, three):
    assert project_names(emu, {"tenant": {"cloud": {"_eq": "gcp"}}}) == ["beta"]          # project -> tenant
    assert project_names(emu, {"tenant": {"slug": {"_eq": "gamma"}}}) == ["gamma"]
    assert project_names(emu, {"tenant": {"custom_domains": {}}}) == ["alpha", "gamma"]   # {}: some domain exists
    assert project_names(emu, {"tenant": {"custom_domains": {"fqdn": {"_like": "api.%"}}}}) == ["alpha"]
    assert project_names(emu, {"tenant": {"region_info": {"cloud": {"_eq": "gcp"}}}}) == ["beta"]
    rows = emu.data('{ tenant(where: {project: {plan_name: {_eq: "cloud_payg"}}}) { project { name } } }')
    assert names_of(rows["tenant"]) == ["beta"]                                           # tenant -> project
    rows = emu.data('{ tenant(where: {custom_domains: {fqdn: {_like: "%.example.org"}}}) { slug } }')
    assert rows["tenant"] == [{"slug": "gamma"}]                                          # tenant -> domains
    rows = emu.data('{ custom_domain(where: {tenant: {project: {name: {_eq: "alpha"}}}}) { fqdn } }')
    fqdns = sorted(row["fqdn"] for row in rows["custom_domain"])
    assert fqdns == ["api.alpha.example.com", "www.alpha.example.com"]                   # domain -> tenant
    hash_of_beta = emu.get_env(three["beta"]["id"])["hash"]
    rows = emu.data('{ config(where: {tenant: {project: {name: {_eq: "beta"}}}}) { hash tenant_id } }')
    assert rows["config"] == [{"hash": hash_of_beta, "tenant_id": three["beta"]["id"]}]   # config -> tenant
    rows = emu.data("query($h: String!) { tenant(where: {config: {hash: {_eq: $h}}}) { slug } }", {"h": hash_of_beta})
    assert rows["tenant"] == [{"slug": "beta"}]  # tenant -> config (each env differs by its generated admin secret)


def test_where_on_array_relationship_arguments(emu, three):
    data = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) {"
                    " all: custom_domains(order_by: {fqdn: asc}) { fqdn }"
                    ' www: custom_domains(where: {fqdn: {_like: "www.%"}}) { fqdn }'
                    " last: custom_domains(order_by: {fqdn: desc}, limit: 1) { fqdn }"
                    " second: custom_domains(order_by: {fqdn: asc}, offset: 1) { fqdn } } }",
                    {"id": three["alpha"]["id"]})["tenant_by_pk"]
    assert data == {"all": [{"fqdn": "api.alpha.example.com"}, {"fqdn": "www.alpha.example.com"}],
                    "www": [{"fqdn": "www.alpha.example.com"}], "last": [{"fqdn": "www.alpha.example.com"}],
                    "second": [{"fqdn": "www.alpha.example.com"}]}


# --------------------------------------------------------------------------- order_by, distinct_on, limit, offset


@pytest.mark.parametrize("direction,position", [
    ("asc", -1), ("asc_nulls_last", -1), ("asc_nulls_first", 0),
    ("desc", 0), ("desc_nulls_first", 0), ("desc_nulls_last", -1),
])
def test_order_by_places_nulls(emu, direction, position):
    rows = emu.data("{ region(order_by: {nat_ip: %s}) { nat_ip } }" % direction)["region"]
    addresses = [row["nat_ip"] for row in rows]
    assert addresses[position] is None and addresses.count(None) == 1
    values = [address for address in addresses if address is not None]
    assert values == sorted(values, reverse=direction.startswith("desc"))


def test_order_by_columns_lists_and_relationships(emu, three):
    def names(query: str, root: str) -> list[str]:
        rows = emu.data(query)[root]
        return [row["name"] if "name" in row else row["project"]["name"] for row in rows]

    assert names("{ projects(order_by: {name: desc}) { name } }", "projects") == ["gamma", "beta", "alpha"]
    assert names("{ projects(order_by: {tenant: {region: asc}}) { name } }", "projects") == ["gamma", "beta", "alpha"]
    assert names("{ tenant(order_by: {project: {name: desc}}) { project { name } } }", "tenant") == ["gamma", "beta", "alpha"]
    assert names("{ tenant(order_by: [{cloud: asc}, {slug: desc}]) { project { name } } }", "tenant") == ["gamma", "alpha", "beta"]
    assert names("{ tenant(order_by: {region_info: {nat_ip: desc}}) { project { name } } }", "tenant") == ["beta", "gamma", "alpha"]
    rows = emu.data("{ custom_domain(order_by: [{tenant: {project: {name: desc}}}, {fqdn: asc}]) { fqdn } }")
    assert [row["fqdn"] for row in rows["custom_domain"]] == ["gamma.example.org", "api.alpha.example.com",
                                                              "www.alpha.example.com"]
    rows = emu.data("{ region(order_by: [{cloud: desc}, {name: asc}], limit: 2) { cloud name } }")["region"]
    assert rows == [{"cloud": "gcp", "name": "asia-south1"}, {"cloud": "gcp", "name": "europe-west1"}]


def test_distinct_on(emu):
    rows = emu.data("{ region(distinct_on: [cloud], order_by: [{cloud: asc}, {name: asc}]) { cloud name } }")["region"]
    assert rows == [{"cloud": "aws", "name": "ap-south-1"}, {"cloud": "gcp", "name": "asia-south1"}]
    rows = emu.data("{ region(distinct_on: [cloud]) { cloud name } }")["region"]  # no order_by: the first of each
    assert rows == [{"cloud": "aws", "name": "us-east-1"}, {"cloud": "gcp", "name": "us-central1"}]
    rows = emu.data("{ region(distinct_on: [cloud, is_active], order_by: [{is_active: asc}, {cloud: asc}]) { name } }")
    assert len(rows["region"]) == 3
    for refused in ("{ region(distinct_on: [cloud], order_by: {name: asc}) { name } }",
                    "{ region(distinct_on: [cloud, name], order_by: {cloud: asc}) { name } }",
                    "{ tenant(distinct_on: [cloud], order_by: {project: {name: asc}}) { id } }"):
        error = assert_error(emu.gql(refused), "validation-failed")
        assert error["message"] == '"distinct_on" columns must match initial "order_by" columns'


def test_limit_and_offset(emu, three):
    def names(arguments: str) -> list[str]:
        return [row["name"] for row in emu.data("{ projects(%s) { name } }" % arguments)["projects"]]

    assert names("order_by: {name: asc}, limit: 2, offset: 1") == ["beta", "gamma"]
    assert names("order_by: {name: asc}, limit: 1") == ["alpha"]
    assert names("order_by: {name: asc}, offset: 2") == ["gamma"]
    assert names("limit: 0") == [] and names("offset: 5") == []
    for refused in ("limit: -1", "offset: -1"):
        assert_error(emu.gql("{ projects(%s) { name } }" % refused), "validation-failed")
    assert_error(emu.gql('{ projects(limit: "2") { name } }'), "validation-failed")


# --------------------------------------------------------------------------- regions


def test_gateway_ips_and_regions(emu):
    rows = emu.data(GATEWAY_IPS)["region"]
    addresses = [row["nat_ip"] for row in rows]
    assert addresses and all(isinstance(address, str) and address for address in addresses)
    every = emu.data("{ region { cloud name is_active nat_ip nat_ips first: nat_ips(path: \"$[0]\") } }")["region"]
    expected = [row["nat_ip"] for row in every if row["is_active"] and row["nat_ip"] is not None]
    assert addresses == expected and len(expected) < len(every)
    for row in every:
        assert row["nat_ips"] == ([row["nat_ip"]] if row["nat_ip"] else [])
        assert row["first"] == row["nat_ip"]
    assert {row["cloud"] for row in every} == {"aws", "gcp"}
    found = emu.data('{ region_by_pk(cloud: gcp, name: "us-central1") { name is_active }'
                     ' missing: region_by_pk(cloud: aws, name: "us-central1") { name } }')
    assert found == {"region_by_pk": {"name": "us-central1", "is_active": True}, "missing": None}
    tenant_region = emu.data("query($id: uuid!) { tenant_by_pk(id: $id) { region_info { name cloud } } }",
                             {"id": emu.create("placed", cloud="gcp", region="asia-south1")["id"]})
    assert tenant_region["tenant_by_pk"]["region_info"] == {"name": "asia-south1", "cloud": "gcp"}


# --------------------------------------------------------------------------- custom domains


def test_custom_domain_lifecycle(emu):
    tenant_id = emu.create("shop")["id"]
    emu.set_faults(dns_delay=60)
    domain = add_domain(emu, tenant_id, "api.shop.example.com")
    assert str(uuid.UUID(domain["id"])) == domain["id"]
    assert domain == {"id": domain["id"], "fqdn": "api.shop.example.com", "tenant_id": tenant_id,
                      "cert": "letsencrypt", "dns_validation": "pending", "ssl_status": None,
                      "tenant": {"slug": "shop"}}
    read = emu.data("query($t: uuid!, $d: uuid!) { tenant_by_pk(id: $t) { custom_domains { id fqdn } }"
                    " custom_domain_by_pk(id: $d) { fqdn dns_validation } }", {"t": tenant_id, "d": domain["id"]})
    assert read == {"tenant_by_pk": {"custom_domains": [{"id": domain["id"], "fqdn": "api.shop.example.com"}]},
                    "custom_domain_by_pk": {"fqdn": "api.shop.example.com", "dns_validation": "pending"}}
    emu.set_faults(dns_delay=0)  # the validation is computed from the time the domain was added
    assert emu.data("{ custom_domain { dns_validation ssl_status } }")["custom_domain"] == [
        {"dns_validation": "succeeded", "ssl_status": "active"}]

    deleted = emu.data("mutation($d: uuid!) { delete_custom_domain_by_pk(id: $d) { id fqdn } }", {"d": domain["id"]})
    assert deleted == {"delete_custom_domain_by_pk": {"id": domain["id"], "fqdn": "api.shop.example.com"}}
    again = emu.data("mutation($d: uuid!) { delete_custom_domain_by_pk(id: $d) { id } }", {"d": domain["id"]})
    assert again == {"delete_custom_domain_by_pk": None}
    assert emu.data("{ custom_domain { id } }")["custom_domain"] == []


def test_dns_validation_control_endpoint(emu):
    tenant_id = emu.create("dns")["id"]
    emu.set_faults(dns_delay=60)
    add_domain(emu, tenant_id, "a.dns.example.com")
    query = '{ custom_domain(where: {fqdn: {_eq: "a.dns.example.com"}}) { dns_validation } }'
    for value in ("succeeded", "failed", "pending"):
        assert emu.set_dns("a.dns.example.com", value) == {"fqdn": "a.dns.example.com", "dns_validation": value}
        assert emu.data(query)["custom_domain"] == [{"dns_validation": value}]
    emu.set_dns("a.dns.example.com", None)  # back to the timer
    emu.set_faults(dns_delay=0)
    assert emu.data(query)["custom_domain"] == [{"dns_validation": "succeeded"}]
    for body, status in (({"fqdn": "b.dns.example.com", "dns_validation": "failed"}, 404),
                         ({"fqdn": "a.dns.example.com", "dns_validation": "valid"}, 400),
                         ({"fqdn": "a.dns.example.com"}, 400),
                         ({"fqdn": "a.dns.example.com", "dns_validation": "failed", "extra": 1}, 400)):
        assert requests.post(f"{emu.base}/_emulator/dns", json=body, timeout=5).status_code == status, body


def test_custom_domain_is_unique_across_projects(emu):
    first, second = emu.create("first")["id"], emu.create("second")["id"]
    add_domain(emu, first, "shared.example.com")
    error = assert_error(emu.gql(ADD_DOMAIN, {"t": second, "fqdn": "shared.example.com"}), "constraint-violation")
    assert error["message"].startswith("Uniqueness violation") and "custom_domain_fqdn_key" in error["message"]
    # on_conflict do nothing: no error, null, nothing changed
    assert emu.data(ADD_DOMAIN_OR_NOTHING, {"t": second, "fqdn": "shared.example.com"}) == {"insert_custom_domain_one": None}
    rows = emu.data("{ custom_domain { fqdn tenant_id } }")["custom_domain"]
    assert rows == [{"fqdn": "shared.example.com", "tenant_id": first}]
    # on_conflict on another constraint does not cover the fqdn; an upsert is not served
    for on_conflict in ("{constraint: custom_domain_pkey}", "{constraint: custom_domain_fqdn_key, update_columns: [cert]}"):
        body = emu.gql("mutation($t: uuid!) { insert_custom_domain_one(object: {fqdn: \"shared.example.com\", tenant_id: $t},"
                       " on_conflict: %s) { id } }" % on_conflict, {"t": second})
        assert_error(body, "constraint-violation")
    inserted = emu.data(ADD_DOMAIN_OR_NOTHING, {"t": second, "fqdn": "other.example.com"})["insert_custom_domain_one"]
    assert inserted["id"]


@pytest.mark.parametrize("obj,code", [
    ({"fqdn": "Not A Name"}, "validation-failed"),
    ({"fqdn": "nodot"}, "validation-failed"),
    ({"fqdn": "x.example.com", "tenant_id": UNKNOWN_ID}, "constraint-violation"),
    ({"tenant_id": None}, "constraint-violation"),
    ({"fqdn": "x.example.com", "tenant_id": None}, "constraint-violation"),
])
def test_bad_custom_domain_inserts(emu, obj, code):
    tenant_id = emu.create("bad-domains")["id"]
    obj = {"tenant_id": tenant_id, **obj}
    body = emu.gql("mutation($o: custom_domain_insert_input!) { insert_custom_domain_one(object: $o) { id } }", {"o": obj})
    assert_error(body, code)
    assert emu.data("{ custom_domain { id } }")["custom_domain"] == []


def test_delete_custom_domains_by_where_and_bulk_insert(emu):
    tenant_id = emu.create("bulk")["id"]
    inserted = emu.data("mutation($t: uuid!) { insert_custom_domain(objects: [{fqdn: \"a.bulk.example.com\", tenant_id: $t},"
                        " {fqdn: \"b.bulk.example.com\", tenant_id: $t}, {fqdn: \"c.bulk.example.org\", tenant_id: $t}])"
                        " { affected_rows returning { fqdn } } }", {"t": tenant_id})["insert_custom_domain"]
    assert inserted["affected_rows"] == 3
    deleted = emu.data('mutation { delete_custom_domain(where: {fqdn: {_like: "%.example.com"}}) {'
                       ' affected_rows returning { fqdn } } }')["delete_custom_domain"]
    assert deleted == {"affected_rows": 2, "returning": [{"fqdn": "a.bulk.example.com"}, {"fqdn": "b.bulk.example.com"}]}
    none = emu.data('mutation { delete_custom_domain(where: {fqdn: {_eq: "zzz.example.com"}}) { affected_rows } }')
    assert none == {"delete_custom_domain": {"affected_rows": 0}}
    assert_error(emu.gql("mutation { delete_custom_domain { affected_rows } }"), "validation-failed")  # where is required
    assert [row["fqdn"] for row in emu.data("{ custom_domain { fqdn } }")["custom_domain"]] == ["c.bulk.example.org"]


def test_a_failed_mutation_document_stops_and_rolls_back_table_writes(emu):
    tenant_id = emu.create("atomic")["id"]
    # insert_custom_domain is one statement: a duplicate inside it inserts nothing
    body = emu.gql("mutation($t: uuid!) { insert_custom_domain(objects: [{fqdn: \"x.atomic.example.com\", tenant_id: $t},"
                   " {fqdn: \"x.atomic.example.com\", tenant_id: $t}]) { affected_rows } }", {"t": tenant_id})
    assert_error(body, "constraint-violation")
    # several root fields: the first failure stops the document; table writes before it are undone
    add_domain(emu, tenant_id, "taken.atomic.example.com")
    body = emu.gql("mutation($t: uuid!) {"
                   " a: insert_custom_domain_one(object: {fqdn: \"new.atomic.example.com\", tenant_id: $t}) { id }"
                   " b: insert_custom_domain_one(object: {fqdn: \"taken.atomic.example.com\", tenant_id: $t}) { id }"
                   " c: deleteTenant(tenantId: $t) { status } }", {"t": tenant_id})
    error = assert_error(body, "constraint-violation")
    assert "custom_domain_fqdn_key" in error["message"]
    data = emu.data("{ custom_domain { fqdn } projects { name } }")
    assert data == {"custom_domain": [{"fqdn": "taken.atomic.example.com"}], "projects": [{"name": "atomic"}]}


# --------------------------------------------------------------------------- documents


def test_operation_name_and_several_root_fields(emu):
    tenant_id = emu.create("multi", envs=envs(A="1"))["id"]
    env = emu.get_env(tenant_id)
    document = """
        query First($id: uuid!) { one: getTenantEnv(tenantId: $id) { hash }
                                  two: getTenantEnv(tenantId: $id) { envVars }
                                  projects { name } }
        query Second { tenant { id } }
    """
    emu.reset()
    response = emu.post({"query": document, "variables": {"id": tenant_id}, "operationName": "First"})
    data = response.json()["data"]
    assert data["one"]["hash"] == env["hash"]
    assert data["two"]["envVars"] == env["envVars"]
    assert data["projects"] == [{"name": "multi"}]
    second = emu.post({"query": document, "operationName": "Second"}).json()["data"]
    assert second == {"tenant": [{"id": tenant_id}]}
    # two operations and no operationName: validation-failed
    assert_error(emu.post({"query": document}).json(), "validation-failed")
    assert emu.stats()["operations"] == {"getTenantEnv": 2, "projects": 1, "tenant": 1}


def test_fragments_aliases_and_typename_are_supported(emu):
    emu.create("frag")
    body = emu.data("fragment P on projects { name } { list: projects { ...P __typename } }")
    assert body == {"list": [{"name": "frag", "__typename": "projects"}]}


def test_string_literals_for_uuid_arguments(emu):
    # Several public clients inline ids and hashes into the document (fmt.Sprintf, templates).
    tenant_id = emu.create("inline", envs=envs(A="1"))["id"]
    current = emu.get_env(tenant_id)["hash"]
    body = emu.data('mutation { updateTenantEnv(tenantId: "%s", currentHash: "%s",'
                    ' envs: [{key:"B",value:"2"},], ) { hash } }' % (tenant_id, current))
    assert body["updateTenantEnv"]["hash"] != current


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
                           "faults": {"429": 0, "502": 0, "503": 0, "dropped": 0, "lost_answers": 0},
                           "metadata": {"conflicts": 0, "requests": 0, "types": {}, "writes": 0}}
    assert len(emu.data("{ projects { id } }")["projects"]) == 1  # state kept

    add_domain(emu, tenant_id, "counted.example.com")
    emu.reset(state=True)
    assert emu.data("{ projects { id } custom_domain { id } }") == {"projects": [], "custom_domain": []}


def test_failed_mutation_still_counts_as_mutation(emu):
    emu.gql(UPDATE_ENV, {"id": UNKNOWN_ID, "hash": "x", "envs": []})
    stats = emu.stats()
    assert stats["mutations"] == 1
    assert stats["operations"] == {"updateTenantEnv": 1}


def test_control_endpoints_reject_bad_bodies(emu):
    for path in ("/_emulator/reset", "/_emulator/faults", "/_emulator/dns"):
        response = requests.post(emu.base + path, data=b"[1]", timeout=5)
        assert response.status_code == 400
    assert requests.get(emu.base + "/nowhere", timeout=5).status_code == 404
    assert requests.post(emu.base + "/nowhere", timeout=5).status_code == 404


# --------------------------------------------------------------------------- start-up flags


def test_behaviour_flags_at_start_up(start_emulator):
    emulator = start_emulator("--ignore-create-name", "--flat-env-vars", "--auth-error", "invalid-jwt",
                              "--restart-delay", "0.3", "--dns-delay", "0.3")
    settings = emulator.set_faults()
    assert (settings["ignore_create_name"], settings["flat_env_vars"], settings["auth_error"],
            settings["restart_delay"], settings["dns_delay"]) == (True, True, "invalid-jwt", 0.3, 0.3)
    created = emulator.create("wanted")
    assert created["name"] != "wanted" and INVENTED_NAME_RE.match(created["name"])
    env = emulator.get_env(created["id"])
    assert set(env["envVars"]) == {ADMIN_SECRET}  # flat: no "environment" level
    assert_error(post_without_token(emulator, "pat wrong").json(), "invalid-jwt")

    update_env(emulator, created["id"], env["hash"], A="1")
    domain = add_domain(emulator, created["id"], "flags.example.com")
    assert domain["dns_validation"] == "pending"
    assert emulator.health(created["name"]).status_code == 503  # restarting after the env change
    assert 0.1 < wait_for_status(f"{emulator.base}/projects/{created['name']}/healthz", 200, timeout=3) < 2
    time.sleep(0.1)
    assert emulator.data("{ custom_domain { dns_validation } }")["custom_domain"] == [{"dns_validation": "succeeded"}]


# --------------------------------------------------------------------------- state file


def test_state_file_survives_restart(start_emulator, tmp_path):
    state_file = tmp_path / "state.json"
    first = start_emulator("--state-file", str(state_file), "--healthz-delay", "60")
    tenant_id = first.create("persisted", envs=envs(A="1"), plan="cloud_payg")["id"]
    current = first.get_env(tenant_id)["hash"]
    update_env(first, tenant_id, current, B="2")
    first.data(RENAME, {"id": tenant_id, "name": "persisted-2"})
    add_domain(first, tenant_id, "persisted.example.com")
    add_domain(first, tenant_id, "validated.example.com")
    first.set_dns("validated.example.com", "failed")
    query = "{ tenant { %s custom_domains { id fqdn dns_validation created_at } } }" % TENANT_FIELDS
    before = first.data(query)["tenant"]
    env_before = first.get_env(tenant_id)
    assert first.stop() == 0

    stored = json.loads(state_file.read_text())  # valid JSON on disk
    assert stored["version"] == 2
    assert [t["id"] for t in stored["tenants"]] == [tenant_id]
    assert sorted(d["fqdn"] for d in stored["custom_domains"]) == ["persisted.example.com", "validated.example.com"]
    assert os.listdir(tmp_path) == ["state.json"]  # no temp files left

    second = start_emulator("--state-file", str(state_file), "--healthz-delay", "60")
    after = second.data(query)["tenant"]
    # everything but the port-dependent endpoint is identical
    for row in before + after:
        row["project"].pop("endpoint")
    assert after == before
    assert second.get_env(tenant_id) == env_before
    # readiness is based on the stored wall-clock creation time: still not ready
    assert second.health("persisted-2").status_code == 503
    assert second.health("persisted").status_code == 404  # the slug followed the rename
    second.set_faults(healthz_delay=0)
    assert second.health("persisted-2").status_code == 200

    second.gql(DELETE_TENANT, {"id": tenant_id})
    assert json.loads(state_file.read_text())["custom_domains"] == []
    second.reset(state=True)
    assert json.loads(state_file.read_text())["tenants"] == []
    assert os.listdir(tmp_path) == ["state.json"]


def test_state_file_is_written_after_each_mutation_only(start_emulator, tmp_path):
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
    assert stored["tenants"][0]["env"]["K"] == "v"
    mtime = state_file.stat().st_mtime_ns
    emulator.gql(UPDATE_ENV, {"id": tenant_id, "hash": "stale", "envs": envs(K="w")})  # refused: not written
    assert state_file.stat().st_mtime_ns == mtime


def test_state_file_of_another_version_is_not_read(start_emulator, tmp_path):
    state_file = tmp_path / "old.json"
    state_file.write_text(json.dumps({"version": 1, "tenants": [{"id": UNKNOWN_ID}]}))
    emulator = start_emulator("--state-file", str(state_file))
    assert emulator.data("{ tenant { id } }")["tenant"] == []


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
def test_error_statuses(emu, status):
    emu.set_faults(error_rate=1, error_statuses=[status], retry_after=7)
    response = emu.post({"query": 'mutation { createTenant(cloud: "aws", region: "us-east-1",'
                                  ' name: "never") { id } }'})
    assert response.status_code == status
    assert str(status) in response.text
    with pytest.raises(ValueError):
        response.json()
    if status == 429:
        assert response.headers["Retry-After"] == "7"
    else:
        assert "Retry-After" not in response.headers
    stats = emu.stats()
    assert stats["faults"][str(status)] == 1
    assert stats["requests"] == 1
    assert stats["operations"] == {} and stats["mutations"] == 0
    emu.set_faults(error_rate=0)
    assert emu.data("{ projects { id } }")["projects"] == []  # nothing was applied


def test_error_flags_at_start_up(start_emulator):
    emulator = start_emulator("--error-rate", "1", "--error-statuses", "429", "--retry-after", "7")
    response = emulator.post({"query": "{ projects { id } }"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")


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
        emulator.post({"query": 'mutation { createTenant(cloud: "aws", region: "us-east-1",'
                                ' name: "dropped") { id } }'})
    stats = emulator.stats()  # control endpoints are never dropped
    assert stats["faults"]["dropped"] == 1
    assert stats["requests"] == 1 and stats["mutations"] == 0
    assert emulator.health("x").status_code == 404
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
    assert names_of(emulator.data("{ projects { name } }")["projects"]) == ["answered", "lost-1", "lost-2"]
    assert len(json.loads(state_file.read_text())["tenants"]) == 3  # committed to disk too

    current = emulator.get_env(tenant_id)["hash"]
    with pytest.raises(requests.ConnectionError):
        update_env(emulator, tenant_id, current, A="1")
    assert environment(emulator, tenant_id) == {"A": "1"}
    stats = emulator.stats()
    assert stats["faults"]["lost_answers"] == 3
    assert stats["mutations"] == 4
    assert emulator.set_faults()["lose_answer"] == {}


def test_seed_makes_faults_deterministic(emu):
    def sequence(seed: int) -> list[int]:
        emu.set_faults(error_rate=0.5, seed=seed)  # a seed given at run time restarts the sequence
        return [emu.post({"query": "{ projects { id } }"}).status_code for _request in range(40)]

    first, second, other = sequence(42), sequence(42), sequence(43)
    assert first == second
    assert 200 in first and set(first) - {200}
    assert first != other


def test_runtime_faults_endpoint(emu):
    defaults = requests.get(f"{emu.base}/_emulator/faults", timeout=5).json()
    assert defaults == {"latency_ms": 0.0, "error_rate": 0.0, "error_statuses": [429, 502, 503],
                        "retry_after": 1, "drop_rate": 0.0, "lose_answer": {}, "healthz_delay": 0.0,
                        "restart_delay": 0.0, "dns_delay": 0.0, "ignore_create_name": False,
                        "flat_env_vars": False, "auth_error": "access-denied", "metadata_race": 0, "seed": None}
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
                {"lose_answer": {"createTenant": -1}}, {"bogus": 1}, {"seed": "s"},
                {"restart_delay": -1}, {"dns_delay": "1"}, {"ignore_create_name": 1},
                {"flat_env_vars": "yes"}, {"auth_error": "401"}, {"healthz_delay": True}):
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
    assert endpoint == emulator.base + "/projects/secure" and endpoint.startswith("https://")
    current = emulator.get_env(tenant_id)["hash"]
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(emulator.url, json={"query": "{ projects { id } }"}, timeout=5)
    plain = emulator.url.replace("https://", "http://")
    with pytest.raises(requests.ConnectionError):
        requests.post(plain, json={"query": "{ projects { id } }"}, timeout=5)
    # the server survived the bad handshakes
    assert emulator.get_env(tenant_id)["hash"] == current


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
        assert assert_error(loser, "unexpected")["message"].startswith("config hash mismatch")
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
                assert body["errors"][0]["message"].startswith("config hash mismatch")
                conflicts[index] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = {f"W{i}_{n}": str(n) for i in range(workers) for n in range(keys_each)}
    assert environment(emu, tenant_id) == expected
    assert emu.stats()["operations"]["updateTenantEnv"] == workers * keys_each + sum(conflicts)
