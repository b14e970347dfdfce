"""The docs site cannot rot: its generated pages match the code, and every option of
every command and every field of every desired-state file is on them."""

from __future__ import annotations

import json

import click

from reconciler.cli.main import cli
from reconciler.desired.schemas import SCHEMAS
from reconciler.devtools import commands, docpages, yamlref


def test_generated_pages_are_up_to_date() -> None:
    assert docpages.stale() == [], (
        "run `python -m reconciler.devtools.docpages --write` and commit docs/"
    )


def _all_commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli, info_name="reconciler")
    return [(path, command) for path, command, _ in commands.walk(cli, ctx, "reconciler")]


def test_every_option_of_every_command_is_documented() -> None:
    page = commands.reference()
    found = _all_commands()
    assert {"reconciler plan", "reconciler apply", "reconciler drift"} <= {p for p, _ in found}
    for path, command in found:
        assert f"## `{path}`" in page
        section = page.split(f"## `{path}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts:
                    assert f"`{opt}" in section or f", {opt}" in section, (path, opt)


def test_every_field_of_every_file_is_documented() -> None:
    page = yamlref.reference()
    for make in SCHEMAS.values():
        schema = make()
        nodes = [schema, *schema.get("$defs", {}).values()]
        for node in nodes:
            for field in node.get("properties", {}):
                assert f"| `{field}` |" in page, field
    assert "`administrator`" in page  # a default, as JSON
    assert json.dumps(False) in page


def test_a_stale_page_is_detected(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(docpages, "DOCS", tmp_path)
    assert sorted(docpages.stale()) == sorted(docpages.PAGES)
    docpages.write()
    assert docpages.stale() == []
    (tmp_path / "reference" / "commands.md").write_text("old\n", encoding="utf-8")
    assert docpages.stale() == ["reference/commands.md"]
