"""What a pull request writes cannot fool a reviewer or crash the tool (issue 20).

Driven through the real CLI: hostile file and folder names on disk (M1), app names
(M5), callback URLs that two URL parsers read differently (M4), YAML 1.1 integer
forms (L9), and inputs that used to end in a traceback (L5).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import EXAMPLES, ROOT, SEED

APP = """\
sdkappid: {sdkappid}
region: singapore
secret_key_env: TRTC_SECRET_KEY_PROD_SG
lenient: true
callbacks:
  call:
    url: "{url}"
    events: [Call.CallbackAfterEndCall, Call.NotYetKnown]
"""
URL = "https://hooks.example.com/trtc/call"
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
ANNOTATION = re.compile(r"::(error|warning) file=[^:,\n]*(,line=\d+)?(,col=\d+)?::[^\n]*")


def app_file(folder: Path, name: str, sdkappid: int = 1400000001, url: str = URL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(APP.format(sdkappid=sdkappid, url=url))
    return path


def assert_inert(*texts: str) -> None:
    """No raw control, bidi or invisible character; no line that starts a workflow
    command other than the tool's own, well-formed annotations."""
    for text in texts:
        assert CONTROL.search(text) is None, repr(text)
        for line in text.split("\n"):
            if line.lstrip().startswith("::"):
                assert ANNOTATION.fullmatch(line), line
            assert "##[" not in line, line


# -- M1: file names on a terminal and in GitHub annotations -----------------------------

HOSTILE_FOLDERS = [
    "x\n::warning title=FAKE::owned\n",
    "esc\x1b]8;;https://evil.example.org\x07link\x1b]8;;\x07\x1b[2J",
    "rtl\u202edlrow\u2066",
    "##[error]old-style",
    "  ::error::indented",
]


@pytest.mark.parametrize("folder", HOSTILE_FOLDERS, ids=range(len(HOSTILE_FOLDERS)))
def test_hostile_folder_names_reach_no_terminal_or_workflow_command(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    root = tmp_path / "desired"
    app_file(root / folder, "good.yaml")
    (root / folder / "bad.yaml").write_text("sdkappid: 1400000002\nregion: atlantis\n")
    result = cli("validate", root)
    assert result.code == 1
    assert_inert(result.out, result.err)
    annotations = [line for line in result.err.splitlines() if line.startswith("::")]
    assert annotations and all(a.startswith("::error file=") for a in annotations)
    # each message is still located: its (escaped) path, line and column
    assert re.search(r"bad\.yaml:2:9: ", result.err), result.err


def test_a_file_name_holding_a_workflow_command_is_refused_and_shown_escaped(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    root = tmp_path / "desired"
    app_file(root, "x\n::warning title=FAKE::owned\n\x1b[31m.yaml")
    result = cli("validate", root)
    assert result.code == 1
    assert_inert(result.out, result.err)
    assert "x\\n::warning title=FAKE::owned\\n\\x1b[31m.yaml:1:1: app name" in result.err
    # the file property of the annotation: GitHub's escapes, ESC escaped too
    assert "file=" in result.err and "%0A%3A%3Awarning title=FAKE%3A%3Aowned%0A\\x1b[31m" in (
        result.err
    )


def test_plan_output_of_hostile_paths_is_inert(
    cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    root = tmp_path / "x\n::error::forged\x1b[2J"
    app_file(root / "apps", "prod-sg.yaml")
    for fmt in ("text", "markdown"):
        result = cli("plan", root, "--format", fmt)
        assert result.code == 0, result.err
        assert_inert(result.out, result.err)
        assert "\\n::error::forged\\x1b[2J" in result.err + result.out


# -- M5: app names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        # invisible ones are refused in any value, and shown escaped
        ("prod\u200b-sg", "`name` holds the control character \\u200b"),
        ("prod\u202e-sg", "`name` holds the control character \\u202e"),
        ("pr\u043ed-sg", "contains '\u043e' (U+043E CYRILLIC SMALL LETTER O); use letters"),
        ("<!-- note", "contains '<' (U+003C LESS-THAN SIGN); use letters"),
        ("prod sg", "contains (U+0020 SPACE); use letters"),
        ("-prod", "starts with '-' (U+002D HYPHEN-MINUS); use letters"),
        ("p" * 101, "has 101 characters; use letters"),
    ],
)
def test_an_app_name_must_be_a_printable_ascii_identifier(
    cli: Any, tmp_path: Path, name: str, shown: str
) -> None:
    written = tmp_path / "written"
    app_file(written, "app.yaml").write_text(
        f"name: {json.dumps(name)}\n" + APP.format(sdkappid=1400000001, url=URL)
    )
    result = cli("validate", written)
    assert result.code == 1
    assert "app.yaml:1:7: " in result.err
    assert shown in result.err
    assert_inert(result.err)


@pytest.mark.parametrize("name", ["prod\u200b-sg", "pr\u043ed-sg", "a b"])
def test_an_app_name_from_a_file_or_folder_name_is_checked_too(
    cli: Any, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "desired"
    app_file(root, f"{name}.yaml")
    app_file(root / f"{name}2", "app.yaml", sdkappid=1400000002)
    result = cli("validate", root)
    assert result.code == 1
    assert result.err.count("(from the file name)") == 1, result.err
    assert result.err.count("(from the folder name)") == 1, result.err
    assert "rename the file (or folder), or write the name with `name:`" in result.err


def test_a_required_for_glob_cannot_be_slipped_past_with_a_look_alike(
    cli: Any, tmp_path: Path
) -> None:
    root = tmp_path / "desired"
    app_file(root, "app.yaml").write_text(
        'name: "pr\u043ed-sg"\n' + APP.format(sdkappid=1400000001, url=URL)
    )
    (root / "policy.yaml").write_text(
        "products:\n  call:\n    required_events: [Call.CallbackAfterStartCall]\n"
        '    required_for: ["prod-*"]\n'
    )
    result = cli("validate", root)
    assert result.code == 1
    assert "CYRILLIC SMALL LETTER O" in result.err


# -- M4: one URL, one host ----------------------------------------------------------------

POLICY = 'products:\n  call:\n    allowed_hosts: ["*.hooks.example.com"]\n'


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://evil.example.org\\\\@shop.hooks.example.com/x", "contains a backslash"),
        ("https://shop.hooks.example.com\\\\.evil.example.org/x", "contains a backslash"),
        ("https://0x7f.1/x", "names host '0x7f.1' to Python but '127.0.0.1'"),
        ("https://a%2Eb.hooks.example.com/x", "to a WHATWG parser"),
        ("https://\uff45vil.hooks.example.com/x", "but 'evil.hooks.example.com'"),
        ("https://1.2.3.999/x", "reads no URL from it"),  # httpx refused it at --check-urls
    ],
)
def test_a_url_two_parsers_read_differently_is_refused(
    cli: Any, tmp_path: Path, url: str, said: str
) -> None:
    root = tmp_path / "desired"
    app_file(root, "prod-sg.yaml", url=url)
    (root / "policy.yaml").write_text(POLICY)
    result = cli("validate", root)
    assert result.code == 1
    assert re.search(r"prod-sg\.yaml:7:10: `url` '[^\n]*' ", result.err), result.err
    assert said in result.err


def test_allowed_hosts_compares_the_host_tencent_will_call(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "desired"
    app_file(root, "prod-sg.yaml", url="https://evil.example.org\\\\@shop.hooks.example.com/x")
    (root / "policy.yaml").write_text(POLICY)
    result = cli("validate", root)
    assert "call.url host 'evil.example.org' is not allowed" in result.err
    ok = tmp_path / "ok"
    app_file(ok, "prod-sg.yaml", url="https://shop.hooks.example.com/x")
    (ok / "policy.yaml").write_text(POLICY)
    assert cli("validate", ok).code == 0


# -- L9: sdkappid in plain decimal -----------------------------------------------------


@pytest.mark.parametrize(
    ("written", "form"),
    [
        ("190:30:20", "base 60"),
        ("0x5372F3C1", "hexadecimal"),
        ("0b1010", "binary"),
        ("017", "octal, its leading 0"),
        ("1_400_000_001", "digits grouped with '_'"),
        ("+1400000001", "a '+' sign"),
    ],
)
def test_sdkappid_must_be_plain_decimal(cli: Any, tmp_path: Path, written: str, form: str) -> None:
    root = tmp_path / "desired"
    (root).mkdir()
    (root / "prod-sg.yaml").write_text(f"sdkappid: {written}\nregion: singapore\n")
    result = cli("validate", root)
    assert result.code == 1
    assert f"prod-sg.yaml:1:11: the number '{written}' is written in a YAML 1.1 form ({form})" in (
        result.err
    )
    assert "write it in plain decimal digits" in result.err


# -- L5: no traceback -------------------------------------------------------------------


@pytest.mark.parametrize("number", ["0x" + "f" * 4000, "9" * 5000, "-" + "9" * 5000])
def test_a_huge_sdkappid_is_a_located_error(cli: Any, tmp_path: Path, number: str) -> None:
    root = tmp_path / "desired"
    root.mkdir()
    (root / "prod-sg.yaml").write_text(f"sdkappid: {number}\nregion: singapore\n")
    result = cli("validate", root)
    assert result.code == 1
    assert "prod-sg.yaml:1:11: " in result.err and "Traceback" not in result.err
    assert len(result.err) < 1_000


def test_a_reviewed_plan_with_an_infinite_sdkappid_is_a_clean_error(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.json"
    assert cli("plan", desired, "--out", fresh).code == 0
    doc = json.loads(fresh.read_text())
    assert doc["changes"]
    doc["changes"][0]["sdkappid"] = float("inf")  # written 1e400: JSON has no Infinity
    from reconciler.plan import planfile

    doc["checksum"] = planfile._checksum(doc)  # right as written: only the number is wrong
    reviewed = tmp_path / "reviewed.json"
    reviewed.write_text(json.dumps(doc).replace("Infinity", "1e400"))
    assert '"sdkappid": 1e400' in reviewed.read_text()
    result = cli("apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve")
    assert result.code == 1
    # refused as the file is read, before the model sees it (the guard of every plan file)
    assert "reviewed.json: not a plan file (the number 1e400 is out of range)" in result.err
    assert "nothing was applied" in result.err and "Traceback" not in result.err
    assert "Apply:" not in result.out


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "args",
    [
        ("plan", EXAMPLES, "--emulator", SEED),
        ("plan", EXAMPLES, "--emulator", SEED, "--format", "json"),
        ("drift", EXAMPLES, "--emulator", SEED),
        ("schema",),
        ("render", EXAMPLES),
    ],
    ids=["plan", "plan-json", "drift", "schema", "render"],
)
def test_a_full_disk_on_stdout_is_one_error_line(args: tuple[str | Path, ...]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRTC_", "GITHUB_"))}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", *map(str, args)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: cannot write to standard output: No space left on device; the output is "
        "incomplete (free disk space, or write it elsewhere)"
    ]
