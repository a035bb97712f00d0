from __future__ import annotations

from kenal.parties.models import Party


def business_data_exists() -> bool:
    return Party.objects.exists()
