"""``plan --check-urls``: the URLs a plan would write, probed, per app and product.

Only the URLs a change would write (a create or an update of a callback product)
are checked; each distinct URL is probed once (:mod:`reconciler.api.urlprobe`).
Problems are warnings on the plan; ``--check-urls=strict`` makes them errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from reconciler.api import runner, urlprobe
from reconciler.api.urlprobe import (
    DEFAULT_PARALLEL,
    DEFAULT_TIMEOUT,
    Probe,
    Reach,
    Resolver,
    probe_urls,
)
from reconciler.configs import CallbackConfig, Resource
from reconciler.errors import ReconcilerError
from reconciler.escape import escape
from reconciler.plan.change import Action, Plan
from reconciler.secret import mask_known

_WORDS = {
    Reach.REACHABLE: "reachable",
    Reach.UNRESOLVABLE: "unresolvable",
    Reach.REFUSED: "connection refused",
    Reach.TIMED_OUT: "timed out",
    Reach.CERTIFICATE: "certificate problem",
    Reach.ERROR: "unreachable",
}


class UrlCheckError(ReconcilerError):
    """``--check-urls=strict``: a URL a change would write failed its check."""


@dataclass(frozen=True)
class UrlCheck:
    """The check of the URL a change of ``resource`` would write."""

    resource: Resource
    url: str
    probe: Probe

    @property
    def ok(self) -> bool:
        return self.probe.ok

    def verdict(self) -> str:
        """``reachable (HTTP 405)`` or ``certificate problem: self-signed certificate``."""
        word = _WORDS[self.probe.reach]
        if self.probe.ok:
            return f"{word} (HTTP {self.probe.status})"
        return f"{word}: {escape(mask_known(self.probe.detail))}"

    def line(self) -> str:
        r = self.resource
        url = escape(mask_known(self.url))
        return f"{escape(r.app)} ({r.sdkappid}) {r.product} {url}: {self.verdict()}"

    def to_dict(self) -> dict[str, Any]:
        r = self.resource
        return {
            "app": r.app,
            "sdkappid": r.sdkappid,
            "product": r.product,
            "url": mask_known(self.url),
            "result": self.probe.reach.value,
            "status": self.probe.status,
            "detail": mask_known(self.probe.detail) or None,
        }


def urls_to_check(plan: Plan) -> list[tuple[Resource, str]]:
    """(resource, URL) of every change that would write a callback URL."""
    return [
        (c.resource, c.after.url)
        for c in plan.changes
        if c.action is not Action.DELETE and isinstance(c.after, CallbackConfig)
    ]


def check_urls(
    plan: Plan,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    parallel: int = DEFAULT_PARALLEL,
    resolver: Resolver | None = None,
) -> Plan:
    """``plan`` with ``url_checks`` set (each output lists them; the JSON ``warnings``
    hold one per URL that failed its check). ``resolver``: the system's by default."""
    wanted = urls_to_check(plan)
    probes: Mapping[str, Probe] = (
        runner.run(
            probe_urls(
                (u for _, u in wanted),
                timeout=timeout,
                parallel=parallel,
                resolver=resolver or urlprobe.system_resolver,
            )
        )
        if wanted
        else {}
    )
    return replace(plan, url_checks=tuple(UrlCheck(r, u, probes[u]) for r, u in wanted))


def url_problems(plan: Plan) -> list[str]:
    """One line per URL check that failed."""
    return [f"URL check: {c.line()}" for c in plan.url_checks or () if not c.ok]


def enforce(plan: Plan) -> None:
    """``--check-urls=strict``: raise when any URL check failed."""
    problems = url_problems(plan)
    if problems:
        raise UrlCheckError(
            f"{len(problems)} URL(s) a change would write failed the check "
            "(--check-urls=strict); fix the URL or its receiver (DNS, port, certificate), "
            "or plan with --check-urls to see them as warnings"
        )
