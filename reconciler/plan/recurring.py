"""Recurring drift: a drifted resource this tool already set back before.

``drift --audit-log FILE`` reads earlier applies' audit logs
(:mod:`reconciler.apply.history`); a resource that drifted again after an apply
wrote the very value the desired state still asks for is changed by another writer
(a service that calls ``set_callback`` on every start, a console habit). The plan
of a drift run carries one :class:`RecurringDrift` per such resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.configs import Resource
from reconciler.escape import escape

SHOWN_REQUEST_IDS = 10  # the most recent ones; the count says how many there were


@dataclass(frozen=True)
class RecurringDrift:
    """This tool wrote the desired value of ``resource`` ``times`` times (each an
    ``applied`` audit line), the last at ``last`` (ISO 8601); ``request_ids`` of those
    writes, oldest first."""

    resource: Resource
    times: int
    last: str
    request_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        r = self.resource
        return {
            "app": r.app,
            "sdkappid": r.sdkappid,
            "product": r.product,
            "times_set_back": self.times,
            "last_set_back": self.last,
            "request_ids": list(self.request_ids),
        }

    def shown_request_ids(self) -> str:
        """The latest RequestIds, escaped for a terminal, with how many were left out."""
        ids = [escape(i) for i in self.request_ids[-SHOWN_REQUEST_IDS:]]
        more = len(self.request_ids) - len(ids)
        text = ", ".join(ids) if ids else "(none recorded)"
        return text + (f" and {more} earlier" if more else "")

    def sentence(self) -> str:
        """One line for people (escape it further for Markdown or HTML)."""
        return (
            f"recurring drift: this tool already set it to the desired value {self.times} "
            "time(s), last at "
            f"{escape(self.last)} (RequestId {self.shown_request_ids()}); another writer "
            "keeps changing it"
        )
