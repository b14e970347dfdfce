"""A small GitHub REST client on httpx: token from ``GITHUB_TOKEN``, API base from
``GITHUB_API_URL``, repository from ``GITHUB_REPOSITORY`` (as in every Actions job).

Every answer is read with a byte limit; the token is sent only to the API's own host
(a redirect to artifact storage is followed without it) and never printed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from reconciler.errors import ReconcilerError
from reconciler.escape import cut
from reconciler.loopback import is_loopback

JSON_LIMIT = 8 * 1024 * 1024
"""Bytes of one JSON answer: a page of 100 comments or runs is far below it."""

PER_PAGE = 100
MAX_PAGES = 20
"""Pages followed for one listing (2,000 items): the newest come first where it matters."""

REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")


class GitHubError(ReconcilerError):
    """A GitHub API call failed, or the job's environment does not name a repository."""


@dataclass(frozen=True)
class Call:
    """One request as made: for tests and for checking against GitHub's OpenAPI."""

    method: str
    path: str
    params: tuple[str, ...]


@dataclass
class GitHub:
    """The REST API of one repository."""

    token: str = field(repr=False)
    api_url: str
    repository: str
    transport: httpx.BaseTransport | None = None
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not REPOSITORY.match(self.repository):
            raise GitHubError(
                f"GITHUB_REPOSITORY {cut(self.repository, 80)} is not OWNER/NAME: "
                "run this in GitHub Actions, or set it"
            )
        parts = urlsplit(self.api_url)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and is_loopback(parts.hostname or "")
        ):
            raise GitHubError(
                f"GITHUB_API_URL {cut(self.api_url, 80)} must be https:// (http:// only "
                "on loopback, for tests)"
            )
        self._client = httpx.Client(
            base_url=self.api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "trtc-callback-reconciler",
            },
            timeout=httpx.Timeout(30.0),
            transport=self.transport,
            follow_redirects=False,
        )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None
    ) -> GitHub:
        env = os.environ if env is None else env
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            raise GitHubError(
                "GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ github.token }}`"
            )
        return cls(
            token=token,
            api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
            repository=env.get("GITHUB_REPOSITORY", ""),
            transport=transport,
        )

    @property
    def repo_path(self) -> str:
        return f"/repos/{self.repository}"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        limit: int = JSON_LIMIT,
    ) -> tuple[httpx.Response, bytes]:
        self.calls.append(Call(method, path, tuple(sorted(params or {}))))
        request = self._client.build_request(method, path, params=dict(params or {}), json=body)
        try:
            response = self._client.send(request, stream=True)
            try:
                data = read_limited(response, limit, f"{method} {path}")
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise GitHubError(
                f"{method} {path}: cannot reach the GitHub API ({self._scrub(str(exc))})"
            ) from None
        return response, data

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one request; its JSON answer (None for 204). A non-2xx answer raises."""
        response, data = self._send(method, path, params, body)
        if response.status_code >= 300:
            raise GitHubError(
                f"{method} {path}: GitHub answered {response.status_code} "
                f"{self._scrub(api_message(data))}; check the job's `permissions:`"
            )
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError:
            raise GitHubError(f"{method} {path}: GitHub's answer is not JSON") from None

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return self.request("GET", path, params)

    def pages(
        self, path: str, params: Mapping[str, str | int] | None = None, key: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a listing, page by page (``key``: the list inside an object)."""
        for page in range(1, MAX_PAGES + 1):
            answer = self.get(path, {**(params or {}), "per_page": PER_PAGE, "page": page})
            items = answer.get(key) if key and isinstance(answer, dict) else answer
            if not isinstance(items, list):
                raise GitHubError(f"GET {path}: GitHub's answer is not a list")
            yield from (item for item in items if isinstance(item, dict))
            if len(items) < PER_PAGE:
                return

    def download(self, path: str, limit: int) -> bytes:
        """The bytes behind ``path`` (an artifact's zip), at most ``limit`` of them.

        GitHub answers with a redirect to its storage; that URL is signed, so it is
        fetched WITHOUT the token.
        """
        response, data = self._send("GET", path, limit=limit)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("location", "")
            parts = urlsplit(location)
            if parts.scheme != "https" and not (
                parts.scheme == "http" and is_loopback(parts.hostname or "")
            ):
                raise GitHubError(f"GET {path}: GitHub redirected to a URL that is not https")
            try:
                with (
                    httpx.Client(timeout=httpx.Timeout(60.0), transport=self.transport) as plain,
                    plain.stream("GET", location) as redirected,
                ):
                    data = read_limited(redirected, limit, f"GET {path}")
                    status = redirected.status_code
            except httpx.HTTPError as exc:
                raise GitHubError(f"GET {path}: cannot download ({type(exc).__name__})") from None
            if status != 200:
                raise GitHubError(f"GET {path}: the download answered {status}")
            return data
        if response.status_code != 200:
            raise GitHubError(
                f"GET {path}: GitHub answered {response.status_code} "
                f"{self._scrub(api_message(data))}"
            )
        return data


def read_limited(response: httpx.Response, limit: int, what: str) -> bytes:
    """The body of a streamed answer; more than ``limit`` bytes is an error (read no further)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise GitHubError(
            f"{what}: the answer is {int(declared):,} bytes, over the {limit:,} limit"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise GitHubError(f"{what}: the answer is over the {limit:,}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def api_message(data: bytes) -> str:
    """GitHub's ``message`` of an error answer, escaped and cut."""
    try:
        doc = json.loads(data)
    except ValueError:
        return "(no JSON message)"
    message = doc.get("message") if isinstance(doc, dict) else None
    return f"({cut(message, 200)})" if isinstance(message, str) else "(no message)"
