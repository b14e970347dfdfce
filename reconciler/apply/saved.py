"""Turn a saved plan back into apply items, refusing anything edited or unresolvable."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.api.client import AppTarget
from reconciler.apply.executor import ApplyItem, ChangeResult, Outcome
from reconciler.configs import NOT_MANAGED, Config, TokenConfig, managed_view
from reconciler.credentials import CredentialSource, credential_source
from reconciler.errors import CredentialsError, PlanFileError
from reconciler.plan.change import Action, Change
from reconciler.plan.fingerprint import fingerprint, same_fingerprint, sign
from reconciler.plan.planfile import SavedChange, SavedPlan
from reconciler.products.catalog import PRODUCTS, Kind
from reconciler.secret import Secret


def _after_config(change: SavedChange, credentials: CredentialSource) -> Config | None:
    if change.action is Action.DELETE:
        return None
    if change.token_env is not None:
        assert change.after_public is not None
        token = credentials.token(change.token_env, where=str(change.resource))
        return TokenConfig(token=token, enabled=bool(change.after_public.get("enabled")))
    if PRODUCTS[change.resource.product].kind is Kind.TOKEN:
        # switch-only (no token_env): the token is not managed, never saved nor needed
        public = change.after_public or {}
        if public.get("token") != NOT_MANAGED or not isinstance(public.get("enabled"), bool):
            raise PlanFileError(
                f"{change.resource}: the saved token change has neither a `token_env` nor "
                f"the {NOT_MANAGED} marker of a switch-only token"
            )
        return TokenConfig(token=None, enabled=public["enabled"])
    after = change.after_callback()
    if after is None:
        raise PlanFileError(f"{change.resource}: the saved change has no `after` configuration")
    return after


def items_from_saved_plan(
    saved: SavedPlan,
    env: Mapping[str, str],
    secret_keys: Mapping[int, str] | None = None,
) -> list[ApplyItem]:
    """:func:`saved_plan_items` with secrets from ``env`` (behind an emulator's keys)."""
    return saved_plan_items(saved, credential_source(env, secret_keys))


def saved_plan_items(saved: SavedPlan, credentials: CredentialSource) -> list[ApplyItem]:
    """One :class:`ApplyItem` per saved change, stale-checked against its fingerprint;
    a missing secret key is an error for the whole plan (see :func:`saved_plan_parts`)."""
    items, keyless = saved_plan_parts(saved, credentials)
    if keyless:
        raise CredentialsError("\n".join(dict.fromkeys(r.message for r in keyless)))
    return items


def _unresolved_change(change: SavedChange) -> Change:
    """The change as saved, for a report: a token's value is not resolved."""
    after: Config | None = None
    if change.action is not Action.DELETE:
        after = change.after_callback() or TokenConfig(
            token=None, enabled=bool((change.after_public or {}).get("enabled"))
        )
    return change.as_change(after)


def saved_plan_parts(
    saved: SavedPlan, credentials: CredentialSource
) -> tuple[list[ApplyItem], list[ChangeResult]]:
    """One :class:`ApplyItem` per saved change, stale-checked against its fingerprint;
    and the changes of every app whose secret key is missing, failed (nothing is sent
    for that app: a missing key fails only its app).

    The only way changes reach the executor: ``apply DIR`` saves its plan in memory
    and comes through here too. Every app's signature over the plan is checked first.
    """
    targets: dict[int, AppTarget] = {}
    problems: dict[int, str] = {}
    for app in saved.apps.values():
        try:
            subject = f"{app.name} (sdkappid {app.sdkappid})"
            key = credentials.secret_key(app.sdkappid, app.secret_key_env, subject=subject)
        except CredentialsError as exc:
            problems[app.sdkappid] = str(exc)
            continue
        source = credentials.key_source(app.sdkappid, app.secret_key_env)
        targets[app.sdkappid] = AppTarget(app.sdkappid, app.region, app.identifier, key, source)
    keyless = [
        ChangeResult(_unresolved_change(c), Outcome.FAILED, problems[c.resource.sdkappid])
        for c in saved.changes
        if c.resource.sdkappid in problems
    ]
    for sdkappid, target in targets.items():
        if not same_fingerprint(sign(target.secret_key, saved.digest), saved.signatures[sdkappid]):
            raise PlanFileError(
                f"the saved plan's signature for {saved.apps[sdkappid].name} ({sdkappid}) does "
                "not match: the file was edited, or the secret key is not the one the plan "
                "was made with; nothing was applied. Plan again."
            )

    items: list[ApplyItem] = []
    for saved_change in saved.changes:
        r = saved_change.resource
        if r.sdkappid in problems:
            continue
        target = targets[r.sdkappid]
        after = _after_config(saved_change, credentials)
        if not same_fingerprint(
            fingerprint(target.secret_key, r.sdkappid, r.product, after),
            saved_change.after_fingerprint,
        ):
            what = (
                f"the token in ${saved_change.token_env} is not the one the plan was made with"
                if saved_change.token_env
                else "the change does not match its fingerprint (edited, or another secret key)"
            )
            raise PlanFileError(f"{r}: {what}; nothing was applied. Plan again.")
        expected = saved_change.before_fingerprint
        key = target.secret_key

        def is_current(
            live: Config | None,
            _expected: str = expected,
            _key: Secret = key,
            _id: int = r.sdkappid,
            _product: str = r.product,
            _after: Config | None = after,
        ) -> bool:
            # what the change manages of live, as the plan fingerprinted its `before`
            # (a switch-only token's value is not: a token rotated since is no matter)
            seen = managed_view(live, _after)
            return same_fingerprint(fingerprint(_key, _id, _product, seen), _expected)

        items.append(ApplyItem(saved_change.as_change(after), target, is_current))
    return items, keyless
