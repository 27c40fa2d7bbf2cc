"""Documentation that cannot go stale: every command documented, generated pages up to date."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from cloudtoets.cli import app
from cloudtoets.policy.describe import policy_markdown
from cloudtoets.policy.loader import load_policy

ROOT = Path(__file__).resolve().parents[1]


def _command_paths() -> list[str]:
    group = typer.main.get_group(app)
    paths = []
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            paths += [f"{name} {sub}" for sub in subcommands]
        else:
            paths.append(name)
    return paths


def test_every_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [path for path in _command_paths() if f"cloudtoets {path}" not in text]
    assert missing == []


def test_policy_rules_page_matches_the_policy_file() -> None:
    page = (ROOT / "docs" / "policy-rules.md").read_text(encoding="utf-8")
    assert page.strip() == policy_markdown(load_policy()).strip(), (
        "regenerate with: cloudtoets policy show --markdown > docs/policy-rules.md"
    )


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Snel aan de slag", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    commands = [c for c in commands if c]
    assert commands == ["./scripts/start", "./scripts/test"]
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    from cloudtoets.config import Settings

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"CLOUDTOETS_{name.upper()}" not in text]
    assert missing == []


ARCHITECTURE = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "src" / "cloudtoets"
# where a path named in docs/architecture.md may start: the repository, the package, the templates
PATH_BASES = (ROOT, PACKAGE, PACKAGE / "presentation" / "templates")


def test_architecture_names_only_files_that_exist() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w.-]+(?:/[\w.-]+)*(?:\.(?:py|md|toml|yaml|html)|/))`", text))
    assert len(named) > 40
    missing = sorted(n for n in named if not any((base / n).exists() for base in PATH_BASES))
    assert missing == []


def test_architecture_places_every_package() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    packages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    unplaced = sorted(name for name in packages if f"`{name}/`" not in text)
    assert unplaced == []
