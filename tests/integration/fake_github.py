"""A fake of the parts of GitHub's REST API that ``reconciler github`` uses, served on
loopback by the same server as the emulator, plus what the workflows' runner does
(upload an artifact, record a run) as plain methods for tests.

Every request is recorded with its route (as GitHub's OpenAPI description writes
it), its query parameter names and its JSON body's keys, so a test can check each
call against ``fixtures/github_openapi/subset.json``. Handlers are plain functions
(run on a thread pool), so a test hook can run a whole second command in the middle
of one request: that is how two racing comment runs are interleaved.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.emulator.server import base_url, bind_socket

TOKEN = "ghs_fake-token-never-printed"
REPO = "acme/callbacks"
BOT = {"login": "github-actions[bot]", "type": "Bot"}


@dataclass(frozen=True)
class Recorded:
    method: str
    route: str
    query: tuple[str, ...]
    body: tuple[str, ...]
    authorized: bool


def sha(n: int) -> str:
    return f"{n:040x}"


@dataclass
class FakeGitHub:
    repo: str = REPO
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    artifacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[int, bytes] = field(default_factory=dict)
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)
    permissions: dict[str, str] = field(
        default_factory=lambda: {
            "alice": "admin",
            "bob": "write",
            "carol": "write",
            "triager": "read",
        }
    )
    calls: list[Recorded] = field(default_factory=list)
    blob_auth: list[bool] = field(default_factory=list)
    hooks: dict[tuple[str, str], Callable[[], None]] = field(default_factory=dict)
    url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    _clock: Iterator[int] = field(default_factory=lambda: itertools.count(0))
    _run_numbers: dict[str, Iterator[int]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- what happens on GitHub, outside the tool ------------------------------------

    def now(self) -> str:
        t = next(self._clock)
        return f"2026-01-01T{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}Z"

    def open_pull(
        self, number: int, head_sha: str, head_ref: str = "feature", head_repo: str = REPO
    ) -> dict[str, Any]:
        pr = {
            "number": number,
            "state": "open",
            "head": {"sha": head_sha, "ref": head_ref, "repo": {"full_name": head_repo}},
            "base": {"ref": "main", "repo": {"full_name": self.repo}},
            "labels": [],
            "merged_at": None,
            "user": {"login": head_repo.split("/")[0], "type": "User"},
        }
        self.pulls[number] = pr
        self.issues[number] = {
            "number": number,
            "title": f"PR {number}",
            "body": "",
            "state": "open",
            "user": pr["user"],
            "pull_request": {"url": f"/pulls/{number}"},
        }
        return pr

    def push(self, number: int, head_sha: str) -> None:
        self.pulls[number]["head"]["sha"] = head_sha

    def label(self, number: int, name: str, actor: str, add: bool = True) -> None:
        labels = self.pulls[number]["labels"]
        if add:
            labels.append({"name": name})
        else:
            labels[:] = [lab for lab in labels if lab["name"] != name]
        self.events.setdefault(number, []).append(
            {
                "id": next(self._ids),
                "event": "labeled" if add else "unlabeled",
                "label": {"name": name},
                "actor": {"login": actor},
                "created_at": self.now(),
            }
        )

    def merge(self, number: int, merge_sha: str) -> None:
        pr = self.pulls[number]
        pr["merged_at"], pr["state"], pr["merge_commit_sha"] = self.now(), "closed", merge_sha
        self.issues[number]["state"] = "closed"
        self.commit_pulls.setdefault(merge_sha, []).append(number)

    def add_run(
        self,
        workflow: str,
        head_sha: str,
        *,
        event: str = "pull_request",
        head_ref: str = "feature",
        head_repo: str = REPO,
        pull_requests: tuple[int, ...] = (),
        conclusion: str = "success",
        artifacts: dict[str, dict[str, bytes]] | None = None,
        attempt: int = 1,
    ) -> int:
        """A completed workflow run, with its artifacts (name -> files) uploaded."""
        run_id = next(self._ids)
        numbers = self._run_numbers.setdefault(workflow, itertools.count(1))
        self.runs[run_id] = {
            "id": run_id,
            "run_number": next(numbers),
            "run_attempt": attempt,
            "event": event,
            "status": "completed",
            "conclusion": conclusion,
            "head_sha": head_sha,
            "head_branch": head_ref,
            "head_repository": {"full_name": head_repo},
            "path": f".github/workflows/{workflow}",
            "created_at": self.now(),
            "pull_requests": [{"number": n} for n in pull_requests],
        }
        for name, files in (artifacts or {}).items():
            self.add_artifact(run_id, name, files)
        return run_id

    def add_artifact(self, run_id: int, name: str, files: dict[str, bytes]) -> int:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, content in files.items():
                archive.writestr(path, content)
        artifact_id = next(self._ids)
        data = buffer.getvalue()
        self.blobs[artifact_id] = data
        self.artifacts[artifact_id] = {
            "id": artifact_id,
            "name": name,
            "size_in_bytes": len(data),
            "expired": False,
            "run_id": run_id,
        }
        return artifact_id

    def pr_comments(self, number: int) -> list[dict[str, Any]]:
        return [
            c for c in sorted(self.comments.values(), key=lambda c: c["id"]) if c["issue"] == number
        ]

    # -- the API -------------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = [
            ("GET", "/repos/{owner}/{repo}/pulls", self.list_pulls),
            ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", self.get_pull),
            ("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls", self.commit_pulls_),
            ("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}", self.get_run),
            ("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", self.list_runs),
            ("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts", self.list_artifacts),
            (
                "GET",
                "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
                self.download,
            ),
            ("GET", "/repos/{owner}/{repo}/issues", self.list_issues),
            ("POST", "/repos/{owner}/{repo}/issues", self.create_issue),
            ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", self.update_comment),
            ("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}", self.delete_comment),
            ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", self.update_issue),
            ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/events", self.list_events),
            (
                "GET",
                "/repos/{owner}/{repo}/collaborators/{username}/permission",
                self.permission,
            ),
            ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", self.list_comments),
            ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", self.create_comment),
        ]
        return Starlette(
            routes=[
                Route(path, self._wrap(method, path, handler), methods=[method])
                for method, path, handler in routes
            ]
            + [Route("/_blob/{artifact_id}", self.blob, methods=["GET"])]
        )

    def _wrap(
        self, method: str, path: str, handler: Callable[..., Response]
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            body = json.loads(raw) if raw else None
            authorized = request.headers.get("authorization") == f"Bearer {TOKEN}"
            with self._lock:
                self.calls.append(
                    Recorded(
                        method,
                        path,
                        tuple(sorted(request.query_params)),
                        tuple(sorted(body)) if isinstance(body, dict) else (),
                        authorized,
                    )
                )
                hook = self.hooks.pop((method, path), None)
            if not authorized:
                return JSONResponse({"message": "Bad credentials"}, 401)
            if (
                request.path_params.get("owner") + "/" + request.path_params.get("repo")
                != self.repo
            ):
                return JSONResponse({"message": "Not Found"}, 404)
            if hook is not None:  # another run, in the middle of this request
                await anyio.to_thread.run_sync(hook)
            with self._lock:
                return handler(request, body)

        return endpoint

    @staticmethod
    def page(request: Request, items: list[Any]) -> list[Any]:
        per_page = int(request.query_params.get("per_page", 30))
        page = int(request.query_params.get("page", 1))
        return items[(page - 1) * per_page : page * per_page]

    def list_pulls(self, request: Request, _: Any) -> Response:
        q = request.query_params
        found = [p for p in self.pulls.values() if q.get("state", "open") in ("all", p["state"])]
        if "head" in q:
            owner, _, ref = q["head"].partition(":")
            found = [
                p
                for p in found
                if p["head"]["repo"]["full_name"].split("/")[0] == owner and p["head"]["ref"] == ref
            ]
        return JSONResponse(self.page(request, found))

    def get_pull(self, request: Request, _: Any) -> Response:
        pr = self.pulls.get(int(request.path_params["pull_number"]))
        return JSONResponse(pr) if pr else JSONResponse({"message": "Not Found"}, 404)

    def commit_pulls_(self, request: Request, _: Any) -> Response:
        numbers = self.commit_pulls.get(request.path_params["commit_sha"], [])
        return JSONResponse(self.page(request, [self.pulls[n] for n in numbers]))

    def get_run(self, request: Request, _: Any) -> Response:
        run = self.runs.get(int(request.path_params["run_id"]))
        return JSONResponse(run) if run else JSONResponse({"message": "Not Found"}, 404)

    def list_runs(self, request: Request, _: Any) -> Response:
        q = request.query_params
        workflow = request.path_params["workflow_id"]
        found = [
            r
            for r in sorted(self.runs.values(), key=lambda r: -r["id"])  # newest first
            if r["path"].endswith(f"/{workflow}")
            and q.get("event", r["event"]) == r["event"]
            and q.get("head_sha", r["head_sha"]) == r["head_sha"]
            and q.get("branch", r["head_branch"]) == r["head_branch"]
            and q.get("status", r["status"]) in (r["status"], r["conclusion"])
        ]
        return JSONResponse({"total_count": len(found), "workflow_runs": self.page(request, found)})

    def list_artifacts(self, request: Request, _: Any) -> Response:
        run_id = int(request.path_params["run_id"])
        name = request.query_params.get("name")
        found = [
            a
            for a in self.artifacts.values()
            if a["run_id"] == run_id and (name is None or a["name"] == name)
        ]
        return JSONResponse({"total_count": len(found), "artifacts": self.page(request, found)})

    def download(self, request: Request, _: Any) -> Response:
        artifact_id = int(request.path_params["artifact_id"])
        if artifact_id not in self.blobs or request.path_params["archive_format"] != "zip":
            return JSONResponse({"message": "Not Found"}, 404)
        return Response(status_code=302, headers={"location": f"{self.url}/_blob/{artifact_id}"})

    def blob(self, request: Request) -> Response:
        self.blob_auth.append("authorization" in request.headers)
        return Response(
            self.blobs[int(request.path_params["artifact_id"])], media_type="application/zip"
        )

    def list_issues(self, request: Request, _: Any) -> Response:
        q = request.query_params
        found = [
            i
            for i in sorted(self.issues.values(), key=lambda i: -i["number"])
            if q.get("state", "open") in ("all", i["state"])
            and q.get("creator", i["user"]["login"]) == i["user"]["login"]
        ]
        return JSONResponse(self.page(request, found))

    def create_issue(self, request: Request, body: Any) -> Response:
        number = max([*self.issues, 0]) + 1
        issue = {
            "number": number,
            "title": body["title"],
            "body": body.get("body", ""),
            "state": "open",
            "user": BOT,
        }
        self.issues[number] = issue
        return JSONResponse(issue, 201)

    def update_issue(self, request: Request, body: Any) -> Response:
        issue = self.issues[int(request.path_params["issue_number"])]
        issue.update(
            {k: v for k, v in body.items() if k in ("body", "state", "state_reason", "title")}
        )
        return JSONResponse(issue)

    def list_events(self, request: Request, _: Any) -> Response:
        return JSONResponse(
            self.page(request, self.events.get(int(request.path_params["issue_number"]), []))
        )

    def permission(self, request: Request, _: Any) -> Response:
        login = request.path_params["username"]
        if login not in self.permissions:
            return JSONResponse({"message": "Not Found"}, 404)
        level = self.permissions[login]
        return JSONResponse({"permission": level, "role_name": level, "user": {"login": login}})

    def list_comments(self, request: Request, _: Any) -> Response:
        found = self.pr_comments(int(request.path_params["issue_number"]))
        return JSONResponse(self.page(request, found))

    def create_comment(self, request: Request, body: Any) -> Response:
        number = int(request.path_params["issue_number"])
        if number not in self.issues:
            return JSONResponse({"message": "Not Found"}, 404)
        comment = {"id": next(self._ids), "issue": number, "body": body["body"], "user": BOT}
        self.comments[comment["id"]] = comment
        return JSONResponse(comment, 201)

    def update_comment(self, request: Request, body: Any) -> Response:
        comment = self.comments.get(int(request.path_params["comment_id"]))
        if comment is None:
            return JSONResponse({"message": "Not Found"}, 404)
        comment["body"] = body["body"]
        return JSONResponse(comment)

    def delete_comment(self, request: Request, _: Any) -> Response:
        self.comments.pop(int(request.path_params["comment_id"]), None)
        return Response(status_code=204)


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    """Serve ``fake`` on 127.0.0.1 (a free port) for the ``with`` block."""
    sock = bind_socket("127.0.0.1", 0)
    fake.url = base_url("127.0.0.1", sock.getsockname()[1])
    config = uvicorn.Config(fake.app(), log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(1000):  # until it serves (a bound socket already queues connections)
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.01)
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def files_of(folder: Path) -> dict[str, bytes]:
    """What upload-artifact would upload from ``folder`` (its files, by relative name)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def load_subset() -> dict[tuple[str, str], dict[str, Any]]:
    path = Path(__file__).parent / "fixtures" / "github_openapi" / "subset.json"
    doc = json.loads(path.read_text())
    return {(op["method"], op["path"]): op for op in doc["operations"]}


def assert_calls_match_openapi(calls: list[Recorded]) -> None:
    """Every call the fake received is an operation of GitHub's published API, with
    only the query parameters and body fields that operation documents."""
    operations = load_subset()
    assert calls, "no call was made"
    for call in calls:
        operation = operations.get((call.method, call.route))
        assert operation is not None, f"{call.method} {call.route} is not in the OpenAPI subset"
        assert set(call.query) <= set(operation["query"]), (call, operation["query"])
        assert set(call.body) <= set(operation["body"]), (call, operation["body"])
        assert call.authorized, call
