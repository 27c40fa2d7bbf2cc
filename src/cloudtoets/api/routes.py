"""All /api/v1 routes (split into modules per resource as they grow)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/health", tags=["systeem"], summary="Werkt de dienst?")
def health() -> dict[str, str]:
    return {"status": "ok"}
