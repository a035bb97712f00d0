from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

from kenal.core.money import format_money


def test_it_formats_rupiah_the_indonesian_way_in_both_languages():
    assert format_money(Decimal("1250000"), "IDR", "id") == "Rp 1.250.000"
    assert format_money(Decimal("1250000.40"), "IDR", "en") == "Rp 1.250.000"
    assert format_money(Decimal("-5000"), "IDR", "en") == "-Rp 5.000"


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path):
    env = dict(os.environ, KENAL_PRODUCTION="true", KENAL_DATA_DIR=str(tmp_path))
    env.pop("KENAL_DEBUG", None)
    env.pop("KENAL_SECRET_KEY", None)
    # Set by the browser tests' fixtures; Django's deploy checks rightly warn about it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "kenal.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
