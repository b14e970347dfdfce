"""Adding a product is one module and one registry entry (CONTRIBUTING.md, "Adding a product").

``whiteboard_product.py`` declares a sixth product the package has never heard of;
``catalog.registered(module)`` adds it for one test. Through the real CLI
(in-process: the registration lives in this process) and the real emulator (whose
routes come from the registry, so it serves ``v4/wb_config``), the product is
validated, planned, applied and checked for drift like the five built-in ones.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.cli.options import ProductChoice
from reconciler.configs import CallbackConfig
from reconciler.desired import models
from reconciler.emulator import admincli  # noqa: F401 - built before any registration
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.operations import ENDPOINTS
from reconciler.products import catalog
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS
from reconciler.products.registry import IMPLEMENTATIONS, product
from reconciler.products.spec import ProductSpec
from reconciler.secret import Secret
from tests.integration import whiteboard_product
from tests.integration.conftest import ROOT, SEED, read_log

BUILT_IN = ("call", "call_legacy", "live", "live_token", "conference")
APP = (1400000002, "china", "demo-key-not-secret-2")  # prod-cn of the seed
URL = "https://hooks.example.cn/wb"

APP_FILE = f"""\
sdkappid: {APP[0]}
region: {APP[1]}
callbacks:
  whiteboard:
    url: {URL}
    events: [Wb.CallbackAfterCreate]
"""


@pytest.fixture
def whiteboard() -> Iterator[ProductSpec]:
    with catalog.registered(whiteboard_product) as spec:
        yield spec


@pytest.fixture
def emulator(whiteboard: ProductSpec, tmp_path: Path) -> Iterator[RunningEmulator]:
    """The conftest's emulator, started once the product is registered."""
    with start_emulator(SEED, request_log=tmp_path / "requests.jsonl") as running:
        yield running


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    folder = tmp_path / "desired"
    folder.mkdir()
    (folder / "prod-cn.yaml").write_text(APP_FILE, encoding="utf-8")
    return folder


def change_live(emulator: RunningEmulator, config: CallbackConfig) -> None:
    """Change the whiteboard config through the emulator's API, as a console user would."""
    sdkappid, region, secret_key = APP

    async def go() -> None:
        async with TencentClient(endpoint=emulator.base_url) as client:
            target = AppTarget(sdkappid, region, "administrator", Secret(secret_key))
            await product("whiteboard").update(client, target, config)

    asyncio.run(go())


def test_a_registered_product_is_validated_planned_applied_and_drift_checked(
    cli: Any, env: dict[str, str], fleet: Path, emulator: RunningEmulator, request_log: Path
) -> None:
    assert cli("validate", fleet).code == 0

    plan = cli("plan", fleet, "--detailed-exitcode")
    assert plan.code == 2, plan.err
    assert "# prod-cn (1400000002) whiteboard will be created" in plan.out
    assert f'+ url    = "{URL}"' in plan.out
    assert "Plan: 1 to create, 0 to update, 0 to delete" in plan.out
    only = cli("plan", fleet, "--product", "whiteboard", "--detailed-exitcode")
    assert only.code == 2, only.err  # --product takes the registered product
    reads = [r["path"] for r in read_log(request_log)]
    assert "/v4/wb_config/get_callback" in reads

    applied = cli("apply", fleet, "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply: 1 applied, 0 failed" in applied.out
    writes = [r for r in read_log(request_log) if r["write"]]
    assert [w["path"] for w in writes] == ["/v4/wb_config/set_callback"]

    again = cli("plan", fleet, "--detailed-exitcode", "--format", "json")
    assert again.code == 0, again.err
    assert again.json()["summary"]["create"] == 0

    assert cli("drift", fleet).code == 0
    change_live(emulator, CallbackConfig(url=URL, events=frozenset({"Wb.CallbackAfterDestroy"})))
    drift = cli("drift", fleet)
    assert drift.code == 2, drift.err
    assert "# prod-cn (1400000002) whiteboard: changed live (was → now)" in drift.out


def test_a_registered_product_gets_the_same_checks(
    cli: Any, whiteboard: ProductSpec, fleet: Path
) -> None:
    (fleet / "prod-cn.yaml").write_text(
        APP_FILE.replace("Wb.CallbackAfterCreate", "Wb.CallbackAfterCreat"), encoding="utf-8"
    )
    result = cli("validate", fleet)
    assert result.code == 1
    assert (
        "prod-cn.yaml:6:14: unknown event 'Wb.CallbackAfterCreat' for product whiteboard "
        "(did you mean 'Wb.CallbackAfterCreate'?)"
    ) in result.err
    (fleet / "prod-cn.yaml").write_text(APP_FILE + "    colour: red\n", encoding="utf-8")
    assert "colour" in cli("validate", fleet).err

    schema = cli("schema")
    assert schema.code == 0
    callbacks = json.loads(schema.out)["$defs"]["Callbacks"]["properties"]
    assert list(callbacks) == [*BUILT_IN, "whiteboard"]
    assert callbacks["whiteboard"]["description"] == "Whiteboard sessions (v4 wb_config)."


def test_the_emulator_admin_takes_a_product_registered_after_it_was_built(
    cli: Any, env: dict[str, str], fleet: Path, emulator: RunningEmulator
) -> None:
    """``emulator admin --product`` reads the registry when it runs, as the main CLI's
    ``--product`` does: a console-side change to the sixth product is rehearsed."""
    # the admin commands were built (imported above) before the product was registered
    admin = ("emulator", "admin")
    target = ("--sdkappid", str(APP[0]), "--product", "whiteboard")
    shown = cli(*admin, "set", "--help")
    assert shown.code == 0, shown.err
    assert "whiteboard" in shown.out  # --help lists it
    events = "Wb.CallbackAfterCreate,Any.Word"
    assert cli(*admin, "set", *target, "--url", URL, "--events", events).code == 0
    read = cli(*admin, "show", *target)
    assert read.code == 0, read.err
    assert json.loads(read.out) == {"url": URL, "events": ["Wb.CallbackAfterCreate", "Any.Word"]}
    assert cli(*admin, "delete", *target).code == 0
    assert json.loads(cli(*admin, "show", *target).out) is None
    refused = cli(*admin, "show", "--sdkappid", str(APP[0]), "--product", "wb")
    assert refused.code == 1
    assert "'wb' is not one of" in refused.err and "whiteboard" in refused.err


def test_the_emulator_admin_forgets_a_product_once_unregistered(cli: Any) -> None:
    endpoint = ("emulator", "admin", "--endpoint", "http://127.0.0.1:9")  # not reached
    with catalog.registered(whiteboard_product):
        assert "whiteboard" in cli(*endpoint, "set", "--help").out
    after = cli(*endpoint, "set", "--help")
    assert after.code == 0 and "whiteboard" not in after.out
    refused = cli(*endpoint, "delete", "--sdkappid", "1400000002", "--product", "whiteboard")
    assert refused.code == 1 and "'whiteboard' is not one of" in refused.err


def test_the_registration_does_not_outlive_its_block() -> None:
    callbacks = models.Callbacks
    with catalog.registered(whiteboard_product):
        choice = ProductChoice()  # as a command built while the product is registered
        assert choice.choices == (*BUILT_IN, "whiteboard")
        assert list(PRODUCT_KEYS) == [*BUILT_IN, "whiteboard"]
        assert "whiteboard" in models.Callbacks.model_fields
        assert "/v4/wb_config/set_callback" in ENDPOINTS
        assert "whiteboard" in IMPLEMENTATIONS
    assert tuple(PRODUCT_KEYS) == BUILT_IN
    assert choice.choices == BUILT_IN  # --help and the docs reference do not keep it
    assert models.Callbacks is callbacks  # the very models built at import, again
    assert "/v4/wb_config/set_callback" not in ENDPOINTS
    assert "whiteboard" not in IMPLEMENTATIONS and "whiteboard" not in PRODUCTS


def test_a_product_is_registered_once_and_built_ins_stay() -> None:
    with (
        catalog.registered(whiteboard_product),
        pytest.raises(ValueError, match="already registered"),
    ):
        catalog.register(whiteboard_product)
    with pytest.raises(ValueError, match="built in"):
        catalog.unregister("call")
    with pytest.raises(ValueError, match="no product"):
        catalog.unregister("whiteboard")
    assert tuple(PRODUCT_KEYS) == BUILT_IN


def test_contributing_shows_this_very_module() -> None:
    """CONTRIBUTING.md's recipe is this test in words: its code is the module above."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Adding a product", 1)[1].split("\n## ", 1)[0]
    shown = textwrap.dedent(section.split("```python\n", 1)[1].split("```", 1)[0])
    source = Path(whiteboard_product.__file__).read_text(encoding="utf-8")
    code = source.split("from __future__ import annotations\n\n", 1)[1]
    assert shown == code
    assert "tests/integration/test_sixth_product.py" in section
    assert "catalog.registered(module)" in section and "register(module)" in section
