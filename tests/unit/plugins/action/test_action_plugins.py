# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module has a same-named action plugin that runs it in-process, and nothing else does."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ansible_collections.hasura.cloud.plugins.plugin_utils._in_process import InProcessAction

ROOT = Path(__file__).resolve().parents[4]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if not path.stem.startswith("_"))
ACTIONS = sorted(path.stem for path in (ROOT / "plugins" / "action").glob("*.py") if not path.stem.startswith("_"))


def test_every_module_has_a_same_named_action_plugin():
    assert MODULES, "no modules found under %s" % ROOT
    assert ACTIONS == MODULES, "plugins/action must hold exactly one <module>.py per module (copy any of them)"


@pytest.mark.parametrize("name", MODULES)
def test_action_plugin_runs_its_module_in_process(name):
    plugin = importlib.import_module("ansible_collections.hasura.cloud.plugins.action.%s" % name)
    assert issubclass(plugin.ActionModule, InProcessAction)
    # The shared implementation is the whole execution behaviour: a plugin of its own may
    # prepare the module's arguments (run) but never replaces how the module is executed.
    replaced = set(vars(plugin.ActionModule)) & {
        "_choose_execution", "_decide", "_configure_module", "_is_pipelining_enabled",
        "_compute_environment_string", "_low_level_execute_command"}
    assert replaced == set(), replaced
