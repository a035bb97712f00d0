"""Model fields shared by the apps."""

from __future__ import annotations

import json
from typing import Any

from django.core import exceptions
from django.db import models


class JSONTextField(models.TextField):
    """JSON stored as plain text and decoded in Python.

    For values that are written in bulk by SQL and only ever read whole: PostgreSQL's
    jsonb parses every value it stores, which for a million rows costs seconds, and
    nothing queries inside these values. The engine writes the text, already JSON."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                raise exceptions.ValidationError(str(error), code="invalid") from error
        return value

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
