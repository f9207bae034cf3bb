# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures that run the emulator as a subprocess (see emulator_process.py)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator_process import DEFAULT_SETTINGS, Emulator


@pytest.fixture(scope="module")
def shared_emulator():
    emulator = Emulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(shared_emulator):
    """The module's emulator, with no tenants, default settings and zeroed counters."""
    shared_emulator.set_faults(**DEFAULT_SETTINGS)
    shared_emulator.reset(state=True)
    return shared_emulator


@pytest.fixture
def start_emulator():
    """Factory for dedicated emulators (custom flags); all are stopped afterwards."""
    started: list[Emulator] = []

    def start(*args: str, **kwargs: Any) -> Emulator:
        emulator = Emulator(*args, **kwargs)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()
