"""The empty inventory to fill in: the same workbook ``cloudtoets template`` writes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cloudtoets.io.xlsx import write_template
from cloudtoets.services.imports import EXPORT_MEDIA_TYPES, ExportFile

TEMPLATE_NAME = "cloudtoets-inventaris.xlsx"


def template_file() -> ExportFile:
    """The workbook with explanations and drop-downs, in a temporary folder of its own."""
    folder = tempfile.mkdtemp(prefix="cloudtoets-sjabloon-")
    try:
        path = Path(folder) / TEMPLATE_NAME
        write_template(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ExportFile(path, EXPORT_MEDIA_TYPES["xlsx"], TEMPLATE_NAME)
