"""The plan model (reconciler/plan/model.py): what is written fits it, a saved plan that
does not is refused with where, and product keys come from the registry."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.apply.reviewed import read_reviewed
from reconciler.apply.schema import documents_schema
from reconciler.configs import NOT_MANAGED, SENSITIVE_CHANGED
from reconciler.errors import PlanFileError
from reconciler.plan import model
from reconciler.plan.document import plan_to_dict
from reconciler.plan.planfile import read_plan_file
from reconciler.products import catalog
from reconciler.secret import REDACTED
from tests.plan.test_planfile import make_doc, recompute_checksum, save
from tests.render.plans import small_plan


def _set(path: str, value: Any) -> Any:
    """An edit of ``doc`` at ``path`` (``changes.0.after.url``)."""

    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (_set("changes.0.after.url", 3), "changes[0].after.url: Input should be a valid string"),
        (_set("changes.0.after.events.0", None), "changes[0].after.events[0]: Input should be"),
        (_set("changes.0.action", "replace"), "changes[0].action: Input should be 'create',"),
        (_set("changes.1.after.token", "the-real-token"), "changes[1].after.token: Input should"),
        (_set("changes.1.after.enabled", "yes"), "changes[1].after.enabled: Input should be a"),
        (_set("changes.0.fingerprint", None), "changes[0].fingerprint: Input should be a valid"),
        (_set("changes.0.sdkappid", 0), "changes[0].sdkappid: Input should be greater than"),
        (_set("apps", _DELETE), "apps: Field required"),
        (_set("apps.0", "prod-sg"), "apps[0]: Input should be a valid dictionary"),
        (_set("summary", [1, 2]), "summary: Input should be a valid dictionary"),
        (_set("summary.create", 1.5), "summary.create: Input should be a valid integer"),
        (_set("existing", "many"), "existing: Input should be a valid integer"),
        (_set("signatures", {"x\n": "y"}), "signatures.'x\\n'.[key]: String should match"),
        (
            _set(
                "safety",
                {
                    "verdict": "safe",
                    "problems": [],
                    "override": False,
                    "thresholds": {"max_update_pct": 101},
                },
            ),
            "safety.thresholds.max_update_pct: Value error, must be from 0 to 100",
        ),
    ],
)
def test_a_malformed_saved_plan_is_refused_with_where(
    tmp_path: Path, edit: Any, where: str
) -> None:
    doc = make_doc()
    edit(doc)
    recompute_checksum(doc)
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(save(tmp_path, doc))
    message = str(caught.value)
    assert f"malformed saved plan: {where}" in message, message
    assert "make a new one with `reconciler plan DIR --out plan.json`" in message
    assert "Traceback" not in message and len(message) < 600


def test_many_problems_are_counted_not_listed(tmp_path: Path) -> None:
    doc = make_doc()
    for change in doc["changes"]:
        change["action"] = "replace"
    recompute_checksum(doc)
    with pytest.raises(PlanFileError, match=r"changes\[0\]\.action: .* \(and 2 more problem"):
        read_plan_file(save(tmp_path, doc))


def test_a_reviewed_plan_is_read_through_the_model(tmp_path: Path) -> None:
    doc = make_doc()
    doc["changes"][0]["product"] = "no-such-product"
    recompute_checksum(doc)
    with pytest.raises(PlanFileError) as caught:
        read_reviewed(save(tmp_path, doc))
    assert "malformed saved plan: changes[0].product: Value error, unknown product " in str(
        caught.value
    )
    assert "nothing was applied" in str(caught.value)


def test_a_saved_plan_of_an_older_minor_version_still_reads(tmp_path: Path) -> None:
    """1.0 had no errors, ignored, warnings, safety, live_source nor cause."""
    doc = make_doc()
    doc["format_version"] = "1.0"
    for name in ("errors", "ignored", "warnings", "safety", "live_source"):
        del doc[name]
    for change in doc["changes"]:
        del change["cause"]
    recompute_checksum(doc)
    saved = read_plan_file(save(tmp_path, doc))
    assert saved.counts() == {"create": 0, "update": 2, "delete": 1}
    assert saved.thresholds == {}


def test_product_keys_come_from_the_registry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(catalog, "PRODUCT_KEYS", (*catalog.PRODUCT_KEYS, "sixth"))
    change = documents_schema()["$defs"]["ChangeEntry"]
    assert change["properties"]["product"]["enum"][-1] == "sixth"
    doc = make_doc()
    doc["unmanaged"] = [{"sdkappid": 1400000001, "app": "prod-sg", "product": "sixth"}]
    recompute_checksum(doc)
    assert len(read_plan_file(save(tmp_path, doc)).changes) == 3
    monkeypatch.undo()
    with pytest.raises(PlanFileError, match=r"unmanaged\[0\]\.product: .*unknown product 'sixth'"):
        read_plan_file(save(tmp_path, doc))


def test_token_markers_are_the_ones_written() -> None:
    token = typing.get_type_hints(model.TokenState, include_extras=True)["token"]
    assert typing.get_args(token) == (REDACTED, SENSITIVE_CHANGED, NOT_MANAGED)


def test_what_is_written_fits_the_model_and_its_schema() -> None:
    schema = documents_schema()
    printed = json.loads(json.dumps(plan_to_dict(small_plan())))
    saved = json.loads(json.dumps(make_doc()))
    assert model.validate_plan(printed) == printed
    assert model.validate_saved_plan(saved)["changes"] == saved["changes"]
    for definition, doc in (("plan", printed), ("plan", saved), ("saved_plan", saved)):
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
        )
        validator.validate(doc)
    without_fingerprint = json.loads(json.dumps(saved))
    del without_fingerprint["changes"][0]["fingerprint"]
    saved_plan = {"$ref": "#/$defs/saved_plan", "$defs": schema["$defs"]}
    assert not jsonschema.Draft202012Validator(saved_plan).is_valid(without_fingerprint)
    assert not jsonschema.Draft202012Validator(saved_plan).is_valid(printed)
