from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread, which makes Django
# refuse database calls there (the fixtures that create data) unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
