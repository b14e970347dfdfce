"""``reconciler import`` for a fleet: repeatable --sdkappid, --apps-file, --out -, never
overwriting, one app's failure its own, a progress line on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import ROOT, read_log
from tests.integration.fixtures.ops.fleet import FLEET_KEY, clean_env, make_fleet
from tests.integration.test_import import KEYS, LIVE, TOKEN, no_secret, ops_emulator, ops_env

__all__ = ["ops_emulator", "ops_env"]  # fixtures used here


def test_repeated_sdkappid_imports_each_app(cli: Any, ops_env: None, tmp_path: Path) -> None:
    result = cli(
        "import", "--sdkappid", "1400000101", "--sdkappid", "1400000102",
        "--region", "japan", "--out", tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    first = yaml.safe_load((tmp_path / "app-1400000101.yaml").read_text())
    second = yaml.safe_load((tmp_path / "app-1400000102.yaml").read_text())
    assert first["sdkappid"] == 1400000101 and first["callbacks"]["call"] == LIVE["call"]
    assert second["sdkappid"] == 1400000102 and second["callbacks"] == {}
    assert "LIVE_WEBHOOK_TOKEN_APP_1400000101" in result.err
    no_secret(result.out, result.err)


def test_apps_file_with_names_and_comments(
    cli: Any, ops_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "apps.txt"
    listing.write_text(
        "# the fleet to adopt\n"
        "1400000101 japan prod-jp   # every product\n"
        "\n"
        "1400000102 japan\n"
        "1400000103  singapore  no-group-call\n"
    )
    out = tmp_path / "desired"
    result = cli("import", "--apps-file", listing, "--out", out)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [
        "app-1400000102.yaml",
        "no-group-call.yaml",
        "prod-jp.yaml",
    ]
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_JP", TOKEN)
    plan = cli("plan", out, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err  # a plan right after shows no changes


def test_apps_file_errors_are_located_and_nothing_is_read(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path
) -> None:
    listing = tmp_path / "apps.txt"
    listing.write_text("1400000101 japan\nabc mars\n1400000102\n1400000101 korea dup\n")
    result = cli("import", "--apps-file", listing, "--out", tmp_path / "out")
    assert result.code == 1
    assert f"{listing}:2:1: 'abc' is not an sdkappid" in result.err
    assert f"{listing}:2:5: unknown region 'mars'" in result.err
    assert f"{listing}:3:1: expected `sdkappid region [name] [identifier=NAME]" in result.err
    assert f"{listing}:4:1: sdkappid 1400000101 is listed twice (first on line 1)" in result.err
    assert read_log(request_log) == []
    assert not (tmp_path / "out").exists()


def test_apps_file_identifier_and_secret_key_env_columns(
    cli: Any, ops_emulator: Any, tmp_path: Path, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 101 signs as ops-bot with its key in OPS_KEY_101; 103 keeps the old three columns;
    # 102 has only the columns after its region (no name)
    clean_env(
        monkeypatch,
        TRTC_ENDPOINT=ops_emulator.base_url,
        OPS_KEY_101=KEYS[1400000101],
        SHARED_102=KEYS[1400000102],
        TRTC_SECRET_KEY_1400000103=KEYS[1400000103],
    )
    listing = tmp_path / "apps.txt"
    listing.write_text(
        "1400000101 japan prod-jp identifier=ops-bot secret_key_env=OPS_KEY_101  # both\n"
        "1400000102 japan secret_key_env=SHARED_102\n"
        "1400000103 singapore legacy\n"
    )
    out = tmp_path / "desired"
    result = cli("import", "--apps-file", listing, "--out", out)
    assert result.code == 0, result.err
    prod = yaml.safe_load((out / "prod-jp.yaml").read_text())
    assert (prod["identifier"], prod["secret_key_env"]) == ("ops-bot", "OPS_KEY_101")
    other = yaml.safe_load((out / "app-1400000102.yaml").read_text())
    assert (other["identifier"], other["secret_key_env"]) == ("administrator", "SHARED_102")
    legacy = yaml.safe_load((out / "legacy.yaml").read_text())
    assert legacy["identifier"] == "administrator" and "secret_key_env" not in legacy
    signers = {(r["sdkappid"], r["identifier"]) for r in read_log(request_log)}
    assert signers == {
        (1400000101, "ops-bot"),
        (1400000102, "administrator"),
        (1400000103, "administrator"),
    }
    no_secret(result.out, result.err)
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_JP", TOKEN)
    plan = cli("plan", out, "--detailed-exitcode")  # the keys come from the written variables
    assert plan.code == 0, plan.out + plan.err


def test_apps_file_bad_columns_are_located_errors(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path
) -> None:
    listing = tmp_path / "apps.txt"
    listing.write_text(
        "1400000101 japan prod-jp identifer=ops-bot\n"
        "1400000102 japan b secret_key_env=ops-key-not-secret-102\n"
        "1400000103 japan c identifier=a identifier=b\n"
        "1400000104 japan d extra\n"
        "1400000105 japan e identifier=\n"
        f"1400000106 japan f secret_key_env={'ab12' * 16}\n"
        "1400000²³ japan g\n"  # digits, but not decimal ones
    )
    result = cli("import", "--apps-file", listing, "--out", tmp_path / "out")
    assert result.code == 1
    assert f"{listing}:1:26: unknown column 'identifer' (did you mean 'identifier'?)" in result.err
    assert f"{listing}:2:35: secret_key_env= takes the name of the environment variable" in (
        result.err
    )
    assert "ops-key-not-secret-102" not in result.err  # a key pasted by mistake is not echoed
    assert f"{listing}:3:33: identifier= is given twice on this line" in result.err
    assert f"{listing}:4:20: expected `key=value` here" in result.err
    assert f"{listing}:5:20: identifier= needs the admin account" in result.err
    assert f"{listing}:6:35: secret_key_env= takes the name" in result.err
    assert f"{listing}:7:1: '1400000²³' is not an sdkappid" in result.err
    assert "ab12ab12" not in result.err  # a hex key that would pass as a name is not echoed
    assert read_log(request_log) == []
    assert not (tmp_path / "out").exists()


def test_a_pasted_key_given_as_secret_key_env_flag_is_refused_unechoed(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path
) -> None:
    """The flag takes the same check as the --apps-file column: a 64-hex-digit key that
    starts with a letter passes as a variable name, and would be echoed back as one."""
    key = "ab12" * 16
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan",
        "--secret-key-env", key, "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.code == 1
    assert "--secret-key-env is not an environment variable name" in result.err
    assert key[:16] not in result.out + result.err
    assert read_log(request_log) == []


def test_out_dash_writes_yaml_to_stdout(
    cli: Any, ops_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    one = cli("import", "--sdkappid", "1400000101", "--region", "japan", "--out", "-")
    assert one.code == 0, one.err
    doc = yaml.safe_load(one.out)
    assert doc["sdkappid"] == 1400000101 and doc["callbacks"]["conference"] == LIVE["conference"]
    assert "wrote stdout" in one.err
    no_secret(one.out, one.err)
    both = cli(
        "import", "--sdkappid", "1400000101", "--sdkappid", "1400000102",
        "--region", "japan", "--out", "-",
    )  # fmt: skip
    assert both.code == 0, both.err
    docs = list(yaml.safe_load_all(both.out))
    assert [d["sdkappid"] for d in docs] == [1400000101, 1400000102]
    assert list(work.iterdir()) == []  # no directory named "-", no file


def test_never_overwrites_without_force_and_reads_nothing(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path
) -> None:
    kept = tmp_path / "app-1400000102.yaml"
    kept.write_text("# mine\n")
    args = ("import", "--sdkappid", "1400000101", "--sdkappid", "1400000102", "--region", "japan")
    refused = cli(*args, "--out", tmp_path)
    assert refused.code == 1
    assert f"{kept} exists; pass --force to overwrite" in refused.err
    assert kept.read_text() == "# mine\n"
    assert not (tmp_path / "app-1400000101.yaml").exists()  # nothing written at all
    assert read_log(request_log) == []
    forced = cli(*args, "--out", tmp_path, "--force")
    assert forced.code == 0, forced.err
    assert yaml.safe_load(kept.read_text())["sdkappid"] == 1400000102


def test_one_app_failing_does_not_stop_the_others(
    cli: Any, ops_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no key for 1400000102: it fails alone; the two others are written
    clean_env(
        monkeypatch,
        TRTC_ENDPOINT=ops_emulator.base_url,
        TRTC_SECRET_KEY_1400000101=KEYS[1400000101],
        TRTC_SECRET_KEY_1400000103=KEYS[1400000103],
    )
    result = cli(
        "import", "--sdkappid", "1400000101", "--sdkappid", "1400000102",
        "--sdkappid", "1400000103", "--region", "singapore", "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "app-1400000101.yaml",
        "app-1400000103.yaml",
    ]
    assert "app-1400000102 (1400000102, --sdkappid): not imported:" in result.err
    assert "TRTC_SECRET_KEY_1400000102" in result.err
    assert "1 of 3 app(s) could not be imported (above); 2 written" in result.err


def test_usage_errors(cli: Any, ops_env: None, tmp_path: Path) -> None:
    cases = [
        ((), "give --sdkappid (with --region) or --apps-file FILE"),
        (("--sdkappid", "1400000101"), "--sdkappid needs --region"),
        (
            ("--sdkappid", "1", "--sdkappid", "2", "--region", "japan", "--name", "x"),
            "--name names one app",
        ),
    ]
    for args, message in cases:
        result = cli("import", *args, "--out", tmp_path)
        assert result.code == 1, args
        assert message in result.err, result.err


def test_progress_line_on_a_terminal(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 8, live=True)
    listing = tmp_path / "apps.txt"
    listing.write_text("".join(f"{1400100001 + i} singapore\n" for i in range(8)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRTC_", "LIVE_", "NO_"))}
    env["TRTC_SECRET_KEY"] = FLEET_KEY
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", "import", "--apps-file", str(listing),
             "--emulator", str(fleet.seed), "--out", str(tmp_path / "out")],
            stderr=slave, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    stderr = b"".join(chunks).decode()
    assert done.returncode == 0, stderr
    assert "\rimporting: 8/8" in stderr
    assert len(list((tmp_path / "out").iterdir())) == 8
