# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hasura Cloud regions and their gateway (NAT) addresses.

Internal to the hasura.cloud collection: it may change in any release.

A project reaches its databases from its region's gateway address (``region.nat_ip``), the
address to allow in a database firewall before the project is created.
"""

from __future__ import annotations

import ipaddress

# The values of the real schema's enum cloud_enum (region.cloud is a cloud_enum, not a String).
CLOUDS = ("aws", "azure", "do", "gcp")

# The keys of every region dict (the real schema's region { cloud name is_active nat_ip nat_ips }).
REGION_KEYS = ("cloud", "name", "is_active", "nat_ip", "nat_ips")

# One document for every filter: the filter is a region_bool_exp variable, in which the schema
# types the cloud as cloud_enum. No operand is ever sent as null (a Hasura v2 engine refuses a
# null comparison value), so an absent filter is an absent key.
LIST_REGIONS = ("query listRegions($where: region_bool_exp!) { region(where: $where, "
                "order_by: [{cloud: asc}, {name: asc}]) { %s } }" % " ".join(REGION_KEYS))


def region_filter(cloud=None, active_only=True):
    """The ``where`` of LIST_REGIONS: only this cloud (a value of CLOUDS) and only active regions, if asked."""
    where = {}
    if cloud is not None:
        where["cloud"] = {"_eq": cloud}
    if active_only:
        where["is_active"] = {"_eq": True}
    return where


def list_regions(client, cloud=None, active_only=True):
    """The regions the token can see, ordered by cloud and name, as dicts of REGION_KEYS: one request."""
    nodes = client.query(LIST_REGIONS, {"where": region_filter(cloud, active_only)}).get("region") or []
    return [dict((key, node.get(key)) for key in REGION_KEYS) for node in nodes]


def _addresses_of(region):
    """The gateway addresses of one region: nat_ip, and nat_ips when it holds addresses.

    ASSUMPTION: the shape of ``nat_ips`` (json) is not public; a list of address strings (or
    one string) is read, anything else is ignored.
    """
    found = [region.get("nat_ip")]
    extra = region.get("nat_ips")
    found.extend(extra if isinstance(extra, list) else [extra])
    return [text.strip() for text in found if isinstance(text, str) and text.strip()]


def _address_order(text):
    """Sort key: IP addresses in numeric order (IPv4 first), then anything else as text."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return (1, 0, 0, text)
    return (0, address.version, int(address), text)


def nat_addresses(regions):
    """Every gateway address of ``regions``, once each, in numeric order: the addresses to allow."""
    return sorted(set(address for region in regions for address in _addresses_of(region)), key=_address_order)
