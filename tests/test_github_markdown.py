"""The trusted comment's escaping (reconciler/github/markdown.py), checked by rendering
with a CommonMark renderer, and the REST client's limits on an httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reconciler.github.api import GitHub, GitHubError
from reconciler.github.artifact import ArtifactError, unzip_limited
from reconciler.github.markdown import code, cut_markdown, fence

MD = MarkdownIt("commonmark").enable("table")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("`~<>!-\n #*|&\\ab\u202e\x1b"), max_size=80))
def test_a_fence_holds_any_text_as_one_code_block(text: str) -> None:
    tokens = MD.parse(fence(text))
    assert [t.type for t in tokens] == ["fence"]
    assert "\x1b" not in tokens[0].content and "\u202e" not in tokens[0].content


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("`<>!-|\n #*&\\[]()@ab\u200b\u202e"), max_size=60))
def test_a_code_span_in_a_table_cell_is_one_literal_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {code(text)} | end |\n"
    html = MD.render(table)
    assert html.count("<td>") == 2 and "<td>end</td>" in html
    cell = html.split("<td>")[1]
    assert cell.startswith("<code>") and "<" not in cell.removeprefix("<code>").split("</code>")[0]


def test_code_shows_invisible_and_look_alike_characters() -> None:
    assert code("prod\u200b-sg") == "`prod\\u200b-sg`"
    assert code("pr\u043ed") == "`pr\\u043ed`"  # Cyrillic o
    assert code("a\nb") == "`a\\nb`"
    assert code("x" * 500).endswith("...`") and len(code("x" * 500)) < 130


def client(handler: httpx.MockTransport) -> GitHub:
    return GitHub(
        token="ghs_secret", api_url="https://api.example", repository="o/r", transport=handler
    )


def test_an_error_answer_never_echoes_the_token() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            403, json={"message": f"bad token {request.headers['authorization']}"}
        )

    with pytest.raises(GitHubError) as caught:
        client(httpx.MockTransport(answer)).get("/repos/o/r/pulls/1")
    assert "ghs_secret" not in str(caught.value) and "403" in str(caught.value)


def test_an_answer_over_the_limit_is_refused() -> None:
    big = json.dumps(["x" * 1000] * 9000).encode()  # 9 MB > 8 MB
    with pytest.raises(GitHubError, match="limit"):
        client(httpx.MockTransport(lambda r: httpx.Response(200, content=big))).get("/x")


def test_pages_stop_at_a_short_page() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["page"])
        page = int(request.url.params["page"])
        return httpx.Response(200, json=[{"n": i} for i in range(100 if page < 3 else 7)])

    items = list(client(httpx.MockTransport(answer)).pages("/repos/o/r/issues"))
    assert len(items) == 207 and seen == ["1", "2", "3"]


def test_a_repository_or_api_url_that_is_not_plain_is_refused() -> None:
    with pytest.raises(GitHubError, match="OWNER/NAME"):
        GitHub(token="t", api_url="https://api.example", repository="o/r/../x")
    with pytest.raises(GitHubError, match="https"):
        GitHub(token="t", api_url="http://api.example", repository="o/r")


def test_unzip_reads_only_the_wanted_names_and_refuses_a_broken_zip() -> None:
    with pytest.raises(ArtifactError, match="not a zip"):
        unzip_limited(b"PK\x03\x04 broken", frozenset({"plan.json"}))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
PLANISH = st.fixed_dictionaries(
    {},
    optional={
        "changes": st.lists(
            st.fixed_dictionaries(
                {}, optional={k: JSON for k in ("app", "sdkappid", "product", "action", "cause")}
            )
            | JSON,
            max_size=4,
        )
        | JSON,
        "safety": st.fixed_dictionaries({}, optional={"verdict": JSON}) | JSON,
        "errors": JSON,
        "warnings": JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(PLANISH | JSON)
def test_any_forged_plan_json_makes_a_comment_and_never_a_traceback(doc: object) -> None:
    from reconciler.github.comment_body import plan_section

    section = plan_section(json.dumps(doc).encode(), None)
    html = MD.render(section)
    assert "<script" not in html and "<h1>" not in html


# -- cutting a long Markdown report without breaking what follows it ----------------

AFTER = "\n\n**AFTER** the cut\n"


def renders_after(kept: str) -> bool:
    """What follows ``kept`` (a note, the next shard's report) renders as Markdown, and
    outside any ``<details>`` (raw HTML to CommonMark, but a browser folds it away)."""
    html = MD.render(kept + AFTER)
    after = html.find("<strong>AFTER</strong> the cut")
    return after >= 0 and html.count("<details", 0, after) == html.count("</details>", 0, after)


@pytest.mark.parametrize(
    ("text", "open_at"),
    [
        ("intro\n\n```diff\n" + "- a line of a diff\n" * 2_000 + "```\n\nend\n", "```diff"),
        ("intro\n\n~~~~\n" + "``` not a close\n" * 2_000 + "~~~~\n", "~~~~"),
        ("intro\n\n<!--\n" + "a hidden line\n" * 2_000 + "-->\n\nend\n", "<!--"),
        (
            "<details><summary>app</summary>\n\n```diff\n"
            + "~ url changed\n" * 2_000
            + "```\n\n</details>\n",
            "<details>",
        ),
        (
            "<details><summary>a</summary>\n\n<details><summary>b</summary>\n\n"
            + "a line\n" * 2_000
            + "\n</details>\n</details>\n",
            "<details>",
        ),
    ],
)
def test_a_cut_inside_a_block_closes_it(text: str, open_at: str) -> None:
    assert not renders_after(text[:1_000]), "the naive cut breaks what follows"
    kept, left_out = cut_markdown(text, 1_000)
    assert len(kept) <= 1_000 and left_out > 0
    assert kept.startswith(text[:20]) and open_at in kept
    assert renders_after(kept)


def test_a_cut_prefers_the_end_of_a_block_and_counts_what_it_left_out() -> None:
    section = "<details><summary>app</summary>\n\n```diff\n" + "~ x\n" * 10 + "```\n\n</details>\n"
    text = section * 40
    kept, left_out = cut_markdown(text, 1_000)
    assert kept == section * (1_000 // len(section))  # whole sections, nothing closed by hand
    assert left_out == len(text) - len(kept)
    assert cut_markdown("short", 10) == ("short", 0)


def test_a_line_inside_a_fence_longer_than_the_limit_is_cut_inside_it() -> None:
    text = "```\n" + "x" * 5_000 + "\n```\n"
    kept, left_out = cut_markdown(text, 1_000)
    assert len(kept) == 1_000 and kept.count("x") + left_out == 5_000 + 5
    assert renders_after(kept)


SIMPLE = st.one_of(
    st.sampled_from(["para *em* text", "| a | b |\n|---|---|\n| 1 | 2 |", "> [!WARNING]\n> - w"]),
    st.builds(
        lambda n, f: f"{f}diff\n" + "- line `x`\n" * n + f,
        st.integers(0, 30),
        st.sampled_from(["```", "````", "~~~"]),
    ),
    st.builds(lambda n: "<!--\n" + "hidden <b>\n" * n + "-->", st.integers(0, 30)),
    st.builds(lambda n: "line\n" * n + "text <!-- inline", st.integers(0, 5)),
)
BLOCKS = st.recursive(
    SIMPLE,
    lambda inner: st.builds(
        lambda blocks: "\n\n".join(
            ["<details><summary><b>app</b></summary>", *blocks, "</details>"]
        ),
        st.lists(inner, max_size=5),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, max_size=40), st.integers(0, 2_000))
def test_whatever_the_cut_what_follows_renders(blocks: list[str], limit: int) -> None:
    """Blocks separated by blank lines, as the reports write them; cut anywhere."""
    text = "\n\n".join(blocks) + "\n"
    kept, left_out = cut_markdown(text, limit)
    assert len(kept) <= limit or left_out == 0
    if left_out:
        assert renders_after(kept)
