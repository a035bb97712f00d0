"""How fast does ``kenal export parties`` write a large business, and in how much memory?

    python benchmarks/export_bench.py --scale 0.05               # both databases
    python benchmarks/export_bench.py --scale 1 --db postgresql   # the full target

Scale 1 is 1,000,000 parties with the facts of ``classify_bench.py`` (whose data
generation and loading this reuses). After loading, one process runs ``classify`` for
today, which stores every profile. Then each export runs in a fresh process of its
own, writing to a file, and is timed from the command's start to its end; its peak
memory is that process's peak RSS (``ru_maxrss``), and on PostgreSQL also the server
backend's. The exports:

* for today, JSON and CSV: the stored profiles are current, so the export reads them,
  streamed a chunk at a time, with no recompute;
* as of another day, JSON: computed on the side (a full run into the engine's work
  tables, nothing stored), then streamed the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdoc  # noqa: E402
import classify_bench  # noqa: E402

CASES = [
    ("today_json", "today, JSON (stored profiles)", ["--format", "json"]),
    ("today_csv", "today, CSV (stored profiles)", ["--format", "csv"]),
    ("other_day_json", f"as of {classify_bench.AS_OF.isoformat()}, JSON (computed on the side)",
     ["--format", "json", "--as-of", classify_bench.AS_OF.isoformat()]),
]
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def child_prepare(args) -> dict:
    import django

    django.setup()
    from kenal.classification.services import profiles_recompute

    started = time.perf_counter()
    summary = profiles_recompute()
    return {"classify_today_seconds": round(time.perf_counter() - started, 1), "parties": summary.parties}


def child_export(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    options = next(extra for key, _label, extra in CASES if key == args.case)
    target = Path(tempfile.mkdtemp(prefix="kenal-export-")) / "parties.out"
    started = time.perf_counter()
    call_command("export", "parties", *options, "--output", str(target), "--language", "id")
    seconds = time.perf_counter() - started
    result = {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "bytes": target.stat().st_size,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            peak = classify_bench._backend_peak_kib(cursor)
        result["pg_backend_peak_rss_mib"] = None if peak is None else round(peak / 1024)
    target.unlink()
    target.parent.rmdir()
    return result


def run_db(args, db: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "kenal.settings"
    workdir = tempfile.mkdtemp(prefix=f"kenal-exportbench-{db}-")
    env["KENAL_DATA_DIR"] = workdir
    admin = None
    if db == "postgresql":
        import psycopg

        server = args.pg_url.rstrip("/").rpartition("/")[0]
        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.pg_db}"')
        env["DATABASE_URL"] = f"{server}/{args.pg_db}"

    def child(script: str, step: str, *extra: str) -> dict:
        command = [sys.executable, script, "--child", step, "--db", db, "--scale", str(args.scale),
                   "--seed", str(args.seed), *extra]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{db} {step} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    try:
        result = {"db": db, **child(classify_bench.__file__, "load"), **child(__file__, "prepare")}
        for key, _label, _options in CASES:
            result[key] = child(__file__, "export", "--case", key)
    finally:
        if admin is not None and not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        if not args.keep:
            subprocess.run(["rm", "-rf", workdir])
    return result


def report(args, header: str, results: list[dict]) -> str:
    sizes = classify_bench.Data(args.scale, args.seed).sizes
    lines = [
        "## Export of every party (`kenal export parties`)",
        "",
        header,
        f"Scale {args.scale:g}, seed {args.seed}: {sizes['parties']:,} parties with the facts of the "
        "engine benchmark. Each export runs in a fresh process and writes a file, in Indonesian; peak "
        "memory is that process's peak RSS (and the PostgreSQL server backend's). Run: "
        "`.venv/bin/python benchmarks/export_bench.py --scale 1`.",
        "",
        "| database | export | wall s | peak memory MiB | output MB |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        for key, label, _options in CASES:
            x = r[key]
            memory = f"{x['peak_rss_mib']}"
            if x.get("pg_backend_peak_rss_mib") is not None:
                memory += f" + server {x['pg_backend_peak_rss_mib']}"
            lines.append(f"| {NAMES[r['db']]} | {label} | {x['seconds']} | {memory} | {x['bytes'] / 1e6:.1f} |")
    lines += [
        "",
        "An export for today reads the stored profiles when they are current (a full run for today "
        "after the last settings change and the last import, and a profile for every party); "
        "otherwise it runs `classify` for today first. The classify for today before these exports "
        "took " + ", ".join(f"{r['classify_today_seconds']} s on {NAMES[r['db']]}" for r in results) + ".",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.05, help="1 = 1,000,000 parties")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pg-db", default="kenal_engine_exportbench", help="name of the benchmark database")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--child", choices=["prepare", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=[key for key, _label, _options in CASES], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        args.db = args.db[0]
        print(json.dumps(child_prepare(args) if args.child == "prepare" else child_export(args)))
        return
    header = benchdoc.machine()
    results = []
    for db in args.db or ["sqlite", "postgresql"]:
        result = run_db(args, db)
        print(json.dumps(result), flush=True)
        results.append(result)
    if not args.no_doc:
        benchdoc.write_section("export", report(args, header, results))
        print(f"Wrote {benchdoc.DOC}")


if __name__ == "__main__":
    main()
