"""How long `kenal import` takes on a realistic volume, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_bench.py [--scale 0.1]

Scale 1.0 is a shop with a long history: 10,000,000 order lines, 1,000,000 parties,
2,000,000 interactions (and 20,000 agreements); every size scales with it.

Generates seeded interchange files (benchmarks/gen_interchange.py), imports them into a
fresh SQLite file and a fresh PostgreSQL database (created and dropped here), each
file twice so the second run times a re-import that changes nothing, and measures
every `kenal import` child process: wall time, CPU time and peak RSS from its own
rusage. The results replace this script's section of docs/benchmarks.md.
Run by hand; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdoc  # noqa: E402
from gen_interchange import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KENAL = str(Path(sys.executable).parent / "kenal")


@dataclass
class Run:
    database: str
    kind: str
    attempt: str
    wall: float
    cpu: float
    server_cpu: float
    rss_mb: float
    server_rss_mb: float
    load: float
    summary: str


def server_cpu(database: str) -> dict[int, tuple[float, float]]:
    """CPU seconds so far and peak RSS (MiB) of each PostgreSQL backend serving
    ``database`` (from /proc), since the server's share of an import is not in the
    client's rusage."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    marker = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            if not title.startswith(b"postgres:") or marker not in title:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            peak = re.search(r"VmHWM:\s*(\d+) kB", (entry / "status").read_text())
        except OSError:
            continue
        found[int(entry.name)] = ((int(fields[11]) + int(fields[12])) / tick, int(peak.group(1)) / 1024 if peak else 0)
    return found


def measure(
    args: list[str], env: dict[str, str], database: str | None
) -> tuple[float, float, float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process, the CPU
    seconds and peak RSS of its PostgreSQL backend (0 for SQLite), and its last line
    of output."""
    out = tempfile.TemporaryFile()
    backends: dict[int, tuple[float, float]] = {}
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if database:
            backends |= server_cpu(database)
        time.sleep(0.25)
    wall = time.perf_counter() - started
    out.seek(0)
    text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{text}")
    cpu = usage.ru_utime + usage.ru_stime
    server = sum(cpu for cpu, _peak in backends.values())
    server_rss = max((peak for _cpu, peak in backends.values()), default=0)
    return wall, cpu, usage.ru_maxrss / 1024, server, server_rss, text.strip().splitlines()[-1]


def import_all(database: str, env: dict[str, str], files: Path, pg_name: str | None = None) -> list[Run]:
    subprocess.run([KENAL, "migrate", "-v0"], env=env, check=True)
    runs = []
    for kind in ("parties", "orders", "agreements", "interactions"):
        for attempt in ("first", "again"):
            load = os.getloadavg()[0]
            wall, cpu, rss, server, server_rss, summary = measure(
                [KENAL, "import", kind, str(files / f"{kind}.csv"), "--quiet"], env, pg_name
            )
            runs.append(Run(database, kind, attempt, wall, cpu, server, rss, server_rss, load, summary))
            print(f"{database:10} {kind:12} {attempt:5} {wall:7.1f} s wall {cpu:7.1f} s CPU {server:7.1f} s server"
                  f" {rss:7.0f} MiB {server_rss:6.0f} MiB server"
                  f"  load {load:.1f}  {summary}", flush=True)
    return runs


@dataclass(frozen=True)
class Scale:
    """The sizes of one run: scale 1.0 is 10,000,000 order lines, 1,000,000 parties and
    2,000,000 interactions."""

    factor: float

    @property
    def lines(self) -> int:
        return round(10_000_000 * self.factor)

    @property
    def parties(self) -> int:
        return round(1_000_000 * self.factor)

    @property
    def interactions(self) -> int:
        return round(2_000_000 * self.factor)


TARGETS = {"orders": (12.0, 1024), "interactions": (10.0, 1024)}  # seconds per million rows, MiB


def section(results: list[tuple[Scale, list[Run], float]], *, seed: int) -> str:
    tables = []
    for scale, runs, generated in results:
        rows = "\n".join(
            f"| {r.database} | {r.kind} | {'first import' if r.attempt == 'first' else 're-import, no change'} "
            f"| {r.wall:.1f} | {r.cpu:.1f} | {r.server_cpu:.1f} | {r.rss_mb:.0f} | "
            f"{f'{r.server_rss_mb:.0f}' if r.database == 'PostgreSQL' else '-'} | {r.load:.1f} |"
            for r in runs
        )
        orders = next((r.summary for r in runs if r.kind == "orders" and r.attempt == "first"), "")
        tables.append(f"""### Scale {scale.factor:g}: {scale.lines:,} order lines, {scale.parties:,} parties, \
{scale.interactions:,} interactions

Files from `benchmarks/gen_interchange.py --parties {scale.parties} --lines {scale.lines} \
--interactions {scale.interactions} --seed {seed}` (generated in {generated:.0f} s). The first orders import
reported: {orders}

| database | file | run | wall s | CPU s | server CPU s | peak RSS MiB | server peak RSS MiB | load |
|---|---|---|---:|---:|---:|---:|---:|---:|
{rows}
""")
    largest = max(results, key=lambda result: result[0].factor)
    scale, runs, _generated = largest
    def per_million(r: Run) -> str:
        rows = scale.lines if r.kind == "orders" else scale.interactions
        return (
            f"{r.database} {r.kind}: {r.wall / (rows / 1e6):.0f} s wall and"
            f" {(r.cpu + r.server_cpu) / (rows / 1e6):.0f} s CPU (client and server) per million rows"
            f" (target {TARGETS[r.kind][0]:g} s), peak {r.rss_mb:.0f} MiB (target under {TARGETS[r.kind][1]})"
        )

    verdict = "; ".join(per_million(r) for r in runs if r.kind in TARGETS and r.attempt == "first")
    return f"""## `kenal import` (interchange CSV)

{benchdoc.machine()} PostgreSQL: {pg_version()}.
Every import runs as its own `kenal import` process into a fresh database, each file
twice (the second run is a re-import that changes nothing). Wall and CPU time and peak
RSS are the child process's own (`os.wait4` rusage); "server" figures are the
PostgreSQL backend serving it, sampled from /proc every quarter second; "load" is the
1-minute load average just before the run.

{chr(10).join(tables)}
Targets (at scale 1.0: 10,000,000 lines in under 120 s and 2,000,000 interactions in
under 20 s on each database, under 1 GB at any size), per million rows at the largest
scale measured here ({scale.factor:g}): {verdict}. On a busy machine (load above 2) the
CPU figures are the ones to compare: wall time then mostly measures waiting for a core.

Memory: Python keeps no value per row, order or party, so the client's peak RSS hardly
moves between scales. On SQLite the import process also holds the database engine,
whose page cache the merge lets grow to 256 MiB and whose sorts spill to temporary
files past that, so SQLite's peak RSS rises until that cache is full (at about a
million lines) and stays there. The PostgreSQL server's share is bounded by
`work_mem` (256 MB per sort or hash, set for the import's transaction).

How an import works: the file is read once, streaming, and every row checked on its own
in Python (values, the line's numbers, phone numbers, currencies); every row goes, in
batches, into a TEMP staging table (PostgreSQL `COPY`, SQLite `executemany`) with its
row number, written on a second thread while the next batch is checked (at most two
batches wait), and each order line with its number in its order and what the order's
first line says, as read (one window pass renumbers a file whose orders are
scattered). The checks across rows (repeated ids, unknown parties, one buyer and one
currency per order, one kind per product) are SQL queries over the staged rows, which
report the first 100 problems by row and count the rest; the order summary is one
aggregate over the staged lines (`kenal/commerce/summary.py`, the same definition the
order services use). Only when no row is wrong, a handful of `UPDATE ... FROM` and
`INSERT ... SELECT` statements in one transaction write the rows that are new or
differ, so a re-import that changes nothing writes nothing. Python keeps no value per
row, order or party (caches of checked values are capped), so its memory is the same at
any size: compare the peak RSS at the two scales. An orders or interactions file that
at least doubles its table has that table's secondary indexes dropped and built again
after the merge, one sort each (on PostgreSQL also the foreign keys, checked by one join
per key instead of a trigger per row, and for orders and lines the unique constraints).

With a load average above 2, something else was using the 2 cores and an import got
only part of one: its wall time stretches by about load / 2 while its CPU time stays.

Full-size run, on a quiet machine: `.venv/bin/python benchmarks/import_bench.py --scale 0.1 1.0`.
"""


def pg_version() -> str:
    try:
        with psycopg.connect(server_url("postgres"), connect_timeout=3) as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except psycopg.OperationalError:
        return "no PostgreSQL"


def server_url(name: str) -> str:
    base = os.environ.get("KENAL_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    return base.rsplit("/", 1)[0] + "/" + name


def run_scale(scale: Scale, seed: int, work: Path) -> tuple[list[Run], float]:
    started = time.perf_counter()
    files = work / f"files-{scale.factor:g}"
    generate(files, parties=scale.parties, lines=scale.lines, seed=seed, interactions=scale.interactions)
    generated = time.perf_counter() - started
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base_env["KENAL_LANGUAGE"] = "en"
    try:
        runs = import_all("SQLite", base_env | {"KENAL_DATA_DIR": str(work / f"sqlite-{scale.factor:g}")}, files)
        if pg_version() != "no PostgreSQL":
            name = f"kenal_import_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                env = base_env | {"KENAL_DATA_DIR": str(work / "pg"), "DATABASE_URL": server_url(name)}
                runs += import_all("PostgreSQL", env, files, name)
            finally:
                with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(files, ignore_errors=True)
        shutil.rmtree(work / f"sqlite-{scale.factor:g}", ignore_errors=True)
    return runs, generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[0.1],
                        help="one or more sizes; 1.0 = 10,000,000 order lines and 1,000,000 parties")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kenal-import-bench-"))
    results = []
    try:
        for factor in args.scale:
            scale = Scale(factor)
            print(f"Scale {factor:g}: {scale.lines:,} lines, {scale.parties:,} parties", flush=True)
            runs, generated = run_scale(scale, args.seed, work)
            results.append((scale, runs, generated))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(results, seed=args.seed)
    if args.no_doc:
        print(text)
    else:
        benchdoc.write_section("import", text)
        print(f"Wrote {benchdoc.DOC}")


if __name__ == "__main__":
    main()
