"""Request URLs: ``BASE/PATH?sdkappid=…&identifier=…&usersig=…&random=…&contenttype=json``.

Only ``random`` changes from one request to the next. The rest of the query is
percent-encoded once per UserSig, and ``BASE/PATH`` is parsed once per path:
httpx parses and checks a whole URL character by character whenever it builds
one from text, which with a UserSig of 200+ characters was the largest CPU cost
of a request. Each request's :class:`httpx.URL` is the parsed path with its
query set, built without parsing again.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from reconciler.secret import Secret


def with_query(url: httpx.URL, query: str) -> httpx.URL:
    """``url`` with its query replaced by ``query``, which must be already percent-encoded.

    Uses httpx's parsed form (a named tuple) when it has one, else its public API.
    """
    parsed = getattr(url, "_uri_reference", None)
    if parsed is None or not hasattr(parsed, "_replace"):  # pragma: no cover - other httpx
        return url.copy_with(query=query.encode("ascii"))
    fast = httpx.URL.__new__(httpx.URL)
    fast._uri_reference = parsed._replace(query=query)
    return fast


class SignedUrls:
    """Builds each request's URL from parts prepared once."""

    def __init__(self) -> None:
        self._paths: dict[str, httpx.URL] = {}
        # per (sdkappid, identifier): the UserSig, and the query up to `random` with it
        self._queries: dict[tuple[int, str], tuple[Secret, str]] = {}

    def url(
        self, base: str, path: str, sdkappid: int, identifier: str, usersig: Secret, random: int
    ) -> httpx.URL:
        where = f"{base}/{path}"
        parsed = self._paths.get(where)
        if parsed is None:
            parsed = self._paths[where] = httpx.URL(where)
        key = (sdkappid, identifier)
        cached = self._queries.get(key)
        if cached is None or cached[0] is not usersig:  # a renewed UserSig: encode it again
            fields = {"sdkappid": str(sdkappid), "identifier": identifier}
            fields["usersig"] = usersig.reveal()
            cached = self._queries[key] = (usersig, urlencode(fields))
        return with_query(parsed, f"{cached[1]}&random={random}&contenttype=json")
