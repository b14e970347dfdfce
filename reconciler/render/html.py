"""``--format html``: one self-contained HTML report of a plan or a drift run.

The top is a grid of apps × products, each cell coloured by its state, with counts
per state; a click on a cell opens its details (before/after, events added and
removed, RequestIds of failures). It stays usable at thousands of apps: a sticky
header, a filter box, state filters.

Self-contained: inline CSS and a little inline JS, no fetch of any kind (a
Content-Security-Policy says so to the browser too, and lets in only the report's
own style and script, by their hashes), system fonts. The details open without JS
(CSS ``:target``); JS only filters.

The document comes from a Jinja2 template (``templates/report.html.j2``) rendered
with autoescaping: every value this module hands it (names, URLs, events, server
text) is HTML-escaped by the engine, never by hand, and control characters become
U+FFFD. This module only shapes the plan into plain values (:class:`_View`); it
builds no markup. Element ids are built from sdkappids and product keys only. No
data goes into the ``<script>``: the JS reads the rows' ``data-`` attributes.

Jinja2 is imported on the first HTML report, not with this module, which ``plan``
and ``drift`` import whatever their ``--format``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reconciler.configs import Unreadable
from reconciler.errors import UsageError
from reconciler.escape import visible_format
from reconciler.plan.change import Action, Change, Plan, Resource
from reconciler.plan.recurring import RecurringDrift
from reconciler.products.catalog import PRODUCT_KEYS

if TYPE_CHECKING:
    from jinja2 import Environment

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


@dataclass(frozen=True)
class _Cell:
    state: State
    change: Change | None = None
    failure: Unreadable | None = None  # an unreadable resource: the server's answer
    skipped: bool = False  # not read at all: a secret it needs is missing

    def detail_id(self, sdkappid: int, product: str) -> str | None:
        if self.state is SYNC or self.state is _PLAN_SYNC:
            return None
        return f"d-{sdkappid}-{product}"


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


# --- the values the template shows (plain data: the template escapes all of it) ---


@dataclass(slots=True)
class _Value:
    """One side of a field: ``none`` (no value), ``pre`` (JSON in a block) or ``text``."""

    kind: str
    text: str = ""


@dataclass(slots=True)
class _Field:
    name: str
    before: _Value
    after: _Value


@dataclass(slots=True)
class _ChangeView:
    head: tuple[str, str]  # the column titles: before and after
    fields: list[_Field]
    added: list[str]  # events added (drift: added live)
    removed: list[str]
    verb: str  # " live" for drift, "" for a plan
    sides: tuple[_Value, _Value]  # the whole configurations, before and after


@dataclass(slots=True)
class _Failure:
    error: str
    request: str  # the RequestId, or why there is none
    skipped: bool


@dataclass(slots=True)
class _Recurring:
    times: int
    last: str
    request_ids: list[str]  # the last ten
    more: int  # how many earlier ones are not listed


@dataclass(slots=True)
class _RecurringItem:
    app: str
    sdkappid: int
    product: str
    recurring: _Recurring


@dataclass(slots=True)
class _Detail:
    id: str
    app: str
    sdkappid: int
    product: str
    state: State
    recurring: _Recurring | None
    failure: _Failure | None
    change: _ChangeView | None


class _GridCell(NamedTuple):
    """Tuples, unpacked by the template's loops: thousands of rows render fast."""

    key: str | None  # the state's key (None: the app has no such resource)
    label: str
    detail_id: str | None


class _GridRow(NamedTuple):
    app: str
    sdkappid: int
    key: str  # what the filter box matches: "name sdkappid", lower case
    differs: bool  # a state other than in sync or ignored
    states: str  # " key key " for the state buttons
    cells: list[_GridCell]


@dataclass(slots=True)
class _UrlCheck:
    ok: bool
    line: str


@dataclass(slots=True)
class _View:
    heading: str
    csp: str
    generated: str | None
    states: list[tuple[State, int]]
    warnings: list[str]
    recurring: list[_RecurringItem] | None
    changes: int
    url_checks: list[_UrlCheck] | None
    url_problems: int
    products: Sequence[str]
    apps: int  # how many rows
    # made while the template reads them, one at a time: few objects alive at once,
    # which keeps the garbage collector's passes short at thousands of apps
    rows: Iterator[_GridRow]
    details: Iterator[_Detail]


_NO_CELL = _GridCell(None, "·", None)


def _value(value: Any) -> _Value:
    if value is None:
        return _Value("none")
    if isinstance(value, (dict, list)):
        return _Value("pre", visible_format(json.dumps(value, indent=2, ensure_ascii=False)))
    if isinstance(value, str) and value.startswith("(sensitive"):
        return _Value("text", value)
    # a live URL with a bidi override or a zero-width space must not look like another
    return _Value("pre", visible_format(json.dumps(value, ensure_ascii=False)))


def _change_view(change: Change, drift: bool) -> _ChangeView:
    # a plan goes live (before) → desired (after); drift reads declared (was) → live (now)
    live, desired = change.public_before(), change.public_after()
    if drift:
        head = ("declared (was)", "live (now)")
        sides = (desired, live)
    else:
        head = ("live (before)", "planned (after)")
        sides = (live, desired)
    fields: list[_Field] = []
    added: list[str] = []
    removed: list[str] = []
    for diff in change.field_diffs():
        before, after = (diff.after, diff.before) if drift else (diff.before, diff.after)
        if drift and diff.name == "token" and change.action is Action.UPDATE:
            before, after = "(sensitive)", "(sensitive value changed)"
        fields.append(_Field(diff.name, _value(before), _value(after)))
        if diff.name == "events" and change.action is Action.UPDATE:
            # plan: added = desired - live; drift: those are missing live (removed live)
            more, fewer = (diff.removed, diff.added) if drift else (diff.added, diff.removed)
            added += map(visible_format, more)
            removed += map(visible_format, fewer)
    return _ChangeView(
        head, fields, added, removed, " live" if drift else "", (_value(sides[0]), _value(sides[1]))
    )


def _recurring(recurring: RecurringDrift) -> _Recurring:
    ids = list(recurring.request_ids[-10:])
    return _Recurring(recurring.times, recurring.last, ids, len(recurring.request_ids) - len(ids))


def _failure(cell: _Cell) -> _Failure | None:
    if cell.state is not UNREADABLE or cell.failure is None:
        return None
    found = _REQUEST_ID.search(cell.failure.error)
    if found:
        request = found[1]
    elif cell.skipped:
        request = "(none: no request was sent)"
    else:
        request = "(none: no answer from the server)"
    return _Failure(cell.failure.error, request, cell.skipped)


def _grid_row(row: _Row, sync: State, plain: dict[State, _GridCell]) -> _GridRow:
    """``plain``: the cells without details, one shared tuple per state."""
    cells = []
    for product in PRODUCT_KEYS:
        cell = row.cells.get(product)
        if cell is None:
            cells.append(_NO_CELL)
            continue
        state = cell.state
        detail_id = cell.detail_id(row.sdkappid, product)
        if detail_id is None:
            shared = plain.get(state)
            if shared is None:
                shared = plain[state] = _GridCell(state.key, state.label, None)
            cells.append(shared)
        else:
            cells.append(_GridCell(state.key, state.label, detail_id))
    states = {cell.state.key for cell in row.cells.values()}
    return _GridRow(
        row.app,
        row.sdkappid,
        f"{row.app} {row.sdkappid}".lower(),
        bool(states - {sync.key, IGNORED.key}),
        f" {' '.join(sorted(states))} ",
        cells,
    )


def _details(
    rows: list[_Row], drift: bool, recurring: dict[tuple[int, str], RecurringDrift]
) -> Iterator[_Detail]:
    for row in rows:
        for product, cell in sorted(row.cells.items()):
            detail_id = cell.detail_id(row.sdkappid, product)
            if detail_id is None:
                continue
            again = recurring.get((row.sdkappid, product))
            yield _Detail(
                detail_id,
                row.app,
                row.sdkappid,
                product,
                cell.state,
                None if again is None else _recurring(again),
                _failure(cell),
                None if cell.change is None else _change_view(cell.change, drift),
            )


def _view(
    plan: Plan, title: str, ignored: Sequence[Change | Resource], generated: str | None
) -> _View:
    drift = title == "drift"
    rows = _grid(plan, drift, ignored)
    states = _ordered_states(drift)
    counts = {s.key: 0 for s in states}
    for row in rows:
        for cell in row.cells.values():
            counts[cell.state.key] += 1
    recurring = {(r.resource.sdkappid, r.resource.product): r for r in plan.recurring or ()}
    plain: dict[State, _GridCell] = {}
    return _View(
        heading="Drift report" if drift else "Plan",
        csp=_csp(),
        generated=generated,
        states=[(s, counts[s.key]) for s in states],
        warnings=list(plan.warnings),
        recurring=None
        if plan.recurring is None
        else [
            _RecurringItem(r.resource.app, r.resource.sdkappid, r.resource.product, _recurring(r))
            for r in plan.recurring
        ],
        changes=len(plan.changes),
        url_checks=None
        if plan.url_checks is None
        else [_UrlCheck(c.ok, c.line()) for c in plan.url_checks],
        url_problems=sum(1 for c in plan.url_checks or () if not c.ok),
        products=PRODUCT_KEYS,
        apps=len(rows),
        rows=(_grid_row(row, states[0], plain) for row in rows),
        details=_details(rows, drift, recurring),
    )


# --- the template, its style and script (package data, read once) ---


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@functools.cache
def _environment() -> Environment:
    import jinja2  # only when a report is rendered: plan and drift start without it

    return jinja2.Environment(
        loader=jinja2.PackageLoader("reconciler.render", "templates"),
        autoescape=True,  # every value, in element content and in quoted attributes
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not ""
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # package data: no stat of the file per report
    )


@functools.cache
def _csp() -> str:
    """The Content-Security-Policy: nothing is fetched, and the only style and script
    that run are the report's own (``report.css``, ``report.js``, included by the
    template), by their hashes; one injected inline (if escaping ever failed) does not."""
    env = _environment()
    style = env.get_template("report.css").render()
    script = env.get_template("report.js").render()
    return (
        f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
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
    template = _environment().get_template("report.html.j2")
    # each escaped piece is a Markup object, which the garbage collector tracks: made
    # plain str as it comes (untracked), the collector's passes stay short at
    # thousands of apps instead of walking tens of thousands of pieces awaiting join
    report = "".join(map(str, template.generate(view=_view(plan, title, ignored, generated))))
    # control characters (which a browser or a terminal may act on) become U+FFFD: one
    # pass over the document, as the template, CSS and JS have none of their own
    return _CONTROL.sub("\ufffd", report)


def write_html(path: Path, report: str) -> None:
    """``--html FILE``: the report, written whole (a user error if it cannot be)."""
    try:
        path.write_text(report, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the HTML report to {path}: {exc.strerror}") from None
