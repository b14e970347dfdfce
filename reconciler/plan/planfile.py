"""Saved plans (``plan --out FILE``, ``apply --plan FILE``).

The file is the documented plan JSON plus what apply needs:
- ``apps``: how to reach each app (region, identifier, names of env vars; no secret);
- per change ``fingerprint.before``/``fingerprint.after`` (see :mod:`fingerprint`)
  and, for a token, ``token_env``;
- ``signatures``: per app, an HMAC keyed with its secret key over the digest of
  the whole plan body, so no part of the plan (a change, its content, the set of
  changes, ``existing``, an app's region) can be edited without every involved
  app's key; apply verifies them once the keys are resolved;
- ``checksum``: SHA-256 over everything else, so that an edit is refused even
  before any key is at hand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from reconciler.configs import SENSITIVE_CHANGED, CallbackConfig, Config, TokenConfig
from reconciler.errors import PlanFileError
from reconciler.escape import escape
from reconciler.plan.change import Action, Change, Plan, Resource
from reconciler.plan.document import change_to_dict, plan_to_dict
from reconciler.plan.fingerprint import fingerprint, sign
from reconciler.plan.planjson import (
    body_digest,
    check_plan_header,
    load_plan_json,
    refusal,
    shown_path,
)
from reconciler.plan.planjson import checksum as _checksum
from reconciler.resolve import ResolvedApp
from reconciler.secret import Secret, mask_known

if TYPE_CHECKING:
    from reconciler.plan.model import (
        CallbackState,
        ReviewedPlanDocument,
        SavedChangeEntry,
        SavedPlanDocument,
    )


def plan_document(plan: Plan, apps: Sequence[ResolvedApp]) -> SavedPlanDocument:
    """The saved-plan form of ``plan``. Holds no secret."""
    by_id = {a.target.sdkappid: a for a in apps}
    changes: list[SavedChangeEntry] = []
    for change in plan.changes:
        app = by_id[change.resource.sdkappid]
        entry = cast("SavedChangeEntry", change_to_dict(change))
        seen = entry["before"]
        if seen is not None and "url" in seen:
            # the live URL as the plan saw it, for reports only (staleness is checked on
            # the fingerprint): a secret it holds is masked, never saved
            callback = cast("CallbackState", seen)  # mypy narrows `in` on final TypedDicts only
            callback["url"] = mask_known(callback["url"])
        key = app.target.secret_key
        r = change.resource
        entry["fingerprint"] = {
            "before": fingerprint(key, r.sdkappid, r.product, change.before),
            "after": fingerprint(key, r.sdkappid, r.product, change.after),
        }
        spec = app.app.products.get(r.product)
        if spec is not None and spec.token_env:
            entry["token_env"] = spec.token_env
        changes.append(entry)
    used = sorted({c.resource.sdkappid for c in plan.changes})
    doc: SavedPlanDocument = {
        **plan_to_dict(plan),
        "changes": changes,
        "apps": [
            {
                "app": by_id[i].app.name,
                "sdkappid": i,
                "region": by_id[i].app.region,
                "identifier": by_id[i].app.identifier,
                "secret_key_env": by_id[i].app.secret_key_env,
            }
            for i in used
        ],
        "existing": plan.existing,
        "signatures": {},
        "checksum": "",
    }
    digest = body_digest(doc)  # leaves out the signatures and the checksum
    doc["signatures"] = {str(i): sign(by_id[i].target.secret_key, digest) for i in used}
    doc["checksum"] = _checksum(doc)
    return doc


def reviewed_plan_document(plan: Plan, apps: Sequence[ResolvedApp]) -> ReviewedPlanDocument:
    """The saved form of a plan made against a live-state snapshot, without keys.

    Nothing in it is signed and it holds no fingerprint: it cannot be applied. It
    records what reviewers saw, for ``apply --plan FRESH --reviewed FILE``.
    """
    by_id = {a.target.sdkappid: a for a in apps}
    used = sorted({c.resource.sdkappid for c in plan.changes})
    doc: ReviewedPlanDocument = {
        **plan_to_dict(plan),
        "apps": [
            {"app": by_id[i].app.name, "sdkappid": i, "region": by_id[i].app.region} for i in used
        ],
        "existing": plan.existing,
        "reviewed_only": True,
        "checksum": "",
    }
    doc["checksum"] = _checksum(doc)
    return doc


def write_plan_file(path: Path, doc: Mapping[str, Any]) -> None:
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(f"cannot write the plan to {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class SavedApp:
    name: str
    sdkappid: int
    region: str
    identifier: str
    secret_key_env: str | None


@dataclass(frozen=True)
class SavedChange:
    """A change read back from a plan file; ``after`` of a token lacks the token value."""

    resource: Resource
    action: Action
    before_public: dict[str, Any] | None
    after_public: dict[str, Any] | None
    before_fingerprint: str
    after_fingerprint: str
    token_env: str | None

    def after_callback(self) -> CallbackConfig | None:
        if self.after_public is None or "url" not in self.after_public:
            return None
        return CallbackConfig(self.after_public["url"], frozenset(self.after_public["events"]))

    def planned_before(self, after: Config | None) -> Config | None:
        """The live state the plan saw, rebuilt from its public form (for reports and the
        audit log; staleness is checked on the fingerprint). A token's value is never
        saved: it is ``after``'s token when the plan saw it unchanged, else a stand-in."""
        public = self.before_public
        if public is None:
            return None
        if "url" in public:
            return CallbackConfig(public["url"], frozenset(public["events"]))
        unchanged = (
            isinstance(after, TokenConfig)
            and (self.after_public or {}).get("token") != SENSITIVE_CHANGED
        )
        token = after.token if isinstance(after, TokenConfig) and unchanged else Secret("")
        return TokenConfig(token=token, enabled=bool(public.get("enabled")))

    def as_change(self, after: Config | None) -> Change:
        """The change as planned, with ``after`` resolved (a token from its variable)."""
        return Change(self.resource, self.action, self.planned_before(after), after)


@dataclass(frozen=True)
class SavedPlan:
    apps: dict[int, SavedApp]
    changes: tuple[SavedChange, ...]
    existing: int
    digest: str  # of the body every app signed
    signatures: dict[int, str]
    errors: tuple[str, ...] = ()  # apps the plan could not read (left out of it)
    thresholds: dict[str, float] = field(default_factory=dict)
    """The safety thresholds the plan was judged by (its signed ``safety`` field): what
    applying it is held to, unless a flag says otherwise."""

    def counts(self) -> dict[str, int]:
        """Creates/updates/deletes counted from the changes themselves (whose content the
        fingerprints verify), never from the file's own ``summary`` field."""
        return {a.value: sum(1 for c in self.changes if c.action is a) for a in Action}


def _remedy(path: Path) -> str:
    """What ``apply --plan FILE`` expected, and how to make one."""
    return (
        "expected a desired-state directory or a file written by `reconciler plan --out`: "
        f"make a new one with `reconciler plan DIR --out {escape(path.name)}`"
    )


def _fail(path: Path, what: str) -> PlanFileError:
    return refusal(path, what, _remedy(path))


def read_plan_file(path: Path) -> SavedPlan:
    """The saved plan in ``path`` (``apply --plan FILE``), read by the bounded reader
    every plan file goes through (:mod:`reconciler.plan.planjson`)."""
    doc = load_plan_json(path, what="a saved plan", remedy=_remedy(path))
    return _saved_plan(doc, path)


def parse_plan_document(doc: Any, path: Path) -> SavedPlan:
    """A saved plan from its JSON document (read from ``path``, named in messages).

    The checksum and the signatures are over the document as read (``doc``); its shape
    is then checked against :class:`reconciler.plan.model.SavedPlanDocument`.
    """
    return _saved_plan(check_plan_header(doc, path, _remedy(path)), path)


def _saved_plan(doc: dict[str, Any], path: Path) -> SavedPlan:
    """A plan whose header :func:`check_plan_header` accepted: an applicable one."""
    if doc.get("reviewed_only"):
        raise PlanFileError(
            f"{shown_path(path)}: this plan was made against a live-state snapshot, without "
            "keys, so nothing in it is signed and it cannot be applied. Plan with the keys "
            f"(`reconciler plan DIR --out fresh.json`) and apply that with --reviewed "
            f"{shown_path(path)}"
        )
    # the model is imported when a plan is read, not by every command that prints one
    from reconciler.plan.model import PlanShapeError, validate_saved_plan

    try:
        saved = validate_saved_plan(doc)
    except PlanShapeError as exc:
        raise _fail(path, f"malformed saved plan: {exc}") from None
    apps = {
        a["sdkappid"]: SavedApp(
            a["app"], a["sdkappid"], a["region"], a["identifier"], a["secret_key_env"]
        )
        for a in saved["apps"]
    }
    changes = tuple(
        SavedChange(
            Resource(c["app"], c["sdkappid"], c["product"]),
            Action(c["action"]),
            dict(c["before"]) if c["before"] is not None else None,
            dict(c["after"]) if c["after"] is not None else None,
            c["fingerprint"]["before"],
            c["fingerprint"]["after"],
            c.get("token_env"),
        )
        for c in saved["changes"]
    )
    errors = tuple(
        f"{e['app']} ({e['sdkappid']}) {e['product']}: {e['error']}"
        for e in saved.get("errors", [])
    )
    safety = saved.get("safety")
    thresholds = cast("dict[str, float]", dict(safety.get("thresholds", {}))) if safety else {}
    signatures = {int(k): v for k, v in saved["signatures"].items()}
    for change in changes:
        if change.resource.sdkappid not in apps:
            raise _fail(path, f"change for sdkappid {change.resource.sdkappid} has no app entry")
    if set(signatures) != set(apps):
        raise _fail(path, "the plan file was edited after it was saved (app signatures)")
    return SavedPlan(
        apps, changes, saved["existing"], body_digest(doc), signatures, errors, thresholds
    )
