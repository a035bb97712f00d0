"""How long `kenal import` takes on a realistic volume, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_bench.py [--parties 100000] [--lines 1000000]

Generates seeded interchange files (benchmarks/gen_interchange.py), imports them into a
fresh SQLite file and a fresh PostgreSQL database (created and dropped here), each
file twice so the second run times a re-import that changes nothing, and measures
every `kenal import` child process: wall time, CPU time and peak RSS from its own
rusage. The results replace this script's section of docs/benchmarks.md.
Run by hand; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    load: float
    summary: str


def server_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database`` (from /proc),
    since the server's share of an import is not in the client's rusage."""
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
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def measure(args: list[str], env: dict[str, str], database: str | None) -> tuple[float, float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process, the CPU
    seconds of its PostgreSQL backend (0 for SQLite), and its last line of output."""
    out = tempfile.TemporaryFile()
    backends: dict[int, float] = {}
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
    return wall, cpu, usage.ru_maxrss / 1024, sum(backends.values()), text.strip().splitlines()[-1]


def import_all(database: str, env: dict[str, str], files: Path, pg_name: str | None = None) -> list[Run]:
    subprocess.run([KENAL, "migrate", "-v0"], env=env, check=True)
    runs = []
    for kind in ("parties", "orders", "agreements", "interactions"):
        for attempt in ("first", "again"):
            load = os.getloadavg()[0]
            wall, cpu, rss, server, summary = measure(
                [KENAL, "import", kind, str(files / f"{kind}.csv"), "--quiet"], env, pg_name
            )
            runs.append(Run(database, kind, attempt, wall, cpu, server, rss, load, summary))
            print(f"{database:10} {kind:12} {attempt:5} {wall:7.1f} s wall {cpu:7.1f} s CPU {server:7.1f} s server"
                  f" {rss:7.0f} MiB"
                  f"  load {load:.1f}  {summary}", flush=True)
    return runs


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    mem = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    ram = f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB RAM" if mem else "unknown RAM"
    return f"{nproc} cores (`nproc`), {model.group(1).strip() if model else 'unknown CPU'}, {ram}"


def section(runs: list[Run], *, parties: int, lines: int, seed: int, generated: float) -> str:
    rows = "\n".join(
        f"| {r.database} | {r.kind} | {'first import' if r.attempt == 'first' else 're-import, no change'} "
        f"| {r.wall:.1f} | {r.cpu:.1f} | {r.server_cpu:.1f} | {r.rss_mb:.0f} | {r.load:.1f} |"
        for r in runs
    )
    orders = next((r.summary for r in runs if r.kind == "orders" and r.attempt == "first"), "")
    verdict = (
        "Against the target (a million order lines in under 60 s, under 2 GB of memory, on each database), "
        f"importing {lines:,} lines: "
    ) + "; ".join(
        f"{r.database}: {r.wall:.0f} s and {r.rss_mb:.0f} MiB for the first orders import, "
        + ("within it" if r.wall < 60 and r.rss_mb < 2048 else "not within it")
        for r in runs
        if r.kind == "orders" and r.attempt == "first"
    ) + "."
    return f"""## `kenal import` (interchange CSV)

Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}; Python
{sys.version.split()[0]}, SQLite {__import__("sqlite3").sqlite_version}, {pg_version()}.
Files from `benchmarks/gen_interchange.py --parties {parties} --lines {lines} --seed {seed}`
(generated in {generated:.0f} s); every import runs as its own `kenal import` process
into a fresh database. Wall and CPU time and peak RSS are the child process's own
(`os.wait4` rusage); "load" is the 1-minute load average just before the run.

The first orders import reported: {orders}

| database | file | run | wall s | CPU s | server CPU s | peak RSS MiB | load |
|---|---|---|---:|---:|---:|---:|---:|
{rows}

How an import works: the file is read once, streaming, and every row checked in
Python (nothing is written while any row is wrong); checked rows go in batches into
TEMP staging tables (PostgreSQL `COPY`, SQLite `executemany`), and a handful of
`INSERT ... SELECT ... ON CONFLICT DO UPDATE` statements, in one transaction, merge
only the rows that are new or differ, so a re-import that changes nothing writes
nothing. Order summaries are computed with one `GROUP BY` over the staged lines. On
PostgreSQL, an orders file that at least doubles the stored lines (the first import
here) has its foreign keys dropped and added back around the merge, so references are
checked by one join per key rather than by a trigger per row at commit.

How to read the figures: "CPU" is the `kenal import` process (Python and, for SQLite,
the database engine inside it); "server CPU" is the PostgreSQL backend serving it
(index maintenance, foreign-key checks, WAL), sampled from
/proc every quarter second, so a little of its last moments may be missing.

With a load average above 2, something else was using the 2 cores and an import got
only part of one: its wall time stretches by about load / 2 while its CPU time stays.
Re-run with `.venv/bin/python benchmarks/import_bench.py`.

{verdict}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kenal-import-bench-"))
    try:
        started = time.perf_counter()
        generate(work / "files", parties=args.parties, lines=args.lines, seed=args.seed)
        generated = time.perf_counter() - started
        base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        base_env["KENAL_LANGUAGE"] = "en"

        runs = import_all("SQLite", base_env | {"KENAL_DATA_DIR": str(work / "sqlite")}, work / "files")

        if pg_version() != "no PostgreSQL":
            name = f"kenal_import_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                env = base_env | {"KENAL_DATA_DIR": str(work / "pg"), "DATABASE_URL": server_url(name)}
                runs += import_all("PostgreSQL", env, work / "files", name)
            finally:
                with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(runs, parties=args.parties, lines=args.lines, seed=args.seed, generated=generated)
    if args.no_doc:
        print(text)
    else:
        benchdoc.write_section("import", text)
        print(f"Wrote {benchdoc.DOC}")


if __name__ == "__main__":
    main()
