"""The orchestrator: load → credentials → fetch → plan → apply, in one object.

Modelled on octoDNS's ``Manager``: everything a command does, minus parsing and
printing. ``apply`` takes a :class:`SavedPlan` only: a plan made just now is
saved in memory (signed with each app's key) and goes through the very path a
plan file does, with the same per-change fingerprint stale check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from reconciler.api import runner
from reconciler.api.client import AppTarget, TencentClient
from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import ApplyItem, ChangeResult
from reconciler.apply.history import read_audit_logs, with_recurring
from reconciler.apply.phases import phase
from reconciler.apply.run import ApplyRun, StepProgress
from reconciler.apply.saved import saved_plan_items, saved_plan_parts
from reconciler.configs import Config
from reconciler.credentials import CredentialSource, SeededCredentials, credential_source
from reconciler.desired.loader import DesiredApp
from reconciler.engine.backend import Backend, open_backend
from reconciler.engine.events import Events, RecordingEvents
from reconciler.engine.loading import Selected, load_selection
from reconciler.engine.options import Connection, SafetyRails, Selection
from reconciler.engine.pipeline import Review, finish, rules_of
from reconciler.errors import ReconcilerError, UsageError
from reconciler.fetch import CannotHave, FetchError, LiveSnapshot, Read, fetch_live
from reconciler.plan.build import build_plan, reads_for
from reconciler.plan.change import Change, Plan, Resource
from reconciler.plan.planfile import (
    SavedPlan,
    parse_plan_document,
    plan_document,
    read_plan_file,
)
from reconciler.plan.safety import Thresholds, check_protect, check_thresholds, enforce
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.resolve import ResolvedApp, resolve_partial
from reconciler.secret import run_secrets

if TYPE_CHECKING:
    from reconciler.plan.model import SavedPlanDocument

IN_MEMORY = Path("(plan made in this run)")


@dataclass(frozen=True)
class PlanResult:
    """A plan and what it was made from."""

    apps: list[DesiredApp]
    resolved: list[ResolvedApp]
    plan: Plan
    config_warnings: tuple[str, ...] = ()
    """The desired state's warnings (``file:line:col: message``), for every output."""
    safety_settings: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    """The policy file's ``safety:`` thresholds (name → value, ``set at file:line:col``),
    as loaded with the apps: the post-plan pipeline judges the plan by them."""

    @property
    def protected(self) -> set[int]:
        """sdkappids of the apps marked ``protect: true``."""
        return {a.sdkappid for a in self.apps if a.protect}

    def document(self) -> SavedPlanDocument:
        """The saved-plan document (``plan --out``): signed, fingerprinted, no secret."""
        return plan_document(self.plan, self.resolved)

    def saved(self) -> SavedPlan:
        """This plan as a saved plan, in memory: what ``apply`` takes."""
        return parse_plan_document(self.document(), IN_MEMORY)


@dataclass(frozen=True)
class DriftResult:
    """A drift report: the plan minus the accepted differences."""

    plan: Plan
    ignored: int  # accepted differences left out (--ignore / .driftignore)
    accepted: tuple[Change | Resource, ...] = ()  # what was left out: changes, unmanaged
    config_warnings: tuple[str, ...] = ()  # the desired state's (also in plan.warnings)


@dataclass(frozen=True)
class ImportRequest:
    """One app to read for ``import``."""

    sdkappid: int
    region: str
    name: str
    identifier: str | None = None
    """This app's admin account (None: the ``identifier`` of :meth:`Reconciler.read_apps`)."""
    secret_key_env: str | None = None
    """This app's secret key variable (None: the ``secret_key_env`` of ``read_apps``)."""


@dataclass(frozen=True)
class ImportResult:
    app: ImportRequest
    configs: dict[str, Config | None] | None  # None: it failed, see ``error``
    error: str = ""
    unavailable: tuple[CannotHave, ...] = ()
    """Products the app cannot have (v1 50001): not configured, and never written."""


@dataclass(frozen=True)
class ApplyResult:
    results: list[ChangeResult]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


class Reconciler:
    """Runs the pipeline against one backend; use it as a context manager.

    ``credentials`` default to the environment, behind the seed's keys when the
    connection starts an embedded emulator. ``events`` receive progress, warnings
    and notes (see :class:`Events`).
    """

    def __init__(
        self,
        connection: Connection | None = None,
        *,
        credentials: CredentialSource | None = None,
        events: Events | None = None,
    ) -> None:
        self.connection = connection or Connection()
        self.events = events or Events()
        self._credentials = credentials
        self._environment: CredentialSource | None = None  # of the run: see _run_environment
        self._usual: CredentialSource | None = None
        self._stack = ExitStack()
        self._backend: Backend | None = None

    def __enter__(self) -> Reconciler:
        # the secrets met inside the block belong to its run (or to the CLI command's)
        self._stack.enter_context(run_secrets())
        self._backend = self._stack.enter_context(open_backend(self.connection, self.events.info))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._backend = None
        self._environment = self._usual = None  # the next run reads the environment anew
        self._stack.close()

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            raise RuntimeError("use the Reconciler in a `with` block")
        return self._backend

    @property
    def credentials(self) -> CredentialSource:
        if self._credentials is not None:
            return self._credentials
        if self._usual is None:
            keys = self.backend.secret_keys
            environment = self._run_environment()
            self._usual = environment if keys is None else SeededCredentials(keys, environment)
        return self._usual

    def _run_environment(self) -> CredentialSource:
        """The environment and its secrets bundle (``RECONCILER_SECRETS``, the
        ``--secrets-file`` of the run): read once a run (a ``with`` block) and
        forgotten at its end; outside one, read at each call."""
        if self._credentials is not None:
            return self._credentials
        if self._backend is None:
            return credential_source()
        if self._environment is None:
            self._environment = credential_source()
        return self._environment

    # load

    def load(self, directory: Path, selection: Selection | None = None) -> list[DesiredApp]:
        """Load and validate DIRECTORY; keep the selected apps."""
        return self.load_state(directory, selection)[0]

    def load_state(
        self, directory: Path, selection: Selection | None = None
    ) -> tuple[list[DesiredApp], tuple[str, ...]]:
        """:meth:`load`, and the desired state's warnings (``file:line:col: message``;
        each also goes to ``events.config_warning``)."""
        loaded = self.load_selection(directory, selection)
        return loaded.apps, loaded.warnings

    def load_selection(self, directory: Path, selection: Selection | None = None) -> Selected:
        """:meth:`load_state`, and the policy file's ``safety:`` thresholds, from the
        one read of that file in this load."""
        credentials = self._run_environment()  # not the seed's keys: the desired state's
        recorder = RecordingEvents(self.events)
        loaded = load_selection(directory, selection or Selection(), credentials, recorder)
        return replace(loaded, warnings=tuple(recorder.config_warnings))

    # plan

    def plan(self, directory: Path, selection: Selection | None = None) -> PlanResult:
        """load → resolve credentials → fetch (read-only) → diff."""
        selection = selection or Selection()
        with phase("load"):
            loaded = self.load_selection(directory, selection)
        run = self.plan_apps(loaded.apps, selection.products)
        return replace(run, config_warnings=loaded.warnings, safety_settings=loaded.safety)

    def review(
        self,
        directory: Path,
        selection: Selection | None = None,
        *,
        ignores: Iterable[str] = (),
        rails: SafetyRails | None = None,
        base_ref: str | None = None,
    ) -> PlanResult:
        """The plan of DIRECTORY as ``reconciler plan`` and ``apply DIR`` give it:
        :meth:`plan`, then the post-plan pipeline (:mod:`reconciler.engine.pipeline`):
        accepted differences left out (``ignores``, .driftignore; listed in
        ``plan.ignored``), the safety verdict (``plan.safety``; ``rails``: the
        thresholds and ``force``; a threshold not given is DIR's policy's ``safety:``
        setting, else the default) and every warning
        (``plan.warnings``). :meth:`check_plan` enforces the verdict."""
        selection = selection or Selection()
        review = Review(
            directory,
            tuple(ignores),
            rails or SafetyRails(),
            base_ref,
            selection.lenient,
        )
        rules = rules_of(review)  # a broken .driftignore stops here, before any request
        return finish(self.plan(directory, selection), self.events, review, rules).run

    def plan_apps(self, apps: Sequence[DesiredApp], products: Sequence[str] = ()) -> PlanResult:
        """Plan already loaded apps (``products``: only these; empty: all).

        A resource that cannot be read leaves its app out of the plan, listed in
        ``plan.errors``; when no app at all could be read, :class:`FetchError`.
        """
        return self._plan_apps(apps, products)

    def _plan_apps(self, apps: Sequence[DesiredApp], products: Sequence[str]) -> PlanResult:
        wanted = frozenset(products) if products else None
        with phase("credentials"):
            # an app without its secret key fails alone, as an app whose key is refused
            resolved, keyless = resolve_partial(apps, self.credentials, products=wanted)
        reads = reads_for(resolved, wanted, probe_unmanaged=True)
        done = self.events.reading(len(reads), len(resolved))

        async def run() -> Plan:
            async with self.backend.client(read_only=True) as client:
                with phase("fetch"):
                    live = await fetch_live(client, reads, on_done=done, partial=True)
            with phase("plan"):
                return build_plan(resolved, live, wanted)

        plan = runner.run(run()) if resolved else build_plan([], LiveSnapshot({}), wanted)
        if keyless:
            plan = replace(plan, errors=(*plan.errors, *keyless))
        unreadable = {i for _, i in plan.unreadable_apps}
        if plan.errors and not any(
            a.resources and a.target.sdkappid not in unreadable for a in resolved
        ):
            raise FetchError(plan.errors_message())  # nothing managed was read: no plan
        for warning in plan.warnings:
            self.events.warning(warning)
        return PlanResult(list(apps), resolved, plan)

    # safety

    @staticmethod
    def check_plan(result: PlanResult, thresholds: Thresholds | None = None) -> None:
        """Refuse a plan that deletes in a ``protect: true`` app, or exceeds ``thresholds``;
        a plan from :meth:`review` by its own verdict (``--force`` included)."""
        if result.plan.safety is not None:
            enforce(result.plan.safety)
        check_protect(result.plan, result.protected)
        if thresholds is not None:
            check_thresholds(result.plan.summary(), result.plan.existing, thresholds)

    @staticmethod
    def check_saved(saved: SavedPlan, thresholds: Thresholds | None) -> None:
        """Refuse a saved plan that exceeds ``thresholds`` (counted from its changes)."""
        if thresholds is not None:
            check_thresholds(saved.counts(), saved.existing, thresholds)

    # drift

    def drift(
        self,
        directory: Path,
        selection: Selection | None = None,
        ignores: Iterable[str] = (),
        *,
        audit_logs: Sequence[Path] = (),
    ) -> DriftResult:
        """The plan of DIRECTORY through the post-plan pipeline, in drift's words: minus
        accepted differences (``ignores``, .driftignore), with every warning. With
        ``audit_logs`` (earlier applies'), drift they already set back is marked
        recurring (``plan.recurring``)."""
        selection = selection or Selection()
        history = read_audit_logs(audit_logs) if audit_logs else None  # before any request
        review = Review(directory, tuple(ignores), None, words="drift")
        rules = rules_of(review)
        run = self.plan(directory, selection)
        done = finish(run, self.events, review, rules)
        plan = done.plan if history is None else with_recurring(done.plan, history)
        return DriftResult(plan, len(done.accepted), done.accepted, run.config_warnings)

    # apply

    @staticmethod
    def read_saved_plan(path: Path) -> SavedPlan:
        """A plan file written by ``plan --out`` (checksum verified)."""
        return read_plan_file(path)

    def prepare(self, saved: SavedPlan) -> list[ApplyItem]:
        """Resolve keys and tokens, verify every signature and fingerprint: the changes."""
        return saved_plan_items(saved, self.credentials)

    def prepare_partial(self, saved: SavedPlan) -> tuple[list[ApplyItem], list[ChangeResult]]:
        """:meth:`prepare`, where an app whose secret key is missing fails alone: its
        changes come back failed (nothing is sent for it), the others as items."""
        return saved_plan_parts(saved, self.credentials)

    def execute(
        self,
        items: Sequence[ApplyItem],
        *,
        on_result: Callable[[ChangeResult], None] | None = None,
        audit: AuditLog | None = None,
        progress: StepProgress | None = None,
    ) -> ApplyResult:
        """Apply prepared changes concurrently; each is stale-checked, recorded in the
        write-ahead ``audit`` log, written and read back; then every written resource is
        read again to catch another writer. Ctrl-C and SIGTERM raise
        :class:`ApplyInterrupted` once every started change is reported and audited."""
        run = ApplyRun(
            self.backend.client, items, audit=audit, on_result=on_result, progress=progress
        )
        return ApplyResult(run.execute())

    def apply(
        self,
        saved: SavedPlan,
        *,
        on_result: Callable[[ChangeResult], None] | None = None,
        audit: AuditLog | None = None,
        progress: StepProgress | None = None,
    ) -> ApplyResult:
        """:meth:`prepare` then :meth:`execute`: apply a saved plan (or ``PlanResult.saved()``)."""
        return self.execute(
            self.prepare(saved), on_result=on_result, audit=audit, progress=progress
        )

    # import

    def read_app(
        self,
        *,
        name: str,
        sdkappid: int,
        region: str,
        identifier: str = "administrator",
        secret_key_env: str | None = None,
        products: Sequence[str] = (),
    ) -> dict[str, Config | None]:
        """The live configuration of one app, per product (``None``: not configured, or
        the app cannot have it: v1 50001): :meth:`read_apps` of this app alone, whose
        failure (no secret key, an unreadable product) is raised."""
        wanted = _wanted_products(products)
        request = ImportRequest(sdkappid, region, name, identifier, secret_key_env)

        async def run() -> dict[str, Config | None]:
            async with self.backend.client(read_only=True) as client:
                configs, _ = await self._read_one(client, request, wanted, identifier, None)
            return configs

        return runner.run(run())

    def read_apps(
        self,
        apps: Sequence[ImportRequest],
        *,
        identifier: str = "administrator",
        secret_key_env: str | None = None,
        products: Sequence[str] = (),
        on_app_done: Callable[[], None] | None = None,
    ) -> list[ImportResult]:
        """The live configuration of many apps, read concurrently (``import`` of a fleet).

        One app's failure (no secret key, an unreadable product) is that app's alone:
        its result carries the error, the others their configurations.
        """
        wanted = _wanted_products(products)

        async def run() -> list[ImportResult]:
            async with self.backend.client(read_only=True) as client:

                async def one(app: ImportRequest) -> ImportResult:
                    try:
                        configs, unavailable = await self._read_one(
                            client, app, wanted, identifier, secret_key_env
                        )
                    except ReconcilerError as exc:
                        return ImportResult(app, None, str(exc))
                    finally:
                        if on_app_done is not None:
                            on_app_done()
                    return ImportResult(app, configs, unavailable=unavailable)

                return list(await asyncio.gather(*(one(a) for a in apps)))

        return runner.run(run())

    async def _read_one(
        self,
        client: TencentClient,
        app: ImportRequest,
        wanted: Sequence[str],
        identifier: str,
        secret_key_env: str | None,
    ) -> tuple[dict[str, Config | None], tuple[CannotHave, ...]]:
        """One app's live configuration of the ``wanted`` products (its own identifier
        and key variable, else the given ones), and the products it cannot have."""
        key_env = app.secret_key_env or secret_key_env
        subject = f"{app.name} (sdkappid {app.sdkappid})"
        key = self.credentials.secret_key(app.sdkappid, key_env, subject=subject)
        source = self.credentials.key_source(app.sdkappid, key_env)
        target = AppTarget(app.sdkappid, app.region, app.identifier or identifier, key, source)
        live = await fetch_live(client, [Read(target, app.name, p) for p in wanted])
        return {p: live.get(app.sdkappid, p) for p in wanted}, live.unavailable


def _wanted_products(products: Sequence[str]) -> list[str]:
    """The products to read, in catalogue order (empty: all); an unknown one is an error."""
    unknown = sorted(set(products) - set(PRODUCT_KEYS))
    if unknown:
        raise UsageError(f"unknown product(s) {', '.join(unknown)}; use {PRODUCT_KEYS}")
    return [p for p in PRODUCT_KEYS if not products or p in products]
