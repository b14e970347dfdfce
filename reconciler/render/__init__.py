"""Plans as text for people (text, markdown), programs (json) and files (yaml import)."""

from __future__ import annotations

from datetime import datetime, timezone

from reconciler.plan.change import Plan
from reconciler.render.html import render_html
from reconciler.render.jsonfmt import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

FORMATS = ("text", "json", "markdown", "html")


def render_plan(plan: Plan, fmt: str, *, title: str = "plan") -> str:
    """``plan`` in one of :data:`FORMATS`; ``title`` names it ("plan", "drift")."""
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan, title=title)
    if fmt == "html":
        return render_html(plan, title=title, generated=generated_now())
    return render_text(plan, title=title)


def generated_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
