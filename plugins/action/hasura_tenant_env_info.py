# -*- coding: utf-8 -*-
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.hasura.cloud.plugins.plugin_utils._in_process import InProcessAction


class ActionModule(InProcessAction):
    """hasura.cloud.hasura_tenant_env_info, run in the worker process when that is equivalent (see plugin_utils/_in_process.py)."""
