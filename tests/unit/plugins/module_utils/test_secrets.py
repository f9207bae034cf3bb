# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Message masking and SecretValues."""

from __future__ import annotations

import pytest

from ansible_collections.hasura.cloud.plugins.module_utils import _secrets
from ansible_collections.hasura.cloud.plugins.module_utils._secrets import REDACTED, SecretValues, mask_text

HASH = "a1b0c1d0e1f0a1b0c1d0e1f0a1b0c1d0e1f0a1b0"
UUID = "a1b0c1d0-0e53-4520-a560-1b02bf522f08"


class Exit(Exception):
    def __init__(self, kwargs):
        super(Exit, self).__init__(kwargs.get("msg"))
        self.kwargs = kwargs


class FakeModule(object):
    """Just what SecretValues uses of an AnsibleModule."""

    def __init__(self, params, spec):
        self.params = params
        self.argument_spec = spec
        self.no_log_values = set()
        for name, options in spec.items():
            if options.get("no_log"):
                self.no_log_values |= _secrets._text_forms(params.get(name))

    def exit_json(self, **kwargs):
        raise Exit(kwargs)

    fail_json = exit_json


# --------------------------------------------------------------------------- mask_text


def test_mask_text_plain():
    assert mask_text("the value s3cret leaked", {"s3cret"}) == "the value ******** leaked"
    assert mask_text("s3cret", {"s3cret"}) == "********"
    assert mask_text("nothing here", set()) == "nothing here"


def test_mask_text_keeps_identifiers_that_contain_a_short_value():
    text = "env value of KEY_1 is a list (tenant %s, hash %s); 1 is masked" % (UUID, HASH)
    masked = mask_text(text, {"1", "a"}, ["KEY_1"])
    assert "KEY_1" in masked and UUID in masked and HASH in masked
    assert " 1 is" not in masked and "********" in masked


def test_mask_text_masks_a_value_that_is_a_whole_identifier():
    assert UUID not in mask_text("id %s here" % UUID, {UUID})
    assert mask_text("key B", {"B"}, ["B"]) == "key ********"


def test_mask_text_masks_a_value_reaching_outside_a_name():
    # The name SEC must not shield the value SECRET it is a part of.
    assert mask_text("x SECRET y", {"SECRET"}, ["SEC"]) == "x ******** y"
    assert mask_text("KEY_123456", {"123456"}, ["KEY_1"]) == "KEY_********"


def test_mask_text_merges_adjacent_occurrences():
    assert mask_text("s3cret-s3cret", {"s3cret", "-"}) == "********"


def test_mask_text_short_values_only_stand_alone():
    text = "the environment could not be written in 3 attempts: value a is true, untrue m"
    masked = mask_text(text, {"a", "m", "true", "3"})
    assert masked == "the environment could not be written in ******** attempts: value ******** is ********, untrue ********"


def test_mask_text_long_values_everywhere():
    assert mask_text("xxhunter2xx", {"hunter2"}) == "xx********xx"
    assert mask_text("postgres://u:pw@host", {"pw"}) == "postgres://u:********@host"


# --------------------------------------------------------------------------- SecretValues

SPEC = {"api_token": {"no_log": True}, "env": {"no_log": True, "type": "dict"}, "tenant_id": {}}


def secret_module(env, token="tok-abcdef"):
    return FakeModule({"api_token": token, "env": env, "tenant_id": UUID}, SPEC)


def test_secret_values_forms():
    module = secret_module({"A": "1", "B": True, "C": 2, "D": None, "E": [3, "x"], "F": {"g": "h"}, "T": "tok-abcdef"})
    secrets = SecretValues(module, "env")
    # Booleans and None are not masked by Ansible; the token's value stays with the token.
    assert secrets.values == {"1", "2", "3", "x", "h"}


def test_secret_values_exit_unregisters_values_and_redacts_invocation():
    module = secret_module({"KEY_1": "1", "TRUE_0": "true", "A_A": "a", "ZERO": "0"})
    secrets = SecretValues(module, "env")
    assert secrets.params is module.params
    with pytest.raises(Exit) as info:
        secrets.exit_json(changed=True, hash=HASH, added=["KEY_1", "TRUE_0"])
    result = info.value.kwargs
    assert result["hash"] == HASH and result["added"] == ["KEY_1", "TRUE_0"]
    assert result["invocation"]["module_args"]["env"] == dict.fromkeys(["KEY_1", "TRUE_0", "A_A", "ZERO"], REDACTED)
    assert result["invocation"]["module_args"]["tenant_id"] == UUID
    assert not module.no_log_values & {"1", "true", "a", "0"}
    assert "tok-abcdef" in module.no_log_values  # the token is still masked by Ansible


def test_secret_values_fail_masks_message_but_keeps_names():
    module = secret_module({"KEY_1": "1", "PASSWORD": "hunter2"})
    secrets = SecretValues(module, "env")
    with pytest.raises(Exit) as info:
        secrets.fail_json(msg="KEY_1 failed for tenant %s: service echoed hunter2 and 1" % UUID, tenant_id=UUID)
    msg = info.value.kwargs["msg"]
    assert msg == "KEY_1 failed for tenant %s: service echoed ******** and ********" % UUID


def test_secret_values_trusted_message_is_not_masked():
    module = secret_module({"A": "no", "B": "a"})
    secrets = SecretValues(module, "env")
    with pytest.raises(Exit) as info:
        secrets.fail_json(msg="no project of that name: a problem", trusted_msg=True)
    assert info.value.kwargs["msg"] == "no project of that name: a problem"
    assert info.value.kwargs["invocation"]["module_args"]["env"] == {"A": REDACTED, "B": REDACTED}
    with pytest.raises(Exit) as info:
        secrets.fail_json(msg="service says: no")
    assert info.value.kwargs["msg"] == "service says: ********"
