# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""API answers and fakes shared by the tenant unit tests."""

from __future__ import annotations

TENANT_ID = "7a79cf94-0e53-4520-a560-1b02bf522f08"
PROJECT_ID = "0c2d7b7e-3f0c-4a8e-9a53-1f3c2b4d5e6f"
OTHER_ID = "11111111-2222-4333-8444-555555555555"
OTHER_PROJECT_ID = "99999999-8888-4777-8666-555555555555"


def endpoint(name):
    """A project's endpoint: its base URL, as the real service gives it."""
    return "https://%s.hasura.app" % name


def tenant_node(name="my-app", tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free",
                project_id=PROJECT_ID):
    """A ``tenant`` object as tenant_by_pk / updateTenantName answer it."""
    return {"id": tenant_id, "slug": name, "cloud": cloud, "region": region,
            "project": {"id": project_id, "name": name, "endpoint": endpoint(name), "plan_name": plan}}


def project_node(name="my-app", tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free",
                 project_id=PROJECT_ID):
    """A ``projects`` object as the look-up by name and the listing answer it."""
    return {"id": project_id, "name": name, "endpoint": endpoint(name), "plan_name": plan,
            "tenant": {"id": tenant_id, "slug": name, "cloud": cloud, "region": region}}


def tenant_dict(name="my-app", tenant_id=TENANT_ID, cloud="aws", region="us-east-2", plan="cloud_free",
                project_id=PROJECT_ID):
    """What the modules return for that tenant."""
    return {"id": tenant_id, "name": name, "slug": name, "cloud": cloud, "region": region,
            "plan": plan, "project_id": project_id, "endpoint": endpoint(name)}
