"""docs/glossary.md is the one source of the words people read: the words it says not to use
may not come back in the templates or the texts of the interface."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cloudtoets.services.notification_states import STATE_LABELS
from cloudtoets.web.templating import FLASHES

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
SOURCE = ROOT / "src" / "cloudtoets"
TEMPLATES = SOURCE / "presentation" / "templates"

# what a reader never sees as text: comments, addresses, ids and field names
_HIDDEN = (
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\b(?:id|name|for|href|action|class|hx-[a-z]+|aria-[a-z]+)=\"[^\"]*\""),
    re.compile(r"\b(?:registration_url|url|_url)\([^)]*\)"),
    re.compile(r"forms\.field_\w+\(\s*\"[^\"]*\""),  # the field's name, its first argument
    re.compile(r"request\.query_params\.get\(\"[^\"]*\""),
)


def forbidden_words() -> list[str]:
    """Every `word` in a "niet gebruiken" cell of the glossary's tables."""
    words: list[str] = []
    column: int | None = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if column is None:
            column = cells.index("niet gebruiken") if "niet gebruiken" in cells else -1
            continue
        if column >= 0 and column < len(cells) and not set(cells[column]) <= set("-: "):
            words += re.findall(r"`([^`]+)`", cells[column])
    return words


def visible(text: str) -> str:
    for pattern in _HIDDEN:
        text = pattern.sub(" ", text)
    return text


def python_strings(path: Path) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return "\n".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def sources() -> dict[str, str]:
    found = {
        str(path.relative_to(ROOT)): visible(path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES.rglob("*.html"))
    }
    found["presentation/texts.py"] = python_strings(SOURCE / "presentation" / "texts.py")
    found["web/templating.py FLASHES"] = "\n".join(text for _, text in FLASHES.values())
    found["notification_states STATE_LABELS"] = "\n".join(STATE_LABELS.values())
    return found


def test_the_glossary_names_words_not_to_use() -> None:
    words = forbidden_words()
    assert {"risicoanalyse", "toestand", "klik", "ontvangen door CIO Rijk"} <= set(words)


@pytest.mark.parametrize("word", forbidden_words())
def test_a_word_not_to_use_does_not_come_back(word: str) -> None:
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    found = [
        f"{name}: ...{text[max(0, m.start() - 40) : m.end() + 40]}..."
        for name, text in sources().items()
        for m in pattern.finditer(text)
    ]
    assert not found, f"'{word}' staat in docs/glossary.md bij niet gebruiken:\n" + "\n".join(found)


def test_the_check_sees_visible_text_and_not_addresses() -> None:
    page = (
        '<a href="/registraties/x/risicoanalyse" id="toestand">Toestand</a>'
        '{{ forms.field_select("toestand", "Status") }}'
    )
    shown = visible(page)
    assert "risicoanalyse" not in shown and '"toestand"' not in shown
    assert "Toestand" in shown  # the link text is read
