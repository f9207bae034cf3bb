# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""API answers and fakes shared by the tenant unit tests."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.module_utils import _client, _tenant

TENANT_ID = "7a79cf94-0e53-4520-a560-1b02bf522f08"
PROJECT_ID = "0c2d7b7e-3f0c-4a8e-9a53-1f3c2b4d5e6f"
OTHER_ID = "11111111-2222-4333-8444-555555555555"


def endpoint(name):
    return "https://%s.hasura.app/v1/graphql" % name


def tenant_node(name="my-app", tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free"):
    """A ``tenant`` object as tenant_by_pk / updateTenantName answer it."""
    return {"id": tenant_id, "slug": "bright-otter-42", "cloud": cloud, "region": region,
            "project": {"id": PROJECT_ID, "name": name, "endpoint": endpoint(name), "plan_name": plan}}


def project_node(name="my-app", tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free"):
    """A ``projects`` object as the look-up by name and the listing answer it."""
    return {"id": PROJECT_ID, "name": name, "endpoint": endpoint(name), "plan_name": plan,
            "tenant": {"id": tenant_id, "slug": "bright-otter-42", "cloud": cloud, "region": region}}


def tenant_dict(name="my-app", tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free"):
    """What the modules return for that tenant."""
    return {"id": tenant_id, "name": name, "slug": "bright-otter-42", "cloud": cloud, "region": region,
            "plan": plan, "project_id": PROJECT_ID, "endpoint": endpoint(name)}


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
    fake = FakeClock()
    monkeypatch.setattr(_tenant, "_now", fake.time)
    monkeypatch.setattr(_tenant, "_pause", fake.pause)
    return fake


@pytest.fixture
def health(monkeypatch, clock):
    fake = FakeHealth()
    monkeypatch.setattr(_client.HasuraCloudClient, "health_status", lambda _client_self, url: fake.status(url))
    return fake
