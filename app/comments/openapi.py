"""The OpenAPI document of the comments API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Blog comments API", "version": "1.0.0"},
    "paths": {},
}
