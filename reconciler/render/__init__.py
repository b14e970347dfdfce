"""Plans as text for people (text, markdown), programs (json) and files (yaml import)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.plan.change import Plan

FORMATS = ("text", "json", "markdown", "html")


def render_plan(plan: Plan, fmt: str, *, title: str = "plan") -> str:
    """``plan`` in one of :data:`FORMATS`; ``title`` names it ("plan", "drift").

    Each renderer is imported when used: this package's ``color`` module is on the
    path of every command, ``validate`` included.
    """
    if fmt == "json":
        from reconciler.render.jsonfmt import render_json

        return render_json(plan)
    if fmt == "markdown":
        from reconciler.render.markdown import render_markdown

        return render_markdown(plan, title=title)
    if fmt == "html":
        from reconciler.render.html import render_html

        return render_html(plan, title=title, generated=generated_now())
    from reconciler.render.text import render_text

    return render_text(plan, title=title)


def generated_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
