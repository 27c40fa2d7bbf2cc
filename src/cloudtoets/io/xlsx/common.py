"""Names and limits shared by reading and writing workbooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from cloudtoets.domain.labels import LIST_LABELS

LISTS: Final = ("organisations", "providers", "registrations", "justifications")
SHEET_NAMES: Final[Mapping[str, str]] = {
    **{name: name for name in LISTS},
    **{dutch: name for name, dutch in LIST_LABELS.items()},
}
EXPLANATION_SHEET: Final = "toelichting"
CHOICES_SHEET: Final = "keuzelijsten"
IGNORED_SHEETS: Final = frozenset({EXPLANATION_SHEET, CHOICES_SHEET})
DATE_FORMAT: Final = "yyyy-mm-dd"
