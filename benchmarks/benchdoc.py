"""Writing figures into docs/benchmarks.md: each benchmark owns one section between
``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` and rewrites only that."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Measured {when} on {os.cpu_count()} cores ({cpu}), {mem:.1f} GiB RAM; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; load average {load:.1f} at the start."
    )


def write_section(name: str, text: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.strip()}\n{end}"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        DOC.write_text(before + block + rest.split(end, 1)[1])
    else:
        DOC.write_text(current.rstrip("\n") + "\n\n" + block + "\n")
