from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_type_hints

from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=``; every list answers ``{"items": [...], "count": total}``."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=gettext_lazy("How many items to return (at most 500).")
        )
        offset: int = Field(0, ge=0, description=gettext_lazy("How many items to skip from the start."))


def paginated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Paginate a list endpoint with :class:`Pagination`.

    ninja evaluates a paginated view's string annotations (every module here uses
    ``from __future__ import annotations``) in ninja's own module, where our types are
    unknown; resolving them first, in the view's module, avoids that."""
    view.__annotations__ = get_type_hints(view)
    return paginate(Pagination)(view)
