"""``--format html``: one self-contained HTML report of a plan or a drift run.

The top is a grid of apps × products, each cell coloured by its state, with counts
per state; a click on a cell opens its details (before/after, events added and
removed, RequestIds of failures). It stays usable at thousands of apps: a sticky
header, a filter box, state filters.

Self-contained: inline CSS and a little inline JS, no fetch of any kind (a
Content-Security-Policy says so to the browser too), system fonts. The details
open without JS (CSS ``:target``); JS only filters. Every text that comes from the
desired state or from the server is HTML-escaped (:func:`_e`); element ids are
built from sdkappids and product keys only.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.configs import Unreadable
from reconciler.errors import UsageError
from reconciler.plan.change import Action, Change, Plan, Resource
from reconciler.plan.recurring import RecurringDrift
from reconciler.products.catalog import PRODUCT_KEYS

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REQUEST_ID = re.compile(r"RequestId ([^\s)]+)")


@dataclass(frozen=True)
class State:
    key: str  # CSS class suffix and filter value
    label: str  # what the cell and the legend say


SYNC = State("sync", "in sync")
UNMANAGED = State("unmanaged", "unmanaged")
UNREADABLE = State("unreadable", "unreadable")
IGNORED = State("ignored", "ignored")

_DRIFT_STATES = {
    Action.CREATE: State("deleted", "deleted live"),
    Action.UPDATE: State("changed", "changed live"),
    Action.DELETE: State("absent", "declared absent"),
}
_PLAN_STATES = {
    Action.CREATE: State("deleted", "to create"),
    Action.UPDATE: State("changed", "to update"),
    Action.DELETE: State("absent", "to delete"),
}
_PLAN_SYNC = State("sync", "no change")


def _e(value: object) -> str:
    """Escape text for HTML element content and quoted attributes."""
    return html.escape(_CONTROL.sub("\ufffd", str(value)), quote=True)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class _Cell:
    state: State
    change: Change | None = None
    failure: Unreadable | None = None  # an unreadable resource: the server's answer
    skipped: bool = False  # not read at all: a secret it needs is missing

    def detail_id(self, sdkappid: int, product: str) -> str | None:
        return None if self.state in (SYNC, _PLAN_SYNC) else f"d-{sdkappid}-{product}"


@dataclass
class _Row:
    app: str
    sdkappid: int
    cells: dict[str, _Cell]


def _grid(plan: Plan, drift: bool, ignored: Sequence[Change | Resource]) -> list[_Row]:
    states = _DRIFT_STATES if drift else _PLAN_STATES
    sync = SYNC if drift else _PLAN_SYNC
    rows: dict[int, _Row] = {}

    def put(resource: Resource, cell: _Cell) -> None:
        row = rows.setdefault(resource.sdkappid, _Row(resource.app, resource.sdkappid, {}))
        row.cells[resource.product] = cell

    for resource in plan.unchanged:
        put(resource, _Cell(sync))
    for change in plan.changes:
        put(change.resource, _Cell(states[change.action], change))
    for resource in plan.unmanaged:
        put(resource, _Cell(UNMANAGED))
    for item in ignored:
        if isinstance(item, Change):
            put(item.resource, _Cell(IGNORED, item))
        else:
            put(item, _Cell(IGNORED))
    for failure in plan.errors:
        put(failure.resource, _Cell(UNREADABLE, None, failure))
    for failure in plan.skipped:  # a secret it needs (a live token variable) is missing
        put(failure.resource, _Cell(UNREADABLE, None, failure, skipped=True))
    for name, sdkappid in plan.apps:  # declared apps with nothing to show still have a row
        rows.setdefault(sdkappid, _Row(name, sdkappid, {}))
    return [rows[k] for k in sorted(rows)]


def _ordered_states(drift: bool) -> list[State]:
    states = _DRIFT_STATES if drift else _PLAN_STATES
    return [
        SYNC if drift else _PLAN_SYNC,
        states[Action.UPDATE],
        states[Action.CREATE],
        states[Action.DELETE],
        UNMANAGED,
        UNREADABLE,
        IGNORED,
    ]


_CSS = """
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;
--sync:#f0fbf2;--sync-fg:#3a7d4a;--changed:#fff1c2;--changed-fg:#7a4e00;
--deleted:#ffe0e0;--deleted-fg:#a40e26;--absent:#efe2ff;--absent-fg:#6e40c9;
--unmanaged:#ddf4ff;--unmanaged-fg:#0550ae;--unreadable:#3d0a0a;--unreadable-fg:#fff;
--ignored:#eaeef2;--ignored-fg:#59636e;--none:transparent}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#30363d;--panel:#161b22;--sync:#0f2417;--sync-fg:#56a86a;--changed:#3d2e00;
--changed-fg:#f2cc60;--deleted:#4a1018;--deleted-fg:#ffa198;--absent:#2e1a4f;
--absent-fg:#d2a8ff;--unmanaged:#0c2d4f;--unmanaged-fg:#79c0ff;--unreadable:#ff7b72;
--unreadable-fg:#0d1117;--ignored:#21262d;--ignored-fg:#9198a1}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header.top{position:sticky;top:0;z-index:3;background:var(--bg);
border-bottom:1px solid var(--line);padding:10px 16px}
h1{font-size:18px;margin:0 0 6px}
.meta{color:var(--muted);font-size:12px}
.counts{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
.counts button{font:inherit;border:1px solid var(--line);border-radius:14px;
padding:2px 10px;cursor:pointer;background:var(--panel);color:var(--fg)}
.counts button.on{outline:2px solid var(--fg)}
.counts b{margin-left:4px}
.tools{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.tools input[type=search]{font:inherit;padding:4px 8px;width:320px;max-width:100%;
border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.warnings{margin:6px 0 0;padding-left:18px;color:var(--changed-fg);max-height:4.5em;
overflow:auto;font-size:12px}
main{padding:0 16px 32px}
table.grid{border-collapse:separate;border-spacing:0;width:100%;margin-top:8px}
.grid th,.grid td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;
white-space:nowrap}
.grid thead th{position:sticky;top:var(--head,0px);z-index:2;background:var(--panel);
font-weight:600}
.grid td.app{font-weight:600;max-width:28ch;overflow:hidden;text-overflow:ellipsis}
.grid td.id{color:var(--muted);font-variant-numeric:tabular-nums}
.grid td.cell{width:15%;padding:0}
.grid td.cell>a,.grid td.cell>span{display:block;padding:3px 8px;color:inherit}
.grid td.cell>a{text-decoration:none;font-weight:600}
.grid td.cell>a:hover,.grid td.cell>a:focus{outline:2px solid currentColor;outline-offset:-3px}
.s-sync{background:var(--sync);color:var(--sync-fg)}
.s-changed{background:var(--changed);color:var(--changed-fg)}
.s-deleted{background:var(--deleted);color:var(--deleted-fg)}
.s-absent{background:var(--absent);color:var(--absent-fg)}
.s-unmanaged{background:var(--unmanaged);color:var(--unmanaged-fg)}
.s-unreadable{background:var(--unreadable);color:var(--unreadable-fg)}
.s-ignored{background:var(--ignored);color:var(--ignored-fg)}
.s-none{color:var(--muted)}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:5px;
vertical-align:-1px;border:1px solid currentColor}
.detail{display:none}
.detail:target,.detail.open{display:block;position:fixed;z-index:5;top:0;right:0;bottom:0;
width:min(720px,95vw);overflow:auto;background:var(--bg);border-left:1px solid var(--line);
box-shadow:-8px 0 24px rgba(0,0,0,.25);padding:16px 20px}
.detail h2{font-size:16px;margin:0 0 4px}
.detail .close{float:right;font-size:13px}
.detail table{border-collapse:collapse;width:100%;margin:8px 0}
.detail th,.detail td{border:1px solid var(--line);padding:4px 6px;vertical-align:top;
text-align:left}
.detail pre{margin:0;white-space:pre-wrap;word-break:break-all;font-size:12px}
.detail ul{margin:4px 0;padding-left:20px}
.added{color:var(--sync-fg)}.removed{color:var(--deleted-fg)}
a{color:var(--unmanaged-fg)}
.empty{color:var(--muted);padding:24px 0}
"""

_JS = """
(function(){
  var head=document.querySelector('header.top');
  function pad(){document.documentElement.style.setProperty('--head',head.offsetHeight+'px');}
  pad(); window.addEventListener('resize',pad);
  var q=document.getElementById('filter'), only=document.getElementById('only-diff');
  var rows=Array.prototype.slice.call(document.querySelectorAll('#grid tbody tr'));
  var shown=document.getElementById('shown'), picked={};
  function run(){
    var t=q.value.trim().toLowerCase(), keys=Object.keys(picked), n=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i], ok=(!t||r.getAttribute('data-key').indexOf(t)>=0)
        &&(!only.checked||r.getAttribute('data-diff')==='1');
      if(ok&&keys.length){ok=false;for(var k=0;k<keys.length;k++){
        if(r.getAttribute('data-states').indexOf(' '+keys[k]+' ')>=0){ok=true;break;}}}
      r.hidden=!ok; if(ok){n++;}
    }
    shown.textContent=String(n);
  }
  q.addEventListener('input',run); only.addEventListener('change',run);
  var buttons=document.querySelectorAll('[data-state]');
  for(var b=0;b<buttons.length;b++){buttons[b].addEventListener('click',function(){
    var s=this.getAttribute('data-state');
    if(picked[s]){delete picked[s];this.classList.remove('on');}
    else{picked[s]=1;this.classList.add('on');}
    run();});}
  var open=null;
  function show(d){
    if(open){open.classList.remove('open');}
    open=d;
    if(d){d.classList.add('open');d.setAttribute('tabindex','-1');d.focus();}
  }
  document.addEventListener('click',function(e){
    var a=e.target.closest&&e.target.closest('a'); if(!a){return;}
    var h=a.getAttribute('href')||'';
    if(h.indexOf('#d-')===0){e.preventDefault();show(document.getElementById(h.slice(1)));}
    else if(a.className==='close'){e.preventDefault();show(null);}
  });
  document.addEventListener('keydown',function(e){
    if(e.key==='Escape'){show(null);}
    if(e.key==='/'&&document.activeElement!==q){e.preventDefault();q.focus();}});
})();
"""

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def _value_html(value: Any) -> str:
    if value is None:
        return "<em>none</em>"
    if isinstance(value, (dict, list)):
        return f"<pre>{_e(_json(value))}</pre>"
    if isinstance(value, str) and value.startswith("(sensitive"):
        return _e(value)
    return f"<pre>{_e(json.dumps(value, ensure_ascii=False))}</pre>"


def _change_html(change: Change, drift: bool) -> str:
    # a plan goes live (before) → desired (after); drift reads declared (was) → live (now)
    live, desired = change.public_before(), change.public_after()
    if drift:
        head = ("declared (was)", "live (now)")
        sides = (desired, live)
    else:
        head = ("live (before)", "planned (after)")
        sides = (live, desired)
    parts = [
        "<table><thead><tr><th>field</th>",
        f"<th>{head[0]}</th><th>{head[1]}</th></tr></thead><tbody>",
    ]
    for diff in change.field_diffs():
        before, after = (diff.after, diff.before) if drift else (diff.before, diff.after)
        if drift and diff.name == "token" and change.action is Action.UPDATE:
            before, after = "(sensitive)", "(sensitive value changed)"
        parts.append(
            f"<tr><th>{_e(diff.name)}</th><td>{_value_html(before)}</td>"
            f"<td>{_value_html(after)}</td></tr>"
        )
    parts.append("</tbody></table>")
    for diff in change.field_diffs():
        if diff.name != "events" or change.action is not Action.UPDATE:
            continue
        # plan: added = desired - live; drift: those are missing live (removed live)
        added, removed = (diff.removed, diff.added) if drift else (diff.added, diff.removed)
        verb = " live" if drift else ""
        if added:
            items = "".join(f"<li><code>{_e(e)}</code></li>" for e in added)
            parts.append(f'<h3 class="added">Events added{verb}</h3><ul class="added">{items}</ul>')
        if removed:
            items = "".join(f"<li><code>{_e(e)}</code></li>" for e in removed)
            parts.append(
                f'<h3 class="removed">Events removed{verb}</h3><ul class="removed">{items}</ul>'
            )
    parts.append(
        f"<details><summary>Full configurations</summary><table><tr><th>{head[0]}</th>"
        f"<td>{_value_html(sides[0])}</td></tr><tr><th>{head[1]}</th>"
        f"<td>{_value_html(sides[1])}</td></tr></table></details>"
    )
    return "".join(parts)


def _detail_html(
    row: _Row, product: str, cell: _Cell, drift: bool, recurring: RecurringDrift | None = None
) -> str:
    detail_id = cell.detail_id(row.sdkappid, product)
    body: list[str] = []
    if recurring is not None:
        text = _recurring_text(recurring)
        body.append(f'<p class="recurring"><b>Recurring drift</b>: {text}</p>')
    if cell.state is UNREADABLE and cell.failure is not None:
        found = _REQUEST_ID.search(cell.failure.error)
        if found:
            request = found[1]
        elif cell.skipped:
            request = "(none: no request was sent)"
        else:
            request = "(none: no answer from the server)"
        intro = (
            "<p>Not planned: a secret it needs is missing, or no change can reach it (see "
            "the error); the rest of the app is planned as usual.</p>"
            if cell.skipped
            else "<p>The live state could not be read; nothing is changed in this app.</p>"
        )
        body.append(
            f"{intro}<table><tr><th>error</th><td><pre>{_e(cell.failure.error)}</pre></td></tr>"
            f"<tr><th>RequestId</th><td><code>{_e(request)}</code></td></tr></table>"
        )
    elif cell.state is UNMANAGED:
        body.append(
            "<p>Configured live, but not declared in the desired state; left alone. "
            "Declare it (or <code>ensure: absent</code>) to manage it.</p>"
        )
    elif cell.state is IGNORED:
        body.append("<p>An accepted difference (<code>--ignore</code> / .driftignore).</p>")
    if cell.change is not None:
        body.append(_change_html(cell.change, drift))
    return (
        f'<section class="detail" id="{detail_id}" aria-label="details">'
        '<a class="close" href="#grid-top">close ✕</a>'
        f"<h2>{_e(row.app)} <small>({row.sdkappid})</small> · {_e(product)}</h2>"
        f'<p><span class="swatch s-{cell.state.key}"></span>{_e(cell.state.label)}</p>'
        f"{''.join(body)}</section>"
    )


def _recurring_text(recurring: RecurringDrift) -> str:
    ids = ", ".join(f"<code>{_e(i)}</code>" for i in recurring.request_ids[-10:]) or "(none)"
    more = len(recurring.request_ids) - min(10, len(recurring.request_ids))
    return (
        f"this tool already set it to the desired value {recurring.times} time(s), last at "
        f"{_e(recurring.last)} "
        f"(RequestId {ids}{f' and {more} earlier' if more else ''}); another writer keeps "
        "changing it"
    )


def _recurring_html(plan: Plan) -> str:
    if plan.recurring is None:
        return ""
    items = "".join(
        f"<li>{_e(r.resource.app)} ({r.resource.sdkappid}) {_e(r.resource.product)}: "
        f"{_recurring_text(r)}</li>"
        for r in plan.recurring
    )
    n = len(plan.recurring)
    return (
        f'<div class="recurring"><p>Recurring drift: {n} of {len(plan.changes)} drifted '
        f"resource(s) this tool already set back (from the audit logs read).</p>"
        f"{f'<ul>{items}</ul>' if items else ''}</div>"
    )


def _url_checks_html(plan: Plan) -> str:
    """``plan --check-urls``: one line per URL a change would write."""
    if plan.url_checks is None:
        return ""
    bad = sum(1 for c in plan.url_checks if not c.ok)
    items = "".join(
        f'<li class="{"ok" if c.ok else "problem"}">{_e(c.line())}</li>' for c in plan.url_checks
    )
    return (
        f'<div class="url-checks"><p>URL checks: {len(plan.url_checks) - bad} reachable, '
        f"{bad} with a problem</p>{f'<ul>{items}</ul>' if items else ''}</div>"
    )


def _row_html(row: _Row, sync: State) -> str:
    cells = []
    states = {cell.state.key for cell in row.cells.values()}
    for product in PRODUCT_KEYS:
        cell = row.cells.get(product)
        if cell is None:
            cells.append('<td class="cell s-none"><span>·</span></td>')
            continue
        detail_id = cell.detail_id(row.sdkappid, product)
        label = _e(cell.state.label)
        inner = f'<a href="#{detail_id}">{label}</a>' if detail_id else f"<span>{label}</span>"
        cells.append(f'<td class="cell s-{cell.state.key}">{inner}</td>')
    differs = "1" if states - {sync.key, IGNORED.key} else "0"
    key = _e(f"{row.app} {row.sdkappid}".lower())
    return (
        f'<tr data-key="{key}" data-diff="{differs}" data-states=" {" ".join(sorted(states))} ">'
        f'<td class="app" title="{_e(row.app)}">{_e(row.app)}</td>'
        f'<td class="id">{row.sdkappid}</td>{"".join(cells)}</tr>'
    )


def render_html(
    plan: Plan,
    *,
    title: str = "plan",
    ignored: Sequence[Change | Resource] = (),
    generated: str | None = None,
) -> str:
    """The report as one HTML document; ``title`` is "plan" or "drift".

    ``plan.errors`` (unreadable resources) show as unreadable cells; ``ignored`` are
    the accepted differences drift left out of ``plan``.
    """
    drift = title == "drift"
    rows = _grid(plan, drift, ignored)
    states = _ordered_states(drift)
    counts = {s.key: 0 for s in states}
    for row in rows:
        for cell in row.cells.values():
            counts[cell.state.key] += 1
    heading = "Drift report" if drift else "Plan"
    buttons = "".join(
        f'<button type="button" data-state="{s.key}" title="show only apps with this state">'
        f'<span class="swatch s-{s.key}"></span>{_e(s.label)}<b>{counts[s.key]}</b></button>'
        for s in states
    )
    warnings = "".join(f"<li>{_e(w)}</li>" for w in plan.warnings)
    warnings_html = f'<ul class="warnings">{warnings}</ul>' if warnings else ""
    warnings_html += _recurring_html(plan) + _url_checks_html(plan)
    recurring = {(r.resource.sdkappid, r.resource.product): r for r in plan.recurring or ()}
    meta = f"{len(rows)} app(s)" + (f" · generated {_e(generated)}" if generated else "")
    header_cells = "".join(f"<th>{_e(p)}</th>" for p in PRODUCT_KEYS)
    sync = states[0]
    body_rows = "\n".join(_row_html(row, sync) for row in rows)
    if not rows:
        body_rows = f'<tr><td class="empty" colspan="{2 + len(PRODUCT_KEYS)}">No apps.</td></tr>'
    details = "\n".join(
        _detail_html(row, product, cell, drift, recurring.get((row.sdkappid, product)))
        for row in rows
        for product, cell in sorted(row.cells.items())
        if cell.detail_id(row.sdkappid, product)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>trtc-callback-reconciler: {heading}</title>
<style>{_CSS}</style>
</head>
<body>
<header class="top" id="grid-top">
<h1>trtc-callback-reconciler: {heading}</h1>
<div class="meta">{meta}</div>
<div class="counts">{buttons}</div>
<div class="tools"><input type="search" id="filter"
 placeholder="Filter apps by name or sdkappid (/)"
 aria-label="filter apps"><label><input type="checkbox" id="only-diff"> only apps with
 differences</label><span class="meta"><span id="shown">{len(rows)}</span> shown · click a
 cell for details · Esc closes</span></div>
{warnings_html}
</header>
<main>
<table class="grid" id="grid">
<thead><tr><th>app</th><th>sdkappid</th>{header_cells}</tr></thead>
<tbody>
{body_rows}
</tbody>
</table>
{details}
</main>
<script>{_JS}</script>
</body>
</html>
"""


def write_html(path: Path, report: str) -> None:
    """``--html FILE``: the report, written whole (a user error if it cannot be)."""
    try:
        path.write_text(report, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the HTML report to {path}: {exc.strerror}") from None
