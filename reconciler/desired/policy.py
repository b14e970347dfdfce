"""Stage "policy": rules on validated apps, from ``policy.yaml`` at the root (or ``--policy``).

::

    require_https: true                 # every callback URL must be https://
    products:
      call:
        allowed_hosts: ["*.hooks.example.com"]   # globs on the URL's host
        required_events: [EVENT_A]      # every app's call must list these
        forbidden_events: [EVENT_B]     # ...and none of these
        max_events: 8                   # at most this many events
        required_for: ["shop-*"]        # apps (name globs) that must declare call
    safety:                             # this repository's safety thresholds (octoDNS's
      max_update_pct: 60                # update_pcent_threshold, delete_pcent_threshold,
      max_delete_pct: 30                # MIN_EXISTING_RECORDS); a command-line flag wins
      min_existing: 10

Each violation is an error at the value's line, naming the rule's line in the
policy file. It runs inside loading, so validate, plan and apply all refuse
before any request.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from reconciler.desired.characters import control_character_errors
from reconciler.desired.checks import https_host
from reconciler.desired.diagnostics import Diagnostics, did_you_mean, some_of
from reconciler.desired.layout import POLICY_NAMES
from reconciler.desired.loaded import LoadedApp
from reconciler.desired.translate import data_path
from reconciler.desired.urlhost import whatwg_host
from reconciler.desired.yamlsource import NodePath, YamlDocument, load_yaml
from reconciler.errors import ConfigErrors, Location
from reconciler.products.catalog import PRODUCTS, Kind
from reconciler.thresholds import DEFAULTS


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ProductRules(_Rules):
    """Rules on one product of every app."""

    model_config = ConfigDict(title="ProductRules")

    allowed_hosts: list[str] | None = Field(
        default=None,
        description="Globs the callback URL's host must match (e.g. `*.hooks.example.com`).",
    )
    required_events: list[str] = Field(
        default_factory=list, description="Events every app's configuration must list."
    )
    forbidden_events: list[str] = Field(
        default_factory=list, description="Events no app's configuration may list."
    )
    max_events: int | None = Field(
        default=None, ge=1, description="The most events one app's configuration may list."
    )
    required_for: list[str] = Field(
        default_factory=list,
        description="Apps (name globs; `*` for all) that must declare this product (present).",
    )


class SafetySettings(_Rules):
    """The safety thresholds of this repository (each flag of the same name wins)."""

    model_config = ConfigDict(title="SafetySettings")

    max_update_pct: float = Field(
        default=DEFAULTS.max_update_pct,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="A plan is unsafe when its updates exceed this share (%) of the "
        "existing managed configs (--max-update-pct).",
    )
    max_delete_pct: float = Field(
        default=DEFAULTS.max_delete_pct,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="A plan is unsafe when its deletes exceed this share (%) of the "
        "existing managed configs (--max-delete-pct).",
    )
    min_existing: int = Field(
        default=DEFAULTS.min_existing,
        ge=0,
        description="The thresholds apply only when at least this many managed configs "
        "exist (--min-existing).",
    )


class Policy(_Rules):
    """Rules every app must follow (policy.yaml, or the file given with --policy)."""

    model_config = ConfigDict(title="Policy")

    safety: SafetySettings | None = Field(
        default=None,
        description="This repository's update/delete safety thresholds (a flag wins).",
    )

    require_https: bool = Field(
        default=False, description="When true, every callback URL must use https://."
    )
    products: dict[str, ProductRules] = Field(
        default_factory=dict, description="Rules per product key (call, live, …)."
    )


POLICY = TypeAdapter(Policy)


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    doc: YamlDocument
    _hosts: dict[tuple[str, str], bool] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )
    """Whether a product's rules allow a host, worked out once per host (a fleet has few)."""

    def rule(self, *path: Hashable) -> Location:
        return self.doc.value_location(path)

    def safety(self) -> dict[str, tuple[float, Location]]:
        """The thresholds ``safety:`` sets, each with where it is set; empty without
        ``safety:``. From the document read and validated once, in loading (the
        engine takes them from the loaded state: the file is not read again)."""
        settings = self.policy.safety
        if settings is None:
            return {}
        return {
            name: (getattr(settings, name), self.rule("safety", name))
            for name in sorted(settings.model_fields_set)
        }

    def allows_host(self, product: str, globs: list[str], host: str) -> bool:
        allowed = self._hosts.get((product, host))
        if allowed is None:
            allowed = any(fnmatch.fnmatchcase(host, glob.lower()) for glob in globs)
            self._hosts[(product, host)] = allowed
        return allowed


def policy_path(root: Path, explicit: Path | None) -> Path | None:
    """``explicit``, else the root's policy.yaml (or .yml), else None."""
    if explicit is not None:
        return explicit
    return next((root / n for n in POLICY_NAMES if (root / n).is_file()), None)


def load_policy(root: Path, explicit: Path | None, diagnostics: Diagnostics) -> LoadedPolicy | None:
    """The policy to check, or None when there is none (or it has errors, reported)."""
    path = policy_path(root, explicit)
    if path is None:
        return None
    try:  # a link out of the folder that holds it is refused (a PR may have planted it)
        doc = load_yaml(path, root if explicit is None else path.parent)
    except ConfigErrors as errors:
        diagnostics.add(errors.errors)
        return None
    unsafe = control_character_errors(doc)
    if unsafe:  # reported alone, as for app files: no other message quotes them
        diagnostics.add(unsafe)
        return None
    try:
        policy = POLICY.validate_python(doc.data)
    except ValidationError as exc:
        for detail in exc.errors():
            where = data_path(detail["loc"], doc.data)
            if detail["type"] == "extra_forbidden":
                word = str(where[-1]) if where else ""
                fields: dict[str, Any] = (
                    SafetySettings.model_fields
                    if where[:1] == ("safety",)
                    else ProductRules.model_fields
                    if len(where) == 3
                    else Policy.model_fields
                )
                diagnostics.error(
                    doc.key_location(where),
                    f"unknown policy rule {word!r}{did_you_mean(word, fields)}; "
                    f"rules: {', '.join(fields)}",
                )
            else:
                shown = ".".join(str(k) for k in where) or "the policy"
                diagnostics.error(doc.value_location(where), f"`{shown}`: {detail['msg']}")
        return None
    loaded = LoadedPolicy(policy, doc)
    if not _check_rules(loaded, diagnostics):
        return None
    return loaded


def _check_rules(loaded: LoadedPolicy, diagnostics: Diagnostics) -> bool:
    """Product keys and event words of the policy itself are real ones."""
    ok = True
    for product, rules in loaded.policy.products.items():
        if product not in PRODUCTS:
            diagnostics.error(
                loaded.doc.key_location(("products", product)),
                f"unknown product {product!r} in the policy{did_you_mean(product, PRODUCTS)}; "
                f"products: {', '.join(PRODUCTS)}",
            )
            ok = False
            continue
        vocabulary = PRODUCTS[product].events
        for field in ("required_events", "forbidden_events"):
            for index, word in enumerate(getattr(rules, field)):
                if word not in vocabulary:
                    diagnostics.error(
                        loaded.rule("products", product, field, index),
                        f"unknown event {word!r} for product {product}"
                        f"{did_you_mean(word, vocabulary)}: correct the policy",
                    )
                    ok = False
    return ok


def check_policy(loaded: LoadedPolicy, app: LoadedApp, diagnostics: Diagnostics) -> None:
    """Report every rule ``app`` breaks, at the value's line, naming the rule's line."""
    policy = loaded.policy
    result = app.result
    for product, rules in policy.products.items():
        declared = result.products.get(product)
        if (declared is None or declared.ensure != "present") and any(
            fnmatch.fnmatchcase(result.name, glob) for glob in rules.required_for
        ):
            diagnostics.error(
                result.location,
                f"app {result.name!r} must declare product {product} (policy rule "
                f"required_for at {loaded.rule('products', product, 'required_for')}): "
                f"add `callbacks: {product}:` to the app, a template, or its defaults",
            )
    for product, declared in result.products.items():
        if declared.config is None or product not in app.where:
            continue
        url = declared.config.url
        if policy.require_https and not url.startswith("https://"):
            doc, base = app.site(product)
            diagnostics.error(
                doc.value_location((*base, "url")),
                f"{product}.url must use https:// (policy rule require_https at "
                f"{loaded.rule('require_https')}), found {url!r}",
            )
        product_rules = policy.products.get(product)
        if product_rules is None or PRODUCTS[product].kind is Kind.TOKEN:
            continue
        _check_product(loaded, product, product_rules, url, app, diagnostics)
        _check_events(loaded, product, product_rules, declared.config.events, app, diagnostics)


def _check_product(
    loaded: LoadedPolicy,
    product: str,
    rules: ProductRules,
    url: str,
    app: LoadedApp,
    diagnostics: Diagnostics,
) -> None:
    if rules.allowed_hosts is None:
        return
    host = https_host(url)
    if host is None:  # the host Tencent will call: what a WHATWG parser reads
        host = (whatwg_host(url) or "").lower()
    if not loaded.allows_host(product, rules.allowed_hosts, host):
        doc, base = app.site(product)
        diagnostics.error(
            doc.value_location((*base, "url")),
            f"{product}.url host {host!r} is not allowed (policy rule allowed_hosts at "
            f"{loaded.rule('products', product, 'allowed_hosts')}: "
            f"{some_of(rules.allowed_hosts)}): point the callback at an allowed host",
        )


def _check_events(
    loaded: LoadedPolicy,
    product: str,
    rules: ProductRules,
    events: frozenset[str],
    app: LoadedApp,
    diagnostics: Diagnostics,
) -> None:
    canonical = PRODUCTS[product].vocabulary.canonical
    missing = [w for w in rules.required_events if canonical(w) not in events]
    if missing:
        doc, base = app.site(product)
        diagnostics.error(
            doc.value_location((*base, "events")),
            f"{product}.events lacks {some_of(missing)} (policy rule required_events at "
            f"{loaded.rule('products', product, 'required_events')}): add them",
        )
    if rules.forbidden_events:
        _check_forbidden(loaded, product, rules, app, diagnostics)
    if rules.max_events is not None and len(events) > rules.max_events:
        doc, base = app.site(product)
        diagnostics.error(
            doc.value_location((*base, "events")),
            f"{product}.events lists {len(events)} events, more than {rules.max_events} "
            f"(policy rule max_events at {loaded.rule('products', product, 'max_events')}): "
            "remove some",
        )


def _check_forbidden(
    loaded: LoadedPolicy,
    product: str,
    rules: ProductRules,
    app: LoadedApp,
    diagnostics: Diagnostics,
) -> None:
    """Each event as written that a rule forbids, at its own line (the events as written)."""
    doc, base = app.site(product)
    path = (*base, "events")
    canonical = PRODUCTS[product].vocabulary.canonical
    written: Any = _get(doc.data, path)
    items = written if isinstance(written, list) else []
    for index, word in enumerate(rules.forbidden_events):
        rule = loaded.rule("products", product, "forbidden_events", index)
        for at, item in enumerate(items):
            if isinstance(item, str) and canonical(item) == canonical(word):
                diagnostics.error(
                    doc.value_location((*path, at)),
                    f"{product}.events lists {item!r}, which the policy forbids (policy rule "
                    f"forbidden_events at {rule}): remove it",
                )


def _get(data: Any, path: NodePath) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
