"""Every page template is named after the web module that renders it, so either leads to the
other: ``justifications.py`` renders ``pages/justification.html``, ``pages/justifications.html``
and ``pages/justification_new.html``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "cloudtoets" / "web"
PAGES = ROOT / "src" / "cloudtoets" / "presentation" / "templates" / "pages"
RENDERED = re.compile(r'"pages/([a-z_]+)\.html"')
WITHOUT_ROUTE = {"design"}  # every macro with example data, for screenshots and axe


def _rendered() -> dict[str, set[str]]:
    """Template name -> the web modules that render it."""
    found: dict[str, set[str]] = {}
    for module in WEB.glob("*.py"):
        for name in RENDERED.findall(module.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(module.stem)
    return found


def _named_after(template: str, module: str) -> bool:
    return any(
        template == stem or template.startswith(stem + "_")
        for stem in (module, module.removesuffix("s"))
    )


def test_each_page_template_is_named_after_the_module_that_renders_it() -> None:
    rendered = _rendered()
    misnamed = sorted(
        (template, module)
        for template, modules in rendered.items()
        for module in modules
        if not _named_after(template, module)
    )
    assert misnamed == []


def test_every_page_template_is_rendered_and_every_rendered_one_exists() -> None:
    rendered = set(_rendered())
    templates = {path.stem for path in PAGES.glob("*.html")}
    assert templates - rendered == WITHOUT_ROUTE
    assert rendered <= templates
