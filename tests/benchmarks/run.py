#!/usr/bin/env python
# Copyright (c) 2026, hasura.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of the hasura.cloud modules against the local emulator (`make bench`).

Everything is measured side by side in one run, kinds interleaved within each round so
they share the machine's noise; figures are medians over rounds.

- per task: wall time of one task of each kind (no-op hasura_tenant_env in the worker, the
  default, and as a module process (hasura_cloud_in_process: false), no-op hasura_tenant by
  id and by name, the same single POST with ansible.builtin.uri, and ansible.builtin.ping,
  and a bare module that imports requests and sends the same POST: the floor for any
  requests-based module process), as (T(N tasks) - T(1 task)) / (N - 1) of the same kind,
  which removes ansible-playbook's fixed start-up cost; for the loop kind, one task looping
  over N items against one looping over 1. Ratios are the medians of the per-round ratios;
- requests per task, from GET /_emulator/stats after POST /_emulator/reset, for every
  kind of task (no-op, change, change with removals, create, rename, delete, lookup by
  name, ...);
- scaling: one hasura_tenant_env task with 10, 100 and 1,000 keys, no-op and change, as
  module processes (where issue 6 set its target) and in the worker, wall time per task and
  requests;
- inventory: a play over every project of the inventory plugin hasura.cloud.projects (100
  by default), one no-op env task per host, forks 1 and 5, in the worker and as module
  processes (HASURA_CLOUD_IN_PROCESS=false): total wall time, ratio in-process / module;
- worker memory: peak RSS of the largest process ansible-playbook starts (its workers, and
  for the module path the module processes) for a play of no-op env tasks, next to a play of
  ansible.builtin.debug tasks, measured with RUSAGE_CHILDREN after ansible-playbook has
  reaped them (tests/benchmarks/_rss_launcher.py);
- module process: each module's AnsiballZ payload run directly (kept with
  ANSIBLE_KEEP_REMOTE_FILES), its wall time and peak RSS (resource.getrusage), next to
  `python -c pass` and `import requests`;
- --profile: the no-op hasura_tenant_env payload under cProfile (and pyinstrument when
  installed) and `python -X importtime`, top entries printed;
- metadata: a no-op hasura_metadata task with a 200-table metadata (from a play variable, and
  from a Hasura CLI directory through src) next to a no-op hasura_tenant_env task on the same
  path, in the worker and as a module process, kinds interleaved in each round; target <= 1.5x env.
  For reference, a set_fact of the same 200-table variable: Ansible's own cost of templating it
  into a task. Requests of metadata tasks (no-op, change, conflict) are in the requests section,
  Cloud API and metadata API counted apart.

Prints one table with PASS/MISS per target (issues 6 and 12) and writes the figures as JSON to
tests/benchmarks/results/latest.json (git-ignored). Exit status 0 unless --strict and a
target is missed, or a run failed.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import GET_ENV, REPO, Ansible, Emulator, measure_rss, median, modules_present, recap  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

ENV_MODULE = "hasura.cloud.hasura_tenant_env"
METADATA_MODULE = "hasura.cloud.hasura_metadata"
METADATA_TABLES = 200
TENANT_MODULE = "hasura.cloud.hasura_tenant"

TARGETS = {
    # issue 12: in the worker
    "env_vs_ping": 0.15,
    "env_vs_uri": 0.12,
    "env_loop_vs_ping": 0.05,
    "inventory_in_process_vs_module": 0.2,
    "worker_rss_over_debug_mib": 20.0,
    # issue 6: as a module process
    "env_module_vs_uri": 0.95,
    "env_module_vs_ping": 1.35,
    "scale_1000_vs_10": 1.2,
    # issue 14: a no-op hasura_metadata (200 tables) next to a no-op env task, same path
    "metadata_vs_env": 1.5,
    "requests": {"noop": 1, "change": 2, "change_removals": 3},
}
OPT_OUT = {"hasura_cloud_in_process": False}
SCALING_PATHS = ("module", "worker")


# Tasks the modules are compared with: the same POST with uri, ping, and a bare requests module.
REFERENCE_KINDS = ("uri", "ping", "bare")


def log(msg: str) -> None:
    print("bench: " + msg, flush=True)


# ----------------------------------------------------------------------------- per task


def per_task_kinds(emu: Emulator, tenant_id: str, tenant_name: str, with_modules: bool) -> dict:
    """Task bodies of each kind; every one is a no-op against the prepared tenant."""
    kinds = {}
    if with_modules:
        env_task = {ENV_MODULE: {"tenant_id": tenant_id, "env": {"APP_MODE": "prod", "DEBUG": "1"}}}
        kinds["env"] = env_task
        kinds["env_module"] = dict(env_task, vars=OPT_OUT)
        kinds["env_loop"] = dict(env_task, loop="{{ range(n_items | int) | list }}")
        kinds["tenant_by_id"] = {TENANT_MODULE: {"tenant_id": tenant_id, "name": tenant_name}}
        kinds["tenant_by_name"] = {TENANT_MODULE: {"name": tenant_name, "cloud": "aws", "region": "us-east-1"}}
    kinds["uri"] = {"ansible.builtin.uri": {
        "url": emu.url, "method": "POST", "body_format": "json",
        "headers": {"Authorization": "pat " + emu.token},
        "body": {"query": GET_ENV, "variables": {"id": tenant_id}},
    }}
    kinds["ping"] = {"ansible.builtin.ping": {}}
    if with_modules:
        # The floor of any requests-based module: import requests, one POST (library/).
        kinds["bare"] = {"bench_bare_requests_post": {"url": emu.url, "token": emu.token, "tenant_id": tenant_id}}
    return kinds


def bench_per_task(emu: Emulator, ans: Ansible, rounds: int, ntasks: int, with_modules: bool) -> dict:
    name = "bench-per-task"
    tenant_id = emu.create_tenant(name, {"APP_MODE": "prod", "DEBUG": "1", "OTHER": "x"})
    kinds = per_task_kinds(emu, tenant_id, name, with_modules)
    books = {}
    for kind, body in kinds.items():
        if "loop" in body:
            # One task looping over 1 item, and over ntasks items.
            books[kind] = (ans.playbook([dict(name=kind, **body)], "per-task-%s-1.yml" % kind, play_vars={"n_items": 1}),
                           ans.playbook([dict(name=kind, **body)], "per-task-%s-%d.yml" % (kind, ntasks),
                                        play_vars={"n_items": ntasks}))
            continue
        tasks = [dict(name="%s %d" % (kind, i), **body) for i in range(ntasks)]
        books[kind] = (ans.playbook(tasks[:1], "per-task-%s-1.yml" % kind),
                       ans.playbook(tasks, "per-task-%s-%d.yml" % (kind, ntasks)))
    raw = {kind: {"t1": [], "tn": [], "per_task": []} for kind in kinds}
    order = list(kinds)
    for rnd in range(rounds):
        shift = rnd % len(order)
        this_round = order[shift:] + order[:shift]
        for kind in this_round:
            short, long_ = books[kind]
            pair = [("t1", short), ("tn", long_)] if rnd % 2 == 0 else [("tn", long_), ("t1", short)]
            times = {}
            for label, book in pair:
                elapsed, proc = ans.run_playbook(book)
                counts = recap(proc.stdout)
                if counts.get("changed") or counts.get("failed"):
                    raise RuntimeError("%s: a no-op task reported a change or failed: %s" % (kind, counts))
                times[label] = elapsed
            raw[kind]["t1"].append(times["t1"])
            raw[kind]["tn"].append(times["tn"])
            raw[kind]["per_task"].append((times["tn"] - times["t1"]) / (ntasks - 1))
        log("per task: round %d/%d: %s" % (rnd + 1, rounds, ", ".join(
            "%s %.3fs" % (k, raw[k]["per_task"][-1]) for k in order)))
    result = {"tasks_per_playbook": ntasks, "rounds": rounds, "kinds": {}}
    for kind in kinds:
        result["kinds"][kind] = {
            "per_task_s": median(raw[kind]["per_task"]),
            "startup_s": median([t1 - p for t1, p in zip(raw[kind]["t1"], raw[kind]["per_task"])]),
            "raw": raw[kind],
        }
    ratios = {}
    for kind in kinds:
        if kind in REFERENCE_KINDS:
            continue
        for ref in (ref for ref in REFERENCE_KINDS if ref in kinds):
            per_round = [a / b for a, b in zip(raw[kind]["per_task"], raw[ref]["per_task"]) if b > 0]
            ratios["%s_vs_%s" % (kind, ref)] = {
                "median_of_round_ratios": median(per_round),
                "ratio_of_medians": result["kinds"][kind]["per_task_s"] / result["kinds"][ref]["per_task_s"],
                "per_round": per_round,
            }
    if "env" in kinds and "env_module" in kinds:
        per_round = [a / b for a, b in zip(raw["env"]["per_task"], raw["env_module"]["per_task"]) if b > 0]
        ratios["env_vs_env_module"] = {
            "median_of_round_ratios": median(per_round),
            "ratio_of_medians": result["kinds"]["env"]["per_task_s"] / result["kinds"]["env_module"]["per_task_s"],
            "per_round": per_round,
        }
    result["ratios"] = ratios
    return result


# ----------------------------------------------------------------------------- requests


def count_requests(emu: Emulator, ans: Ansible, task: dict, check_mode: bool = False) -> dict:
    if check_mode:
        task = dict(task, check_mode=True)
    book = ans.playbook([dict(name="measured", **task)])
    emu.reset()
    _wall, proc = ans.run_playbook(book, check=False)
    stats = emu.stats()
    counts = recap(proc.stdout)
    return {"requests": stats["requests"], "operations": stats["operations"], "mutations": stats["mutations"],
            "metadata": stats.get("metadata", {}),
            "changed": counts.get("changed", 0), "failed": counts.get("failed", 0) or proc.returncode != 0}


def bench_requests(emu: Emulator, ans: Ansible) -> dict:
    base = {"A": "1", "B": "2", "C": "3"}
    tid = emu.create_tenant("bench-requests", base)
    victim = emu.create_tenant("bench-requests-victim")
    out = {}

    def run(label, task, expected=None, target=False, prepare=None, check_mode=False):
        if prepare:
            prepare()
        entry = count_requests(emu, ans, task, check_mode)
        entry["expected"] = expected
        entry["target"] = target
        out[label] = entry

    def reset_env():
        emu.set_env(tid, base)

    run("env no-op", {ENV_MODULE: {"tenant_id": tid, "env": {"A": "1", "B": "2"}}}, 1, True, reset_env)
    run("env change", {ENV_MODULE: {"tenant_id": tid, "env": {"A": "10"}}}, 2, True, reset_env)
    run("env change with removals", {ENV_MODULE: {"tenant_id": tid, "env": {"A": "11", "B": "2"}, "purge": True}},
        3, True, reset_env)
    run("env removal only (state=absent)", {ENV_MODULE: {"tenant_id": tid, "env": {"C": ""}, "state": "absent"}},
        2, False, reset_env)
    run("env change, check mode", {ENV_MODULE: {"tenant_id": tid, "env": {"A": "12"}}}, 1, False, reset_env, True)
    run("env no-op, lookup by name", {ENV_MODULE: {"tenant_name": "bench-requests", "env": {"A": "1"}}}, 2, False,
        reset_env)
    run("env change, lookup by name", {ENV_MODULE: {"tenant_name": "bench-requests", "env": {"A": "13"}}}, 3, False,
        reset_env)
    run("env_info", {ENV_MODULE + "_info": {"tenant_id": tid}}, 1)
    run("tenant no-op by id", {TENANT_MODULE: {"tenant_id": tid, "name": "bench-requests"}}, 1)
    run("tenant no-op by name", {TENANT_MODULE: {"name": "bench-requests", "cloud": "aws", "region": "us-east-1"}}, 1)
    run("tenant create (wait)", {TENANT_MODULE: {"name": "bench-requests-new", "cloud": "aws",
                                                 "region": "us-east-1"}}, None)
    run("tenant rename by id", {TENANT_MODULE: {"tenant_id": victim, "name": "bench-requests-renamed"}}, 2)
    run("tenant delete by name", {TENANT_MODULE: {"name": "bench-requests-renamed", "state": "absent"}}, 2)
    run("tenant delete by id", {TENANT_MODULE: {"tenant_id": emu.create_tenant("bench-requests-del"),
                                                "state": "absent"}}, 2)
    run("tenant absent, not found", {TENANT_MODULE: {"name": "bench-requests-none", "state": "absent"}}, 1)
    run("tenant_info by name", {TENANT_MODULE + "_info": {"name": "bench-requests"}}, 1)
    out.update(bench_metadata_requests(emu, ans))
    return out


def bench_metadata_requests(emu: Emulator, ans: Ansible) -> dict:
    """Requests of hasura_metadata tasks: (Cloud API requests, metadata API requests) each."""
    tid = emu.create_tenant("bench-md-requests", {"PG_DATABASE_URL": BENCH_DB_URL})
    small, other = big_metadata(3), big_metadata(4)
    out = {}

    def run(label, task, expected, target=False, race=False, check_mode=False):
        emu.replace_metadata(tid, small)
        if race:
            emu.set_faults(metadata_race=1)
        entry = count_requests(emu, ans, {METADATA_MODULE: dict(task, tenant_id=tid)}, check_mode)
        emu.set_faults(metadata_race=0)
        entry["metadata_requests"] = entry["metadata"].get("requests")
        entry.update(expected=expected[0], expected_metadata=expected[1], target=target)
        out[label] = entry

    run("metadata no-op", {"metadata": small}, (1, 1), True)
    run("metadata change", {"metadata": other}, (1, 3), True)
    run("metadata change, check mode", {"metadata": other}, (1, 1), check_mode=True)
    run("metadata change with a conflict", {"metadata": other}, (1, 5), True, race=True)
    return out


# ----------------------------------------------------------------------------- metadata

BENCH_DB_URL = "postgres://bench:bench@db.example.test:5432/bench"


def big_metadata(ntables: int) -> dict:
    """A metadata of ``ntables`` tables, each with a relationship and three permissions."""
    tables = []
    for i in range(ntables):
        owner = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
        tables.append({
            "table": {"schema": "public", "name": "table_%03d" % i},
            "object_relationships": [{"name": "owner", "using": {"foreign_key_constraint_on": "owner_id"}}],
            "insert_permissions": [{"role": "user", "permission": {"check": owner, "columns": ["name", "owner_id"]}}],
            "select_permissions": [
                {"role": "anonymous", "permission": {"columns": ["id", "name"], "filter": {}}},
                {"role": "user", "permission": {"columns": ["id", "name", "owner_id", "created_at"], "filter": owner,
                                                "allow_aggregations": True}}],
        })
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": tables, "configuration": {
        "connection_info": {"database_url": {"from_env": "PG_DATABASE_URL"}}}}]}


def write_metadata_dir(root: Path, metadata: dict) -> Path:
    """The metadata as a Hasura CLI metadata directory (one file per table, !include references)."""
    import yaml  # noqa: E402  pylint: disable=import-outside-toplevel
    tables_dir = root / "databases" / "default" / "tables"
    tables_dir.mkdir(parents=True)
    (root / "version.yaml").write_text("version: 3\n")
    source = dict(metadata["sources"][0], tables="!include default/tables/tables.yaml")
    (root / "databases" / "databases.yaml").write_text(yaml.safe_dump([source], sort_keys=False))
    names = []
    for table in metadata["sources"][0]["tables"]:
        name = "public_%s.yaml" % table["table"]["name"]
        (tables_dir / name).write_text(yaml.safe_dump(table, sort_keys=False))
        names.append("!include " + name)
    (tables_dir / "tables.yaml").write_text(yaml.safe_dump(names))
    return root


METADATA_PATHS = (("worker", ""), ("module", "_module"))


def bench_metadata(emu: Emulator, ans: Ansible, rounds: int, ntasks: int) -> dict:
    """No-op hasura_metadata (200 tables, from a variable and from src) next to a no-op env task, on each path."""
    tid = emu.create_tenant("bench-metadata", {"APP_MODE": "prod", "DEBUG": "1", "PG_DATABASE_URL": BENCH_DB_URL})
    metadata = big_metadata(METADATA_TABLES)
    emu.replace_metadata(tid, metadata)
    src = write_metadata_dir(ans.workdir / "bench-metadata-dir", metadata)
    bodies = {
        "env": ({ENV_MODULE: {"tenant_id": tid, "env": {"APP_MODE": "prod", "DEBUG": "1"}}}, {}),
        "metadata_200": ({METADATA_MODULE: {"tenant_id": tid, "metadata": "{{ bench_metadata }}"}},
                         {"bench_metadata": metadata}),
        "metadata_200_src": ({METADATA_MODULE: {"tenant_id": tid, "src": str(src)}}, {}),
    }
    # Every kind on both paths: in the worker (the default) and as a module process (opted out).
    kinds = dict((kind + suffix, (body, dict(play_vars, **(OPT_OUT if suffix else {}))))
                 for _path, suffix in METADATA_PATHS for kind, (body, play_vars) in bodies.items())
    # Reference, no module: what Ansible itself spends on the same 200-table variable in a task
    # (templated into set_fact's arguments, taken back as a fact), which metadata_200 pays too.
    kinds["set_fact_200"] = ({"ansible.builtin.set_fact": {"copy_of_metadata": "{{ bench_metadata }}"}},
                             {"bench_metadata": metadata})
    books = {}
    for kind, (body, play_vars) in kinds.items():
        tasks = [dict(name="%s %d" % (kind, i), **body) for i in range(ntasks)]
        books[kind] = (ans.playbook(tasks[:1], "md-%s-1.yml" % kind, play_vars=play_vars),
                       ans.playbook(tasks, "md-%s-%d.yml" % (kind, ntasks), play_vars=play_vars))
    raw = {kind: [] for kind in kinds}
    order = list(kinds)
    for rnd in range(rounds):
        for kind in order[rnd % len(order):] + order[:rnd % len(order)]:
            times = {}
            for label in (("t1", "tn") if rnd % 2 == 0 else ("tn", "t1")):
                elapsed, proc = ans.run_playbook(books[kind][0 if label == "t1" else 1])
                if recap(proc.stdout).get("changed") or recap(proc.stdout).get("failed"):
                    raise RuntimeError("%s: a no-op task reported a change or failed" % kind)
                times[label] = elapsed
            raw[kind].append((times["tn"] - times["t1"]) / (ntasks - 1))
        log("metadata: round %d/%d: %s" % (rnd + 1, rounds, ", ".join("%s %.3fs" % (k, raw[k][-1]) for k in order)))
    result = {"tables": METADATA_TABLES, "tasks_per_playbook": ntasks, "rounds": rounds,
              "kinds": dict((kind, {"per_task_s": median(raw[kind]), "raw": raw[kind]}) for kind in kinds),
              "ratios": {}}
    for path, suffix in METADATA_PATHS:
        for kind in ("metadata_200", "metadata_200_src"):
            per_round = [m / e for m, e in zip(raw[kind + suffix], raw["env" + suffix]) if e > 0]
            result["ratios"]["%s, %s" % (kind, path)] = {"median_of_round_ratios": median(per_round),
                                                         "per_round": per_round}
    return result


# ----------------------------------------------------------------------------- scaling


def keyset(size: int, value) -> dict:
    return {"KEY_%04d" % j: value(j) for j in range(size)}


def bench_scaling(emu: Emulator, ans: Ansible, rounds: int, ntasks: int, sizes=(10, 100, 1000)) -> dict:
    """Per-task time with 10 to 1,000 keys, as module processes (the issue 6 target) and in the worker."""
    tenants, baselines, books = {}, {}, {}
    for size in sizes:
        baselines[size] = keyset(size, lambda j: "value-%d" % j)
        tenants[size] = emu.create_tenant("bench-scale-%d" % size, baselines[size])
        for mode in ("noop", "change"):
            for path in SCALING_PATHS:
                tasks = []
                for i in range(ntasks):
                    env = baselines[size] if mode == "noop" else keyset(size, lambda j, i=i: "c%d-%d" % (i, j))
                    task = {"name": "%s %d keys %d" % (mode, size, i), ENV_MODULE: {"tenant_id": tenants[size], "env": env}}
                    if path == "module":
                        task["vars"] = OPT_OUT
                    tasks.append(task)
                books[(size, mode, path)] = (ans.playbook(tasks[:1], "scale-%d-%s-%s-1.yml" % (size, mode, path)),
                                             ans.playbook(tasks, "scale-%d-%s-%s-%d.yml" % (size, mode, path, ntasks)))
    configs = list(books)
    raw = {cfg: [] for cfg in configs}
    for rnd in range(rounds):
        shift = rnd % len(configs)
        for size, mode, path in configs[shift:] + configs[:shift]:
            times = {}
            pair = ("t1", "tn") if rnd % 2 == 0 else ("tn", "t1")
            for label in pair:
                emu.set_env(tenants[size], baselines[size])
                book = books[(size, mode, path)][0 if label == "t1" else 1]
                elapsed, proc = ans.run_playbook(book)
                counts = recap(proc.stdout)
                want = 0 if mode == "noop" else (1 if label == "t1" else ntasks)
                if counts.get("changed", 0) != want:
                    raise RuntimeError("scaling %s %d %s: %s changed tasks, expected %d" % (
                        mode, size, path, counts.get("changed"), want))
                times[label] = elapsed
            raw[(size, mode, path)].append((times["tn"] - times["t1"]) / (ntasks - 1))
        log("scaling: round %d/%d: %s" % (rnd + 1, rounds, ", ".join(
            "%s/%d/%s %.3fs" % (m, s, p, raw[(s, m, p)][-1]) for s, m, p in configs)))

    result = {"tasks_per_playbook": ntasks, "rounds": rounds, "sizes": {}}
    for size in sizes:
        entry = {}
        for mode in ("noop", "change"):
            entry[mode] = {"per_task_s": median(raw[(size, mode, "module")]), "raw": raw[(size, mode, "module")],
                           "worker_per_task_s": median(raw[(size, mode, "worker")]),
                           "worker_raw": raw[(size, mode, "worker")]}
        # Requests of one task, whatever the number of keys: no-op, change, change with removals.
        emu.set_env(tenants[size], baselines[size])
        entry["noop"]["requests"] = count_requests(emu, ans, {ENV_MODULE: {
            "tenant_id": tenants[size], "env": baselines[size]}})
        entry["change"]["requests"] = count_requests(emu, ans, {ENV_MODULE: {
            "tenant_id": tenants[size], "env": keyset(size, lambda j: "r%d" % j)}})
        emu.set_env(tenants[size], dict(baselines[size], EXTRA_KEY="x"))
        entry["change_removals"] = {"requests": count_requests(emu, ans, {ENV_MODULE: {
            "tenant_id": tenants[size], "env": keyset(size, lambda j: "p%d" % j), "purge": True}})}
        result["sizes"][str(size)] = entry
    big, small = max(sizes), min(sizes)
    for mode in ("noop", "change"):
        for path, prefix in (("module", "ratio"), ("worker", "worker_ratio")):
            per_round = [b / s for b, s in zip(raw[(big, mode, path)], raw[(small, mode, path)]) if s > 0]
            result["%s_%s_%s_vs_%s" % (prefix, mode, big, small)] = {
                "median_of_round_ratios": median(per_round), "per_round": per_round}
    return result


def bench_inventory(emu: Emulator, ans: Ansible, rounds: int, nhosts: int) -> dict:
    """A play over every project of the inventory plugin: forks 1 and 5, in the worker and as module processes."""
    for i in range(nhosts):
        emu.create_tenant("bench-inventory-%03d" % i, {"A": "1"})
    source = ans.workdir / "bench.hasura_cloud.yml"
    source.write_text("plugin: hasura.cloud.projects\n")
    book = ans.playbook([{"name": "env no-op", ENV_MODULE: {"tenant_id": "{{ hasura_tenant_id }}", "env": {"A": "1"}}}],
                        "inventory.yml", hosts="bench-inventory-*")
    configs = [(path, forks) for path in ("in_process", "module") for forks in (1, 5)]
    raw = {config: [] for config in configs}
    for rnd in range(rounds):
        shift = rnd % len(configs)
        for path, forks in configs[shift:] + configs[:shift]:
            extra = {"HASURA_CLOUD_IN_PROCESS": "false"} if path == "module" else None
            elapsed, proc = ans.run_playbook(book, inventory=str(source), forks=forks, extra_env=extra)
            counts = recap(proc.stdout)
            if counts.get("ok") != nhosts or counts.get("changed"):
                raise RuntimeError("inventory play %s forks %d: unexpected recap %s" % (path, forks, counts))
            raw[(path, forks)].append(elapsed)
        log("inventory: round %d/%d: %s" % (rnd + 1, rounds, ", ".join(
            "%s/forks %d %.2fs" % (p, f, raw[(p, f)][-1]) for p, f in configs)))
    result = {"hosts": nhosts, "rounds": rounds}
    for path, forks in configs:
        wall = median(raw[(path, forks)])
        result["%s_forks_%d" % (path, forks)] = {"wall_s": wall, "per_host_s": wall / nhosts, "raw": raw[(path, forks)]}
    for forks in (1, 5):
        per_round = [a / b for a, b in zip(raw[("in_process", forks)], raw[("module", forks)]) if b > 0]
        result["ratio_forks_%d" % forks] = {"median_of_round_ratios": median(per_round), "per_round": per_round}
    return result


def bench_memory(emu: Emulator, ans: Ansible, rounds: int, ntasks: int = 10) -> dict:
    """Peak RSS of the largest process a play starts: env tasks in the worker / as module processes, and debug."""
    tenant_id = emu.create_tenant("bench-memory", {"A": "1"})
    env_task = {ENV_MODULE: {"tenant_id": tenant_id, "env": {"A": "1"}}}
    kinds = {
        "debug": {"ansible.builtin.debug": {"msg": "hello"}},
        "env": env_task,
        "env_module": dict(env_task, vars=OPT_OUT),
    }
    books = {kind: ans.playbook([dict(name="%s %d" % (kind, i), **body) for i in range(ntasks)], "memory-%s.yml" % kind)
             for kind, body in kinds.items()}
    raw = {kind: [] for kind in kinds}
    for _round in range(max(1, rounds)):
        for kind, book in books.items():
            raw[kind].append(ans.children_peak_rss(book))
    result = {"tasks": ntasks, "rounds": max(1, rounds), "kinds": {}}
    for kind, values in raw.items():
        result["kinds"][kind] = {"children_maxrss_kib": max(v["children"] for v in values),
                                 "main_maxrss_kib": max(v["main"] for v in values)}
    result["env_over_debug_mib"] = (result["kinds"]["env"]["children_maxrss_kib"]
                                    - result["kinds"]["debug"]["children_maxrss_kib"]) / 1024.0
    return result


# ----------------------------------------------------------------------------- module process


def keep_payload(emu: Emulator, ans: Ansible, label: str, module: str, args: dict) -> tuple[Path, int, float]:
    """Run the module once ad hoc with ANSIBLE_KEEP_REMOTE_FILES=1; return its AnsiballZ file,
    the peak RSS of that whole ad-hoc run (controller included) and its wall time."""
    keep = ans.workdir / "keep" / label
    if keep.exists():
        shutil.rmtree(keep)
    keep.mkdir(parents=True)
    wall, rss, proc = ans.run_adhoc(module, args, extra_env={"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(keep),
                                                             "HASURA_CLOUD_IN_PROCESS": "false"})
    if proc.returncode != 0:
        raise RuntimeError("ansible -m %s failed:\n%s\n%s" % (module, proc.stdout[-2000:], proc.stderr[-2000:]))
    found = glob.glob(str(keep / "ansible-tmp-*" / "AnsiballZ_*.py"))
    if len(found) != 1:
        raise RuntimeError("expected one kept AnsiballZ payload for %s, found %s" % (label, found))
    return Path(found[0]), rss, wall


def module_payloads(emu: Emulator, ans: Ansible, with_modules: bool) -> dict:
    name = "bench-payload"
    tid = emu.create_tenant(name, {"APP_MODE": "prod", "DEBUG": "1"})
    specs = {
        "ping": ("ansible.builtin.ping", {}),
        "uri": ("ansible.builtin.uri", {"url": emu.url, "method": "POST", "body_format": "json",
                                        "headers": {"Authorization": "pat " + emu.token},
                                        "body": {"query": GET_ENV, "variables": {"id": tid}}}),
    }
    if with_modules:
        specs["env"] = (ENV_MODULE, {"tenant_id": tid, "env": {"APP_MODE": "prod", "DEBUG": "1"}})
        specs["tenant_by_id"] = (TENANT_MODULE, {"tenant_id": tid, "name": name})
        specs["bare"] = ("bench_bare_requests_post", {"url": emu.url, "token": emu.token, "tenant_id": tid})
    payloads = {}
    for label, (module, args) in specs.items():
        path, rss, wall = keep_payload(emu, ans, label, module, args)
        payloads[label] = {"path": path, "adhoc_maxrss_kib": rss, "adhoc_wall_s": wall}
    return payloads


def bench_module_process(emu: Emulator, ans: Ansible, payloads: dict, rounds: int) -> dict:
    """Each payload run directly (no controller): wall time and peak RSS, with baselines."""
    env = dict(ans.env)
    commands = {label: [ans.python, str(info["path"])] for label, info in payloads.items()}
    commands["python -c pass"] = [ans.python, "-c", "pass"]
    commands["python -c 'import requests'"] = [ans.python, "-c", "import requests"]
    raw = {label: [] for label in commands}
    for _round in range(max(rounds, 5)):
        for label, cmd in commands.items():
            wall, rss, proc = measure_rss(cmd, env=env, cwd=ans.workdir)
            if proc.returncode != 0:
                raise RuntimeError("%s failed: %s %s" % (label, proc.stdout[-1000:], proc.stderr[-1000:]))
            if label in payloads and json.loads(proc.stdout).get("changed"):
                raise RuntimeError("%s: the kept payload reported a change" % label)
            raw[label].append((wall, rss))
    out = {}
    for label, values in raw.items():
        out[label] = {"wall_s": median([v[0] for v in values]), "maxrss_kib": max(v[1] for v in values)}
        if label in payloads:
            out[label]["adhoc_maxrss_kib"] = payloads[label]["adhoc_maxrss_kib"]
    return out


def profile_payload(ans: Ansible, path: Path, top: int = 25) -> dict:
    """cProfile (+ pyinstrument if installed) and -X importtime of one payload run."""
    env = dict(ans.env)
    report = {}
    prof = ans.workdir / "module.prof"
    subprocess.run([ans.python, "-m", "cProfile", "-o", str(prof), str(path)], env=env, cwd=ans.workdir,
                   capture_output=True, text=True, check=False)
    script = ("import pstats, sys\n"
              "s = pstats.Stats(sys.argv[1]); s.strip_dirs()\n"
              "s.sort_stats('cumulative').print_stats(%d)\n"
              "s.sort_stats('tottime').print_stats(%d)\n" % (top, top))
    report["cprofile"] = subprocess.run([ans.python, "-c", script, str(prof)], capture_output=True,
                                        text=True, check=False).stdout
    has_pyinstrument = subprocess.run([ans.python, "-c", "import pyinstrument"], capture_output=True,
                                      check=False).returncode == 0
    if has_pyinstrument:
        proc = subprocess.run([ans.python, "-m", "pyinstrument", "-r", "text", "-i", "0.0005", str(path)],
                              env=env, cwd=ans.workdir, capture_output=True, text=True, check=False)
        text = proc.stdout
        # The module prints its JSON result first; the pyinstrument report follows.
        report["pyinstrument"] = text[text.find("\n") + 1:] if text.startswith("{") else text
    else:
        report["pyinstrument"] = "(pyinstrument not installed in %s)" % ans.python
    proc = subprocess.run([ans.python, "-X", "importtime", str(path)], env=env, cwd=ans.workdir,
                          capture_output=True, text=True, check=False)
    imports = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            imports.append((int(match.group(2)), int(match.group(1)), len(match.group(3)), match.group(4)))
    top_level = sorted((i for i in imports if i[2] <= 1), reverse=True)[:20]
    report["importtime_top_level_us"] = [{"module": m, "cumulative_us": c, "self_us": s} for c, s, _depth, m in top_level]
    report["importtime_total_us"] = sum(i[0] for i in imports if i[2] <= 1)
    return report


# ----------------------------------------------------------------------------- table


def fmt(value, spec="%.3f"):
    return "-" if value is None else spec % value


def evaluate(results: dict) -> list:
    targets = []

    def add(name, value, limit, ok, shown):
        targets.append({"target": name, "value": value, "limit": limit, "pass": bool(ok), "shown": shown})

    ratios = results.get("per_task", {}).get("ratios", {})
    for key, label in (("env_vs_ping", "no-op env task (worker) <= %.2fx ping"),
                       ("env_vs_uri", "no-op env task (worker) <= %.2fx uri"),
                       ("env_loop_vs_ping", "loop item (worker) <= %.2fx ping"),
                       ("env_module_vs_uri", "no-op env task (module) <= %.2fx uri"),
                       ("env_module_vs_ping", "no-op env task (module) <= %.2fx ping")):
        if key in ratios:
            value, limit = ratios[key]["median_of_round_ratios"], TARGETS[key]
            add(label % limit, value, limit, value is not None and value <= limit, fmt(value, "%.2fx"))
    inventory = results.get("inventory")
    if inventory:
        limit = TARGETS["inventory_in_process_vs_module"]
        for forks in (1, 5):
            value = inventory["ratio_forks_%d" % forks]["median_of_round_ratios"]
            add("%d projects, forks %d: worker <= %.1fx module" % (inventory["hosts"], forks, limit), value, limit,
                value is not None and value <= limit, fmt(value, "%.2fx"))
    memory = results.get("memory")
    if memory:
        value, limit = memory["env_over_debug_mib"], TARGETS["worker_rss_over_debug_mib"]
        add("worker peak RSS <= debug + %d MiB" % limit, value, limit, value <= limit, "%+.1f MiB" % value)
    for label, entry in results.get("requests", {}).items():
        if entry.get("target"):
            add("requests: %s = %d" % (label, entry["expected"]), entry["requests"], entry["expected"],
                entry["requests"] == entry["expected"] and not entry["failed"], str(entry["requests"]))
    for label, entry in results.get("requests", {}).items():
        if entry.get("target") and entry.get("expected_metadata") is not None:
            got = entry.get("metadata_requests")
            add("requests: %s = %d + %d metadata" % (label, entry["expected"], entry["expected_metadata"]), got,
                entry["expected_metadata"], got == entry["expected_metadata"] and not entry["failed"], str(got))
    metadata = results.get("metadata")
    if metadata:
        for label, entry in metadata["ratios"].items():
            value = entry["median_of_round_ratios"]
            add("no-op metadata (%d tables, %s) <= %.1fx env, same path" % (
                metadata["tables"], label.replace("metadata_200_src", "src").replace("metadata_200", "dict"),
                TARGETS["metadata_vs_env"]), value, TARGETS["metadata_vs_env"],
                value is not None and value <= TARGETS["metadata_vs_env"], fmt(value, "%.2fx"))
    scaling = results.get("scaling")
    if scaling:
        for size, entry in scaling["sizes"].items():
            for mode, want in (("noop", 1), ("change", 2), ("change_removals", 3)):
                got = entry[mode]["requests"]["requests"]
                add("requests: %s with %s keys = %d" % (mode.replace("_", " with "), size, want), got, want,
                    got == want and not entry[mode]["requests"]["failed"], str(got))
        for mode in ("noop", "change"):
            key = [k for k in scaling if k.startswith("ratio_%s_" % mode)][0]
            value = scaling[key]["median_of_round_ratios"]
            add("%s (module): 1,000 keys <= 1.2x 10 keys" % mode, value, TARGETS["scale_1000_vs_10"],
                value is not None and value <= TARGETS["scale_1000_vs_10"], fmt(value, "%.2fx"))
    return targets


def print_table(results: dict) -> None:
    lines = []
    out = lines.append
    meta = results["meta"]
    out("")
    out("hasura.cloud benchmarks  (%s, ansible-core %s, Python %s, %s CPUs)" % (
        meta["date"], meta["ansible_core"], meta["python"], meta["cpus"]))
    per = results.get("per_task")
    if per:
        out("")
        out("Per-task wall time: (T(%d tasks) - T(1 task)) / %d, median of %d rounds" % (
            per["tasks_per_playbook"], per["tasks_per_playbook"] - 1, per["rounds"]))
        out("  %-22s %10s %12s" % ("kind", "per task", "start-up"))
        for kind, entry in per["kinds"].items():
            out("  %-22s %9.3fs %11.3fs" % (kind, entry["per_task_s"], entry["startup_s"]))
        for key, entry in per["ratios"].items():
            out("  ratio %-28s %.2fx  (ratio of medians %.2fx)" % (
                key.replace("_vs_", " / "), entry["median_of_round_ratios"], entry["ratio_of_medians"]))
    reqs = results.get("requests")
    if reqs:
        out("")
        out("Requests per task (/_emulator/stats)")
        out("  %-34s %8s %8s %8s  %s" % ("task", "requests", "expected", "changed", "operations"))
        for label, entry in reqs.items():
            ops = ", ".join("%s %d" % kv for kv in sorted(entry["operations"].items()))
            if entry.get("expected_metadata") is not None:
                ops += "; metadata API %s (expected %d): %s" % (
                    entry.get("metadata_requests"), entry["expected_metadata"],
                    ", ".join("%s %d" % kv for kv in sorted(entry["metadata"].get("types", {}).items())))
            out("  %-34s %8s %8s %8s  %s%s" % (label, entry["requests"], fmt(entry["expected"], "%d"),
                                               entry["changed"], ops, "  FAILED" if entry["failed"] else ""))
    scaling = results.get("scaling")
    if scaling:
        out("")
        out("Scaling: one hasura_tenant_env task, per-task wall time (median of %d rounds) and requests" %
            scaling["rounds"])
        out("  %-6s %12s %12s %12s %12s %10s %10s %12s" % ("keys", "no-op", "change", "worker no-op", "worker chg",
                                                           "req no-op", "req change", "req +removal"))
        for size, entry in scaling["sizes"].items():
            out("  %-6s %11.3fs %11.3fs %11.3fs %11.3fs %10d %10d %12d" % (
                size, entry["noop"]["per_task_s"], entry["change"]["per_task_s"],
                entry["noop"]["worker_per_task_s"], entry["change"]["worker_per_task_s"],
                entry["noop"]["requests"]["requests"], entry["change"]["requests"]["requests"],
                entry["change_removals"]["requests"]["requests"]))
        for key, entry in scaling.items():
            for prefix, label in (("ratio_", "module process, "), ("worker_ratio_", "worker, ")):
                if key.startswith(prefix):
                    out("  %-44s %s" % (label + key[len(prefix):].replace("_", " "),
                                        fmt(entry["median_of_round_ratios"], "%.2fx")))
    inventory = results.get("inventory")
    if inventory:
        out("")
        out("Play over the %d projects of the inventory plugin (one no-op env task per host), whole "
            "ansible-playbook run, median of %d rounds" % (inventory["hosts"], inventory["rounds"]))
        out("  %-8s %14s %14s %10s" % ("", "worker", "module", "ratio"))
        for forks in (1, 5):
            worker, module = inventory["in_process_forks_%d" % forks], inventory["module_forks_%d" % forks]
            out("  forks %-2d %7.2fs %4.0f ms %7.2fs %4.0f ms %9s" % (
                forks, worker["wall_s"], 1000 * worker["per_host_s"], module["wall_s"], 1000 * module["per_host_s"],
                fmt(inventory["ratio_forks_%d" % forks]["median_of_round_ratios"], "%.2fx")))
    metadata = results.get("metadata")
    if metadata:
        out("")
        out("No-op hasura_metadata (%d tables) next to a no-op hasura_tenant_env task, per-task wall time, median of %d "
            "rounds (kinds ending in _module: as a module process; the others in the worker)"
            % (metadata["tables"], metadata["rounds"]))
        for kind, entry in metadata["kinds"].items():
            out("  %-26s %9.3fs" % (kind, entry["per_task_s"]))
        for label, entry in metadata["ratios"].items():
            out("  ratio to env, %-28s %s" % (label, fmt(entry["median_of_round_ratios"], "%.2fx")))
        out("  (set_fact_200, a reference with no module: Ansible templating the same 200-table variable into a task "
            "and taking it back as a fact)")
    memory = results.get("memory")
    if memory:
        out("")
        out("Peak RSS of the largest process ansible-playbook starts, a play of %d tasks (max of %d rounds)" % (
            memory["tasks"], memory["rounds"]))
        for kind, label in (("debug", "ansible.builtin.debug"), ("env", "no-op env task, worker"),
                            ("env_module", "no-op env task, module process")):
            entry = memory["kinds"][kind]
            out("  %-34s %8.1f MiB   (ansible-playbook itself %.1f MiB)" % (
                label, entry["children_maxrss_kib"] / 1024.0, entry["main_maxrss_kib"] / 1024.0))
        out("  worker over debug: %+.1f MiB" % memory["env_over_debug_mib"])
    proc = results.get("module_process")
    if proc:
        out("")
        out("Module process alone (AnsiballZ payload run directly), median wall, peak RSS")
        out("  %-30s %10s %12s %16s" % ("", "wall", "peak RSS", "ad-hoc run RSS"))
        for label, entry in proc.items():
            out("  %-30s %9.3fs %9.1f MiB %13s" % (
                label, entry["wall_s"], entry["maxrss_kib"] / 1024.0,
                fmt(entry.get("adhoc_maxrss_kib") and entry["adhoc_maxrss_kib"] / 1024.0, "%.1f MiB")))
    targets = results.get("targets", [])
    if targets:
        out("")
        out("Targets (issue 12: worker; issue 6: module process, requests, scaling)")
        for entry in targets:
            out("  %-4s %-46s %s" % ("PASS" if entry["pass"] else "MISS", entry["target"], entry["shown"]))
        missed = sum(1 for t in targets if not t["pass"])
        out("  %d of %d targets met%s" % (len(targets) - missed, len(targets),
                                          "" if not missed else "; run with --profile to see what dominates"))
    print("\n".join(lines), flush=True)


def print_profile(report: dict) -> None:
    print("\n=== profile of one no-op hasura_tenant_env module run (AnsiballZ payload) ===")
    print("\n--- -X importtime, top-level imports by cumulative time (total %.0f ms)" % (
        report["importtime_total_us"] / 1000.0))
    for entry in report["importtime_top_level_us"]:
        print("  %8.1f ms  %8.1f ms self  %s" % (entry["cumulative_us"] / 1000.0, entry["self_us"] / 1000.0, entry["module"]))
    print("\n--- pyinstrument\n" + report["pyinstrument"])
    print("--- cProfile\n" + report["cprofile"])


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="repetitions of every timed measurement (5)")
    parser.add_argument("--tasks", type=int, default=30, help="tasks per playbook for per-task times (30)")
    parser.add_argument("--scale-tasks", type=int, default=8, help="tasks per playbook in the scaling runs (8)")
    parser.add_argument("--hosts", type=int, default=100, help="projects in the inventory play (100)")
    parser.add_argument("--quick", action="store_true", help="fast sanity run: 1 round, short playbooks")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one no-op hasura_tenant_env module run and print the top entries")
    parser.add_argument("--only", default="per_task,requests,metadata,scaling,inventory,memory,module_process",
                        help="comma-separated sections to run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--output", default=str(RESULTS), help="JSON results file (%(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.tasks, args.scale_tasks, args.hosts = 1, 6, 3, 10
    sections = set(args.only.split(","))

    missing = modules_present()
    with_modules = not missing
    if missing:
        log("modules not written yet (%s): measuring uri and ping only" % ", ".join(missing))
        sections -= {"requests", "scaling", "inventory", "memory", "metadata"}

    workdir = Path(tempfile.mkdtemp(prefix="hasura-bench-"))
    started = time.time()
    emu = Emulator()
    results = {}
    try:
        ans = Ansible(workdir, emu)
        version = subprocess.run([ans.python, "-c", "from ansible.release import __version__; print(__version__)"],
                                 capture_output=True, text=True, check=False).stdout.strip()
        results["meta"] = {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "ansible_core": version, "python": platform.python_version(), "cpus": os.cpu_count(),
            "rounds": args.rounds, "quick": args.quick, "git": subprocess.run(
                ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
            ).stdout.strip(),
        }
        log("emulator at %s, work directory %s" % (emu.url, workdir))
        if "requests" in sections:
            log("requests per task ...")
            results["requests"] = bench_requests(emu, ans)
        if "per_task" in sections:
            log("per-task wall time: %d rounds of %d kinds x (1 + %d tasks) ..." % (
                args.rounds, 8 if with_modules else 2, args.tasks))
            results["per_task"] = bench_per_task(emu, ans, args.rounds, args.tasks, with_modules)
        if "metadata" in sections:
            log("no-op metadata task (%d tables) next to a no-op env task ..." % METADATA_TABLES)
            results["metadata"] = bench_metadata(emu, ans, args.rounds, args.tasks)
        if "scaling" in sections:
            log("scaling with 10/100/1000 keys ...")
            results["scaling"] = bench_scaling(emu, ans, args.rounds, args.scale_tasks)
        if "inventory" in sections:
            log("play over %d projects of the inventory plugin, forks 1 and 5, worker and module ..." % args.hosts)
            results["inventory"] = bench_inventory(emu, ans, max(1, (args.rounds + 1) // 2), args.hosts)
        if "memory" in sections:
            log("peak memory of the worker against debug ...")
            results["memory"] = bench_memory(emu, ans, max(1, (args.rounds + 1) // 2))
        payloads = None
        if "module_process" in sections or args.profile:
            payloads = module_payloads(emu, ans, with_modules)
        if "module_process" in sections:
            log("module process wall time and peak memory ...")
            results["module_process"] = bench_module_process(emu, ans, payloads, args.rounds)
        results["targets"] = evaluate(results)
        results["meta"]["duration_s"] = round(time.time() - started, 1)
        print_table(results)
        if args.profile:
            label = "env" if with_modules else "uri"
            report = profile_payload(ans, payloads[label]["path"])
            results["profile"] = report
            print_profile(report)
    finally:
        # Written even when a section or the table fails, so a long run is never lost.
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=1, sort_keys=False, default=str) + "\n")
        log("results written to %s (%.0f s)" % (output, time.time() - started))
        emu.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log("work directory kept: %s" % workdir)

    missed = [t for t in results.get("targets", []) if not t["pass"]]
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
