"""Issue 20: what a pull request writes cannot reach a secret or exhaust the runner.

Each through the real CLI (and the real emulator where a request could be sent):
a token read from a secret key's variable, links out of the folder and oversized
ignore, policy, defaults and reviewed-plan files, runaway placeholder expansion,
error messages listing every known name, and reviewed entries relabelled with
another app's name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired.ignorefile import MAX_IGNORE_PATTERNS
from reconciler.plan.planfile import _checksum
from reconciler.plan.planjson import MAX_PLAN_BYTES
from tests.integration.conftest import read_log
from tests.integration.test_gitops import edit_three, repo, writes  # noqa: F401 - a fixture

ENVIRON_LIKE = "HOME=/root\nAWS_SECRET_ACCESS_KEY=planted-secret-value-123\n"
"""What a runner file a link points at might hold: it must never be printed."""


def _outside(tmp_path: Path) -> Path:
    """A file outside the desired-state folder, standing for /proc/self/environ."""
    target = tmp_path / "runner-environ"
    target.write_text(ENVIRON_LIKE)
    return target


def _assert_refused_link(result: Any, link: str) -> None:
    assert result.code == 1, result.err
    assert link in result.err
    assert "symbolic link that leads out of the desired-state folder" in result.err
    assert "planted-secret-value" not in result.out + result.err
    assert "runner-environ" not in result.out + result.err
    assert "Traceback" not in result.err


# -- M2: secrets stay in their lane ------------------------------------------------------


@pytest.mark.parametrize(
    "token_env",
    [
        "TRTC_SECRET_KEY_STAGING_US",  # another app's secret_key_env
        "TRTC_SECRET_KEY_1400000002",  # another app's per-app key variable
        "TRTC_SECRET_KEY",  # the global key
        "trtc_secret_key_anything",  # any so named, in any case
    ],
)
def test_a_token_read_from_a_secret_keys_variable_is_a_located_error_before_any_request(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path, token_env: str
) -> None:
    path = desired / "apps" / "prod-sg.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("token_env: LIVE_WEBHOOK_TOKEN_PROD_SG", f"token_env: {token_env}")
    )
    line = next(
        number
        for number, raw in enumerate(path.read_text().splitlines(), start=1)
        if f"token_env: {token_env}" in raw
    )
    for command in (("validate", desired), ("plan", desired), ("apply", desired, "--auto-approve")):
        result = cli(*command)
        assert result.code == 1, (command, result.err)
        assert (
            f"prod-sg.yaml:{line}:16: `token_env: {token_env}` names a variable that holds a "
            in (result.err)
        )
        assert "demo-key-not-secret" not in result.out + result.err
    assert read_log(request_log) == []  # nothing was sent, not even a read


def test_a_token_read_from_another_apps_own_key_variable_is_refused(
    cli: Any, desired: Path
) -> None:
    app = desired / "apps" / "staging-us.yaml"
    app.write_text(app.read_text().replace("TRTC_SECRET_KEY_STAGING_US", "STAGING_KEY"))
    path = desired / "apps" / "prod-sg.yaml"
    path.write_text(path.read_text().replace("LIVE_WEBHOOK_TOKEN_PROD_SG", "STAGING_KEY"))
    result = cli("validate", desired)
    assert result.code == 1
    assert "`token_env: STAGING_KEY` names a variable that holds a secret key" in result.err


def test_a_saved_plan_never_reads_a_token_from_a_secret_keys_variable() -> None:
    from reconciler.credentials import EnvironmentCredentials
    from reconciler.errors import CredentialsError

    source = EnvironmentCredentials({"TRTC_SECRET_KEY_PROD_SG": "demo-key-not-secret-1"})
    with pytest.raises(CredentialsError) as caught:
        source.token("TRTC_SECRET_KEY_PROD_SG", where="prod-sg/live_token")
    assert "holds a secret key" in str(caught.value)
    assert "demo-key-not-secret" not in str(caught.value)


# -- M3, L2: ignore files, policy and defaults stay in the folder and are bounded ---------


def test_a_driftignore_link_out_of_the_folder_is_refused_without_its_content(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    (desired / ".driftignore").symlink_to(_outside(tmp_path))
    _assert_refused_link(cli("drift", desired), ".driftignore")


def test_a_driftignore_link_inside_the_folder_is_read(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    (desired / "accepted.txt").write_text("*/call_legacy\n")
    (desired / ".driftignore").symlink_to(desired / "accepted.txt")
    result = cli("drift", desired)
    assert result.code == 2, result.err  # drift found, the rule read through the link
    assert "Ignored (accepted differences left alone" in result.out
    assert "symbolic link" not in result.err


def test_an_oversized_driftignore_is_a_clear_error(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    (desired / ".driftignore").write_text("*/call\n" * (MAX_IGNORE_PATTERNS + 1))
    result = cli("drift", desired)
    assert result.code == 1
    assert f".driftignore:{MAX_IGNORE_PATTERNS + 1}:1: more than 100 patterns" in result.err
    (desired / ".driftignore").write_text("# a comment\n" * 100_000)  # 1.2 MB
    result = cli("drift", desired)
    assert result.code == 1
    assert "bytes, over the 65,536-byte limit for an ignore file" in result.err
    assert "Traceback" not in result.err


def test_a_reconcilerignore_link_out_of_the_folder_is_refused(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    (desired / ".reconcilerignore").symlink_to(_outside(tmp_path))
    _assert_refused_link(cli("validate", desired), ".reconcilerignore")


def test_a_reconcilerignore_with_200000_patterns_is_refused_at_once(
    cli: Any, desired: Path
) -> None:
    (desired / ".reconcilerignore").write_text("".join(f"p{i}\n" for i in range(200_000)))
    result = cli("validate", desired)
    assert result.code == 1
    assert "over the 65,536-byte limit for an ignore file" in result.err
    (desired / ".reconcilerignore").write_text("".join(f"p{i}\n" for i in range(101)))
    result = cli("validate", desired)
    assert result.code == 1
    assert ".reconcilerignore:101:1: more than 100 patterns in an ignore file" in result.err


def test_a_policy_link_out_of_the_folder_is_refused(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "runner-environ.yaml"
    outside.write_text("require_https: planted-secret-value-123\n")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "policy.yaml").symlink_to(outside)
    _assert_refused_link(cli("validate", desired, "--policy", rules / "policy.yaml"), "policy.yaml")
    (desired / "policy.yaml").symlink_to(outside)  # in the root: refused as well
    _assert_refused_link(cli("validate", desired), "policy.yaml")


def test_a_defaults_link_out_of_the_folder_is_refused_for_named_files(
    cli: Any, desired: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "elsewhere" / "runner-environ.yaml"
    outside.parent.mkdir()
    outside.write_text("region: [planted-secret-value-123\n")
    (desired / "apps" / "defaults.yaml").symlink_to(outside)
    monkeypatch.chdir(desired)
    _assert_refused_link(cli("validate", "apps/staging-us.yaml"), "defaults.yaml")


def test_an_oversized_policy_is_a_clear_error(cli: Any, desired: Path) -> None:
    (desired / "policy.yaml").write_text("# padding\n" * 110_000)
    result = cli("validate", desired)
    assert result.code == 1
    assert "policy.yaml: file is 1,100,000 bytes, over the 1,048,576-byte limit" in result.err


# -- M6, L1: placeholders ----------------------------------------------------------------

APP = """\
name: {name}
sdkappid: 1400000001
region: singapore
vars:
{vars}
callbacks:
  call:
    url: "{url}"
    events: [Call.CallbackAfterStartCall]
"""


def test_placeholder_expansion_stops_at_the_url_limit(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "apps"
    folder.mkdir()
    long_name = "n" * 100
    (folder / "bomb.yaml").write_text(
        APP.format(
            name=long_name,
            vars='  big: "' + "{name}" * 20 + '"',  # 2,000 characters
            url="https://h.example.com/" + "{big}" * 4000,  # would be 8 MB
        )
    )
    result = cli("validate", folder)
    assert result.code == 1
    assert "bomb.yaml:8:10: with its placeholders expanded this text is longer than 2,048" in (
        result.err
    )
    assert len(result.err) < 2_000
    assert "Traceback" not in result.err and "MemoryError" not in result.err


def test_a_var_cannot_expand_past_the_limit(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "apps"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(
        APP.format(
            name="n" * 200,
            vars='  big: "' + "{name}" * 4000 + '"',  # would be 800,000 characters
            url="https://h.example.com/{big}",
        )
    )
    result = cli("validate", folder)
    assert result.code == 1
    assert "bomb.yaml:5:8: in `vars: big`: with its placeholders expanded" in result.err


def test_unknown_placeholders_list_a_few_known_names(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "apps"
    folder.mkdir()
    many = "\n".join(f"  var{i:05}: v" for i in range(5000))
    url = "https://h.example.com/" + "".join(f"{{nope{i}}}" for i in range(20))
    (folder / "app.yaml").write_text(APP.format(name="many", vars=many, url=url))
    result = cli("validate", folder)
    assert result.code == 1
    assert "unknown placeholder {nope0}; known: {sdkappid}, {name}, {region}, {var00000}, " in (
        result.err
    )
    assert "{var00001} and 4,998 more (define it under `vars:`" in result.err
    assert len(result.err) < 5_000  # every known name on every error: over 1 MB


def test_an_unknown_template_lists_a_few_known_templates(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "apps"
    folder.mkdir()
    templates = "\n".join(f"  t{i:05}: {{region: singapore}}" for i in range(3000))
    (folder / "defaults.yaml").write_text(f"templates:\n{templates}\n")
    (folder / "app.yaml").write_text(
        "sdkappid: 1400000001\nregion: singapore\nuse: [nope, "
        + ", ".join(f"nope{i}" for i in range(20))
        + "]\ncallbacks:\n  call: {url: https://h.example.com/, events: [Call.CallbackAfterEndCall]}\n"
    )
    result = cli("validate", folder)
    assert result.code == 1
    assert "unknown template 'nope'; templates: t00000, t00001, t00002, t00003, t00004 and " in (
        result.err
    )
    assert "2,995 more" in result.err
    assert len(result.err) < 10_000


# -- L3, L4: the reviewed plan -----------------------------------------------------------


def _reviewed(cli: Any, desired: Path, tmp_path: Path) -> tuple[Path, Path]:
    edit_three(desired)
    fresh = tmp_path / "fresh.json"
    assert cli("plan", desired, "--out", fresh).code == 0
    reviewed = tmp_path / "reviewed.json"
    reviewed.write_text(fresh.read_text())
    return fresh, reviewed


def _resign(doc: dict[str, Any]) -> str:
    doc.pop("checksum", None)
    doc["checksum"] = _checksum(doc)
    return json.dumps(doc)


@pytest.mark.usefixtures("repo")
def test_a_reviewed_entry_relabelled_with_another_apps_name_is_refused(
    cli: Any, desired: Path, tmp_path: Path, request_log: Path
) -> None:
    fresh, reviewed = _reviewed(cli, desired, tmp_path)
    doc = json.loads(reviewed.read_text())
    relabelled = next(c for c in doc["changes"] if c["app"] == "staging-us")
    relabelled["app"] = "prod-sg"  # what the trusted comment table would show
    reviewed.write_text(_resign(doc))
    before = len(writes(request_log))
    result = cli("apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve")
    assert result.code == 1
    assert (
        "the reviewed plan names sdkappid 1400000003 app 'prod-sg', but it is app 'staging-us'"
        in result.out
    )
    assert "Apply: 2 applied, 0 failed, 1 stale" in result.out
    sent = writes(request_log)[before:]
    assert len(sent) == 2 and all(w.get("sdkappid") != 1400000003 for w in sent), sent


@pytest.mark.usefixtures("repo")
def test_an_oversized_reviewed_plan_is_refused_before_parsing(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    fresh, reviewed = _reviewed(cli, desired, tmp_path)
    with reviewed.open("w") as out:
        out.write("[")
        out.write("{}," * (MAX_PLAN_BYTES // 3))
        out.write("{}]")
    result = cli("apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve")
    assert result.code == 1
    assert "over the 16,777,216-byte limit for a reviewed plan" in result.err
    assert "Traceback" not in result.err


@pytest.mark.usefixtures("repo")
def test_a_reviewed_plan_of_a_million_empty_objects_is_refused(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    fresh, reviewed = _reviewed(cli, desired, tmp_path)
    reviewed.write_text("[" + "{}," * 1_000_000 + "{}]")  # 3 MB, some 80 MB parsed
    result = cli("apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve")
    assert result.code == 1
    assert "more than 400,000 JSON objects and arrays" in result.err


@pytest.mark.usefixtures("repo")
def test_a_reviewed_plan_link_out_of_its_folder_is_refused(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    fresh, reviewed = _reviewed(cli, desired, tmp_path)
    folder = tmp_path / "artifact"
    folder.mkdir()
    (folder / "plan.json").symlink_to(reviewed)
    result = cli("apply", "--plan", fresh, "--reviewed", folder / "plan.json", "--auto-approve")
    assert result.code == 1
    assert "plan.json" in result.err and "symbolic link" in result.err
