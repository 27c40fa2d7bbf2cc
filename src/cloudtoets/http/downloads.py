"""Sending a file the services wrote for this request, and removing it once it is sent."""

from __future__ import annotations

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from cloudtoets.services.imports import ExportFile


def file_download(export: ExportFile) -> FileResponse:
    """The file as an attachment; its temporary folder goes when the response is sent."""
    return FileResponse(
        export.path,
        media_type=export.media_type,
        filename=export.download_name,
        background=BackgroundTask(export.remove),
    )
