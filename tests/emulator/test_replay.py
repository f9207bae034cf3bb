# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Replay of the GraphQL documents that public clients of Hasura Cloud send.

``replay/clients.json`` holds the documents verbatim with their source, and for each client
a flow: the documents in the client's order, the variables filled from earlier answers,
placeholder ids and hashes inlined in a document replaced by the real ones, and checks of
what the client reads from each answer (its ``about`` key describes the format). Each
client replays against a fresh emulator state, under its own run-time settings.

Expected failures are asserted as failures (they show the emulator is strict); documents
out of the emulator's scope are skipped by design, each with its reason in the data file.
The totals over attributed clients are asserted at the end.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid

import pytest
import requests

from emulator_process import DEFAULT_SETTINGS

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS_JSON = os.path.join(HERE, "replay", "clients.json")
MIN_ATTRIBUTED_DOCUMENTS = 25
MIN_ATTRIBUTED_CLIENTS = 5
STATUSES = ("passes", "expected_failure", "skipped_by_design")
SETUP_CREATE = (
    "mutation($name: String!, $envs: [UpdateEnvsObject]) { createTenant(cloud: \"aws\", region: \"us-east-2\","
    " name: $name, envs: $envs) { id name tenant { id slug project { id name endpoint } } } }"
)
TEMPLATE_RE = re.compile(r"\{([a-z_]+)\}")
SEGMENT_RE = re.compile(r"^([^\[\]]+)(?:\[([^\]]*)\])?$")


def load_clients() -> list[dict]:
    with open(CLIENTS_JSON, encoding="utf-8") as handle:
        return json.load(handle)["clients"]


CLIENTS = load_clients()


class Missing(Exception):
    """A path of a check or a save does not resolve in the answer."""


# --------------------------------------------------------------------------- values of the flow


def fill(value, context: dict):
    """Replace '{name}' by saved values: a whole-string template keeps the value's type."""
    if isinstance(value, str):
        whole = TEMPLATE_RE.fullmatch(value)
        if whole:
            return context[whole.group(1)]
        return TEMPLATE_RE.sub(lambda match: str(context[match.group(1)]), value)
    if isinstance(value, list):
        return [fill(item, context) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, context) for key, item in value.items()}
    return value


def resolve(body, path: str, context: dict) -> list:
    """Values at a path: ``a.b[0].c``, ``a[]`` (every element), ``a[key=value]``."""
    values = [body]
    for segment in path.split("."):
        match = SEGMENT_RE.match(segment)
        assert match, f"bad path segment {segment!r} in {path!r}"
        key, index = match.groups()
        following = []
        for value in values:
            if not isinstance(value, dict) or key not in value:
                raise Missing(f"{path}: no {key!r} in {json.dumps(value)[:200]}")
            value = value[key]
            if index is None:
                following.append(value)
                continue
            if not isinstance(value, list):
                raise Missing(f"{path}: {key!r} is not a list")
            if index == "":
                following.extend(value)
            elif index.isdigit():
                if int(index) >= len(value):
                    raise Missing(f"{path}: {key!r} has no element {index}")
                following.append(value[int(index)])
            else:
                field, _equals, wanted = index.partition("=")
                wanted = fill(wanted, context)
                chosen = [item for item in value if isinstance(item, dict) and item.get(field) == wanted]
                if not chosen:
                    raise Missing(f"{path}: no element of {key!r} with {field} = {wanted!r}")
                following.append(chosen[0])
        values = following
    return values


def read_env(value, how: str) -> dict:
    """An envVars object read the way a client reads it."""
    assert isinstance(value, dict), f"envVars is not an object: {value!r}"
    if how == "environment":  # Infisical: envVars.environment, {} when absent
        return value.get("environment") or {}
    assert how == "both_forms", how  # the Terraform provider, the console: both levels, as strings
    merged = {key: item for key, item in value.items() if key != "environment"}
    merged.update(value.get("environment") or {})
    return {key: item if isinstance(item, str) else json.dumps(item) for key, item in merged.items()}


def is_kind(value, kind: str) -> bool:
    if kind == "uuid":
        try:
            return isinstance(value, str) and str(uuid.UUID(value)) == value
        except ValueError:
            return False
    checks = {
        "hex40": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{40}", v) is not None,
        "string": lambda v: isinstance(v, str),
        "non_empty_string": lambda v: isinstance(v, str) and v != "",
        "string_map": lambda v: isinstance(v, dict) and all(isinstance(item, str) for item in v.values()),
        "object": lambda v: isinstance(v, dict),
        "non_empty_list": lambda v: isinstance(v, list) and len(v) > 0,
        "url": lambda v: isinstance(v, str) and re.match(r"^https?://[^/]+", v) is not None,
        "null": lambda v: v is None,
    }
    return checks[kind](value)


def run_check(body: dict, check: dict, context: dict) -> None:
    path = check["path"]
    if check.get("absent"):
        try:
            found = resolve(body, path, context)
        except Missing:
            return
        raise AssertionError(f"{path} should be absent, found {found!r}")
    values = resolve(body, path, context)
    assert values, f"{path} matched nothing"
    for value in values:
        if "read_as" in check:
            value = read_env(value, check["read_as"])
        where = f"{path} = {json.dumps(value)[:300]}"
        if "is" in check:
            assert is_kind(value, check["is"]), f"{where} is not {check['is']}"
        if "equals" in check:
            assert value == fill(check["equals"], context), f"{where}, expected {fill(check['equals'], context)!r}"
        if "not_equals" in check:
            assert value != fill(check["not_equals"], context), f"{where}, expected anything else"
        if "one_of" in check:
            assert value in check["one_of"], f"{where}, expected one of {check['one_of']}"
        if "length" in check:
            assert isinstance(value, list) and len(value) == check["length"], f"{where}, expected {check['length']} items"
        if "has_key" in check:
            assert check["has_key"] in value, f"{where} lacks {check['has_key']}"
        if "lacks_key" in check:
            assert check["lacks_key"] not in value, f"{where} has {check['lacks_key']}"
        if "matches" in check:
            assert re.search(check["matches"], value), f"{where} does not match {check['matches']}"


def save_values(body: dict, save: dict, context: dict, root: str = "") -> None:
    for name, path in (save or {}).items():
        context[name] = resolve(body, root + path, context)[0]


# --------------------------------------------------------------------------- one client


class Replay:
    """The replay of one client's flow; records what each document did."""

    def __init__(self, emu, client: dict) -> None:
        self.emu = emu
        self.client = client
        self.documents = {doc["name"]: doc for doc in client["documents"]}
        self.context: dict = {}
        self.outcomes: dict[str, set[str]] = {name: set() for name in self.documents}
        self.steps = 0

    def run(self) -> None:
        self.emu.set_faults(**{**DEFAULT_SETTINGS, **self.client["settings"]})
        for number, step in enumerate(self.client["flow"], 1):
            self.steps = number
            try:
                self.step(step)
            except (AssertionError, Missing, KeyError) as err:
                raise AssertionError(f"{self.client['client']}, step {number} {json.dumps(step)[:160]}: {err}") from err

    def step(self, step: dict) -> None:
        if "settings" in step:
            self.emu.set_faults(**step["settings"])
        if "send" in step:
            self.send(step)
        elif "skip" in step:
            doc = self.documents[step["skip"]]
            assert doc["replay"]["status"] == "skipped_by_design" and doc["replay"]["why"], step
            self.outcomes[step["skip"]].add("skipped_by_design")
        elif "setup_project" in step:
            project = step["setup_project"]
            envs = [{"key": key, "value": value} for key, value in (project.get("envs") or {}).items()]
            body = self.emu.gql(SETUP_CREATE, {"name": project["name"], "envs": envs})
            assert "errors" not in body, body
            save_values(body, step["save"], self.context, root="data.createTenant.")
        elif "lookup" in step:
            body = self.emu.gql(step["lookup"], fill(step.get("variables"), self.context))
            assert "errors" not in body, body
            for check in step.get("checks", ()):
                run_check(body, check, self.context)
            save_values(body, step.get("save"), self.context)
        elif "http_get" in step:
            self.poll(step)
        else:
            assert set(step) == {"settings"}, f"unknown step {step}"

    def document_text(self, doc: dict, replace: dict | None) -> str:
        text = doc["document"]
        for placeholder, name in (replace or {}).items():
            assert placeholder in text, f"placeholder {placeholder} is not in {doc['name']}"
            text = text.replace(placeholder, str(self.context[name]))
        return text

    def send(self, step: dict) -> None:
        doc = self.documents[step["send"]]
        assert doc["replay"]["status"] != "skipped_by_design", f"{doc['name']} is marked skipped but sent"
        payload = {"query": self.document_text(doc, step.get("replace"))}
        variables = dict(doc.get("variables_example") or {})
        variables.update(fill(step.get("variables") or {}, self.context))
        if variables:
            payload["variables"] = variables
        response = self.emu.post(payload)
        assert response.status_code == 200, response.text
        body = response.json()
        expect = step.get("expect")
        if expect is None:
            assert "errors" not in body, f"{doc['name']} failed: {body['errors']}"
            assert isinstance(body.get("data"), dict), body
            self.outcomes[doc["name"]].add("passes")
        else:
            wanted = expect["error"]
            assert "data" not in body and body.get("errors"), f"{doc['name']} should fail ({expect['why']}): {body}"
            error = body["errors"][0]
            if "code" in wanted:
                assert error["extensions"]["code"] == wanted["code"], error
            if "message" in wanted:
                assert error["message"] == wanted["message"], error
            for part in wanted.get("message_contains", ()):
                assert part in error["message"], error
            self.outcomes[doc["name"]].add("refused")
        for check in step.get("checks", ()):
            run_check(body, check, self.context)
        save_values(body, step.get("save"), self.context)

    def poll(self, step: dict) -> None:
        url = fill(step["http_get"], self.context)
        started = time.monotonic()
        first = None
        while True:
            status = requests.get(url, timeout=5).status_code
            first = status if first is None else first
            if status == step["status"]:
                break
            assert time.monotonic() - started < step["within"], f"{url} answered {status}, not {step['status']}"
            time.sleep(0.05)
        if "first_status" in step:
            assert first == step["first_status"], f"{url} first answered {first}, expected {step['first_status']}"

    def document_outcomes(self) -> dict[str, str]:
        """Each document's outcome: passes (sent, never refused unless a step said so),
        expected_failure (every send refused), skipped_by_design; 'unused' if never reached."""
        result = {}
        for name, seen in self.outcomes.items():
            if "passes" in seen:
                result[name] = "passes"
            elif "refused" in seen:
                result[name] = "expected_failure"
            elif "skipped_by_design" in seen:
                result[name] = "skipped_by_design"
            else:
                result[name] = "unused"
        return result


RESULTS: dict[str, dict[str, str]] = {}


def replay(emu, client: dict) -> dict[str, str]:
    """Replay one client on a fresh state (once per test session) and return its document outcomes."""
    if client["client"] not in RESULTS:
        emu.reset(state=True)
        run = Replay(emu, client)
        run.run()
        RESULTS[client["client"]] = run.document_outcomes()
    return RESULTS[client["client"]]


# --------------------------------------------------------------------------- tests


def test_the_data_file_keeps_every_document_with_its_source():
    assert len(CLIENTS) >= 13
    for client in CLIENTS:
        assert client["attributed"] == bool(client.get("repository")), client["client"]
        if client["attributed"]:
            assert client["path"] and client["commit"], client["client"]
        else:
            assert client["client"].startswith("unattributed-") and client["source_note"]
        names = [doc["name"] for doc in client["documents"]]
        assert len(names) == len(set(names)), client["client"]
        for doc in client["documents"]:
            assert doc["document"].strip() and doc["replay"]["status"] in STATUSES, (client["client"], doc["name"])
            if doc["replay"]["status"] != "passes":
                assert doc["replay"]["why"], (client["client"], doc["name"])
        mentioned = {step.get("send") or step.get("skip") for step in client["flow"]} - {None}
        assert mentioned == set(names), f"{client['client']}: documents not in the flow: {set(names) - mentioned}"


@pytest.mark.parametrize("client", CLIENTS, ids=[client["client"] for client in CLIENTS])
def test_replay_client(emu, client):
    outcomes = replay(emu, client)
    declared = {doc["name"]: doc["replay"]["status"] for doc in client["documents"]}
    assert outcomes == declared


def test_replay_totals(emu):
    totals = {status: 0 for status in STATUSES}
    attributed_passing, attributed_clients, repositories = 0, set(), set()
    for client in CLIENTS:
        for name, outcome in replay(emu, client).items():
            totals[outcome] += 1
            if client["attributed"] and outcome == "passes":
                attributed_passing += 1
                attributed_clients.add(client["client"])
                repositories.add(client["repository"])
    assert attributed_passing >= MIN_ATTRIBUTED_DOCUMENTS, attributed_passing
    assert len(attributed_clients) >= MIN_ATTRIBUTED_CLIENTS, sorted(attributed_clients)
    assert len(repositories) >= MIN_ATTRIBUTED_CLIENTS, sorted(repositories)
    assert totals["expected_failure"] >= 4 and totals["skipped_by_design"] >= 6, totals
