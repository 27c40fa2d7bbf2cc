"""JSON responses written by orjson straight from dataclasses, dates and enums.

The API builds plain data (the services' dataclasses, dicts) and orjson serialises it in one
pass; the pydantic models in schemas.py describe the same shapes for OpenAPI only, and a test
checks the responses against them.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class JsonResponse(JSONResponse):
    """A JSONResponse (so OpenAPI documents it as JSON) rendered by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
