"""Request URLs: ``BASE/PATH?sdkappid=…&identifier=…&usersig=…&random=…&contenttype=json``.

Only ``random`` changes from one request to the next. ``BASE/PATH`` is parsed and
normalised (percent-encoded) by httpx once per path, and the rest of the query is
percent-encoded once per UserSig: a request's URL is then one string join, sent as
it is. Parsing and checking a URL with a UserSig of 200+ characters, character by
character, for every request was once the largest CPU cost of a request.
"""

from __future__ import annotations

import httpx

from reconciler.secret import Secret, percent_encoded


class SignedUrls:
    """Builds each request's URL (percent-encoded text) from parts prepared once."""

    def __init__(self) -> None:
        self._paths: dict[str, str] = {}
        # per (sdkappid, identifier): the UserSig, and the query up to `random` with it
        self._queries: dict[tuple[int, str], tuple[Secret, str]] = {}

    def url(
        self, base: str, path: str, sdkappid: int, identifier: str, usersig: Secret, random: int
    ) -> str:
        where = f"{base}/{path}"
        prefix = self._paths.get(where)
        if prefix is None:
            prefix = self._paths[where] = f"{httpx.URL(where)}?"
        key = (sdkappid, identifier)
        cached = self._queries.get(key)
        if cached is None or cached[0] is not usersig:  # a renewed UserSig: encode it again
            query = (
                f"sdkappid={sdkappid}&identifier={percent_encoded(identifier, plus=True)}"
                f"&usersig={percent_encoded(usersig.reveal(), plus=True)}"
            )  # urlencode() of the three, without its per-character quoting in Python
            cached = self._queries[key] = (usersig, query)
        return f"{prefix}{cached[1]}&random={random}&contenttype=json"
