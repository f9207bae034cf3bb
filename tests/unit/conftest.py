# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared unit-test fixtures: a scripted fake of the HTTP session and a module runner.

``fake_api`` replaces ``requests.Session`` inside the client with a ``FakeSession`` that
answers from a script. Each scripted step names the GraphQL root field it expects (or a
callable check) and what to answer; a call the script does not expect, or a step left
unused at the end of the test, fails the test. So "check mode sends no mutation" is
proven by a script that has no mutation in it.

A project's metadata API shares the fake: a step for a metadata request names
``metadata:<type>`` (``metadata:bulk``, ``metadata:replace_metadata``) and its check gets the
whole request body.

``run_module`` runs a module's ``main()`` with arguments and returns the JSON the module
printed (after Ansible's own masking, which is where secret handling is visible).

``clock`` replaces the waiters' clock and pauses with a fake that moves only when the code
pauses; ``health`` scripts the answers of the project health checks (``/healthz``).
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.parameters import PASS_VARS

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # older ansible-core: set the serialized arguments ourselves
    import contextlib
    from unittest import mock

    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield

from ansible_collections.hasura.cloud.plugins.module_utils import _client, _tenant

TOKEN = "unit-test-token-0123456789abcdef"
API_URL = "https://api.example.test/v1/graphql"


def root_field(query):
    """The first root field a GraphQL document selects (e.g. ``getTenantEnv``)."""
    body = query[query.index("{"):]
    match = re.match(r"\{\s*(\w+)", body)
    return match.group(1) if match else None


def make_response(status=200, body=None, headers=None, text=None):
    """A real requests.Response with the given status, JSON body (or raw text) and headers."""
    response = requests.Response()
    response.status_code = status
    response.reason = {200: "OK", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                       503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "")
    response._content = (text if text is not None else json.dumps(body)).encode("utf-8")
    response.headers.update(headers or {})
    response.url = API_URL
    return response


def data(payload):
    """A GraphQL success answer."""
    return make_response(body={"data": payload})


def gql_error(message, code="unexpected"):
    """A GraphQL error answer (HTTP 200, as the service sends them)."""
    return make_response(body={"errors": [{"message": message, "extensions": {"path": "$", "code": code}}]})


class Step(object):
    def __init__(self, field, answer, check=None):
        self.field = field
        self.answer = answer
        self.check = check


class FakeSession(object):
    """Stands in for requests.Session: answers POSTs from a script, records every call."""

    def __init__(self, script):
        self.script = script
        self.headers = {}
        self.calls = []

    def post(self, url, data=None, timeout=None, verify=None):
        body = json.loads(data)
        field = root_field(body["query"]) if "query" in body else "metadata:%s" % body.get("type")
        self.calls.append({"url": url, "field": field, "query": body.get("query"), "variables": body.get("variables"),
                           "body": body, "headers": dict(self.headers), "timeout": timeout, "verify": verify})
        if not self.script.steps:
            pytest.fail("unexpected request %s (variables %r): the script is exhausted" % (field, body.get("variables")))
        step = self.script.steps.pop(0)
        if step.field != field:
            pytest.fail("expected a %s request, got %s" % (step.field, field))
        if step.check is not None:
            step.check(body.get("variables") or {} if "query" in body else body)
        if isinstance(step.answer, BaseException):
            raise step.answer
        return step.answer


class Script(object):
    """The ordered requests a test expects, with their answers."""

    def __init__(self):
        self.steps = []
        self.sessions = []

    def expect(self, field, answer, check=None):
        """Expect a request whose root field is ``field``; answer with a Response or raise an exception."""
        self.steps.append(Step(field, answer, check))
        return self

    @property
    def calls(self):
        return [call for session in self.sessions for call in session.calls]

    def fields(self):
        return [call["field"] for call in self.calls]


@pytest.fixture
def fake_api(monkeypatch):
    """Replace the client's HTTP session with a scripted fake; sleeps are recorded, not slept."""
    script = Script()

    def new_session():
        session = FakeSession(script)
        script.sessions.append(session)
        return session

    monkeypatch.setattr(_client.requests, "Session", new_session)
    script.sleeps = []
    monkeypatch.setattr(_client.time, "sleep", script.sleeps.append)
    yield script
    assert not script.steps, "scripted requests never sent: %s" % [s.field for s in script.steps]


class ModuleResult(dict):
    """The JSON a module printed, plus the raw text for secret scans."""

    raw = ""


@pytest.fixture
def run_module(capfd):
    """Run ``module.main()`` with ``args`` (connection defaults added) and return its printed JSON."""

    def run(module, args, check_mode=False, diff=False, with_defaults=True):
        # Module warnings are kept in a process-wide store until a module exits: start empty, so
        # that a warning of an earlier run (or of a run that never exited) cannot show up here.
        leftover = getattr(module_warnings, "_global_warnings", None)
        if leftover is not None:
            leftover.clear()
        full = {"api_token": TOKEN, "api_url": API_URL} if with_defaults else {}
        full.update(args)
        # As Ansible passes it (the module's name in messages).
        full.setdefault("_ansible_module_name", "hasura.cloud." + module.__name__.rsplit(".", 1)[-1])
        if check_mode:
            full["_ansible_check_mode"] = True
        if diff:
            full["_ansible_diff"] = True
        if "inject_invocation" in PASS_VARS:
            # ansible-core 2.21+ echoes the (masked) arguments as `invocation` only when the
            # controller asks for it; the tests read the masking there.
            full["_ansible_inject_invocation"] = True
        with patch_module_args(full):
            with pytest.raises(SystemExit):
                module.main()
        out, err = capfd.readouterr()
        result = ModuleResult(json.loads(out))
        result.raw = out + err
        return result

    return run


class FakeClock(object):
    """A monotonic clock that moves only when the code under test pauses."""

    def __init__(self):
        self.now = 1000.0
        self.pauses = []

    def time(self):
        return self.now

    def pause(self, seconds):
        assert seconds >= 0
        self.pauses.append(seconds)
        self.now += seconds


class FakeHealth(object):
    """Scripted answers of client.health_status(); the last one repeats."""

    def __init__(self):
        self.statuses = [200]
        self.urls = []

    def status(self, url):
        self.urls.append(url)
        if len(self.statuses) > 1:
            return self.statuses.pop(0)
        return self.statuses[0]


@pytest.fixture
def clock(monkeypatch):
    """The waiters' clock and the pauses of waits and re-sent mutations, faked (``clock.pauses``)."""
    fake = FakeClock()
    monkeypatch.setattr(_tenant, "_now", fake.time)
    monkeypatch.setattr(_tenant, "_pause", fake.pause)
    return fake


@pytest.fixture
def health(monkeypatch, clock):
    """Scripted health-check answers (``health.statuses``) and the URLs checked (``health.urls``)."""
    fake = FakeHealth()
    monkeypatch.setattr(_client.HasuraCloudClient, "health_status", lambda _client_self, url: fake.status(url))
    return fake
