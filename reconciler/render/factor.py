"""Write a fleet read live as a DRY desired state (``reconciler import --factor``).

The layout is the one :mod:`reconciler.desired.defaults` reads::

    defaults.yaml             what every app shares, and the templates
    <region>/defaults.yaml    the region, and what the region's apps share
    <region>/<name>.yaml      the app: its sdkappid, the templates it uses, what is its own

Each app is first written as *leaves*: a path (``("callbacks", <product>, "url")``) and
the text the file would hold there. A URL, ``token_env``, ``secret_key_env`` or
``identifier`` is written with placeholders where the app's own name, sdkappid or
region appear in it as a whole word (``https://h/live/{name}``), and a URL's host
as ``{host}`` when it is the one most of its region's URLs use (a ``vars: host``
in the region's defaults), so that apps which differ only there share one text.

A leaf goes as high as every app below can take it: into the root's defaults when
every app has that path (the value most regions hold), into a region's defaults
when every app of the region has it (the value most of its apps hold), and into
the app's file, as it is, when what it would inherit is not its own. A product is
never given to an app that does not have it (that would need ``ensure: absent``,
which the flat import does not write). What several apps still write alike for
one product (or one app field, such as ``secret_key_env``) becomes a template
they ``use``.

Several ways of doing this are tried (:data:`STRATEGIES`); :func:`choose` keeps the
layout with the fewest lines that :func:`verify` accepts: loaded with the real
loader, it gives the very apps the flat import would (at worst, the flat files
themselves). No secret is ever written: only the names of the variables that
hold them.
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.desired.loader import load_desired
from reconciler.desired.placeholders import escape_braces
from reconciler.desired.result import DesiredApp
from reconciler.errors import ConfigErrors
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS
from reconciler.render.yamlout import _scalar, render_app_yaml

Path_ = tuple[str, ...]
"""A leaf's path in an app file: ``("identifier",)``, ``("callbacks", <product>, "url")``."""
Value = str | bool | tuple[str, ...]
"""A leaf's value as written: text with placeholders, a flag, or sorted events."""

ROOT_DEFAULTS = PurePosixPath("defaults.yaml")
HOST_VAR = "host"
FLOW_WIDTH = 100
"""A product or list is written on one line (flow style) when it fits in this many characters."""
RESERVED_STEMS = frozenset({"app", "defaults", "policy"})
"""File stems a region folder cannot give an app: ``app.yaml`` would make the folder an
app folder, ``defaults.yaml`` and ``policy.yaml`` are never read as apps."""
MODEL_DEFAULTS: Mapping[Path_, Value] = {("identifier",): "administrator", ("lenient",): False}
"""What an app gets when no layer writes these paths."""
TOP_ORDER = ("identifier", "secret_key_env", "lenient", "vars", "callbacks")


@dataclass(frozen=True)
class FleetApp:
    """One app as read live, with what its file would name (``import``'s inputs)."""

    name: str
    sdkappid: int
    region: str
    identifier: str
    secret_key_env: str | None
    configs: Mapping[str, Config | None]
    """The products read: a config, or None when none is configured live."""
    token_env: str
    """The variable a managed live token is read from."""
    manage_token: bool = True
    """False: only the token's on/off switch is managed (nobody holds the token)."""

    @property
    def path(self) -> PurePosixPath:
        """Its file in the layout: ``REGION/NAME.yaml``."""
        return PurePosixPath(self.region) / app_file_name(self.name, self.sdkappid)

    def flat_yaml(self) -> str:
        """The app as the flat ``import`` writes it."""
        return render_app_yaml(
            name=self.name,
            sdkappid=self.sdkappid,
            region=self.region,
            identifier=self.identifier,
            configs=self.configs,
            token_env=self.token_env,
            secret_key_env=self.secret_key_env,
            manage_token=self.manage_token,
        )


@dataclass(frozen=True)
class Strategy:
    """One way of factoring; :func:`factor` tries each and keeps the shortest result."""

    host_var: bool = True
    placeholders: bool = True
    template_users: int = 2
    flat: bool = False
    """Every app in a file of its own, as the flat import writes it (always correct)."""


STRATEGIES = (
    *(
        Strategy(host, names, users)
        for host, names, users in product((True, False), (True, False), (2, 3))
    ),
    Strategy(flat=True),
)


@dataclass(frozen=True)
class Layout:
    """The files to write, relative to ``--out``, in writing order."""

    files: tuple[tuple[PurePosixPath, str], ...]
    strategy: Strategy

    @property
    def lines(self) -> int:
        return sum(text.count("\n") for _, text in self.files)

    app_paths: tuple[tuple[str, PurePosixPath], ...] = ()
    """(app name, its file), for messages."""


def flat_lines(apps: Iterable[FleetApp]) -> int:
    """The lines the flat import writes for ``apps``."""
    return sum(app.flat_yaml().count("\n") for app in apps)


def factor(apps: Sequence[FleetApp]) -> list[Layout]:
    """Every strategy's layout for ``apps``, fewest lines first (flat files last among equals)."""
    layouts = [_layout(apps, s) for s in STRATEGIES]
    return sorted(layouts, key=lambda layout: (layout.lines, layout.strategy.flat))


def app_file_name(name: str, sdkappid: int) -> str:
    """``NAME.yaml``, or ``NAME-SDKAPPID.yaml`` (with ``name:`` written) for a reserved stem."""
    stem = name if name.lower() not in RESERVED_STEMS else f"{name}-{sdkappid}"
    return f"{stem}.yaml"


# --- leaves --------------------------------------------------------------------------


def _word(text: str) -> str:
    return r"(?<![A-Za-z0-9])" + re.escape(text) + r"(?![A-Za-z0-9])"


@functools.lru_cache(maxsize=1024)
def _own_words(name: str, sdkappid: int, region: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """The app's own words (longest first) and the placeholder each stands for."""
    words = {name: "name", str(sdkappid): "sdkappid", region: "region"}
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(_word(w) for w in ordered)), words


def _generalize(text: str, app: FleetApp, on: bool) -> str:
    """``text`` escaped for placeholder expansion, with the app's own words as placeholders."""
    escaped = escape_braces(text)
    if not on:
        return escaped
    pattern, words = _own_words(app.name, app.sdkappid, app.region)
    return pattern.sub(lambda m: "{" + words[m.group()] + "}", escaped)


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).netloc
    except ValueError:
        return None
    return host or None


def _url(url: str, app: FleetApp, host: str | None, on: bool) -> str:
    """The URL as written: its host as ``{host}`` when it is the folder's host."""
    if host is not None and _host(url) == host:
        scheme, _, rest = url.partition("://")
        tail = rest[len(host) :]
        return f"{escape_braces(scheme)}://{{{HOST_VAR}}}{_generalize(tail, app, on)}"
    return _generalize(url, app, on)


def _managed(app: FleetApp) -> dict[str, Config]:
    """The products the flat import writes as managed (a callback needs events)."""
    found: dict[str, Config] = {}
    for key in PRODUCT_KEYS:
        config = app.configs.get(key)
        if isinstance(config, TokenConfig) or (
            isinstance(config, CallbackConfig) and config.events
        ):
            found[key] = config
    return found


def _folder_host(apps: Sequence[FleetApp]) -> str | None:
    """The host most of these apps' callback URLs use, when at least two do."""
    hosts: Counter[str] = Counter()
    for app in apps:
        for config in _managed(app).values():
            if isinstance(config, CallbackConfig):
                host = _host(config.url)
                if host:
                    hosts[host] += 1
    if not hosts:
        return None
    host, count = hosts.most_common(1)[0]
    return host if count >= 2 else None


def _leaves(app: FleetApp, host: str | None, strategy: Strategy) -> dict[Path_, Value]:
    on = strategy.placeholders
    leaves: dict[Path_, Value] = {("identifier",): _generalize(app.identifier, app, on)}
    if app.secret_key_env:
        leaves[("secret_key_env",)] = _generalize(app.secret_key_env, app, on)
    managed = _managed(app)
    unknown = any(
        config.events - PRODUCTS[key].events
        for key, config in managed.items()
        if isinstance(config, CallbackConfig)
    )
    leaves[("lenient",)] = unknown
    if host is not None:
        leaves[("vars", HOST_VAR)] = escape_braces(host)
    for key, config in managed.items():
        if isinstance(config, CallbackConfig):
            leaves[("callbacks", key, "url")] = _url(config.url, app, host, on)
            events = tuple(sorted(escape_braces(e) for e in config.events))
            leaves[("callbacks", key, "events")] = events
        elif isinstance(config, TokenConfig):
            if app.manage_token:
                leaves[("callbacks", key, "token_env")] = _generalize(app.token_env, app, on)
            leaves[("callbacks", key, "enabled")] = config.enabled
    return leaves


# --- assignment ------------------------------------------------------------------------


@dataclass
class _Plan:
    root: dict[Path_, Value] = field(default_factory=dict)
    folders: dict[str, dict[Path_, Value]] = field(default_factory=dict)
    templates: dict[str, dict[Path_, Value]] = field(default_factory=dict)
    uses: dict[str, list[str]] = field(default_factory=dict)
    own: dict[str, dict[Path_, Value]] = field(default_factory=dict)


def _common(values: Iterable[Value]) -> tuple[Value, int]:
    """The most frequent value (the first seen among equals) and how often it occurs."""
    counts: Counter[Value] = Counter(values)
    best = max(counts.values())
    for value in counts:  # insertion order: deterministic
        if counts[value] == best:
            return value, best
    raise AssertionError("no values")  # pragma: no cover - callers pass some


def _shared_paths(members: Sequence[Mapping[Path_, object]]) -> list[Path_]:
    """Paths every member has, in the first member's order."""
    first = members[0]
    return [p for p in first if all(p in m for m in members[1:])]


def _assign(apps: Sequence[FleetApp], strategy: Strategy) -> _Plan:
    by_region: dict[str, list[FleetApp]] = {}
    for app in apps:
        by_region.setdefault(app.region, []).append(app)
    leaves: dict[str, dict[Path_, Value]] = {}
    for members in by_region.values():
        host = _folder_host(members) if strategy.host_var else None
        for app in members:
            leaves[app.name] = _leaves(app, host, strategy)

    plan = _Plan()
    _defaults({r: [leaves[a.name] for a in members] for r, members in by_region.items()}, plan)

    # what each app still differs in, per product: repeated alike, a template
    residual: dict[str, dict[Path_, Value]] = {}
    for region, members in by_region.items():
        for app in members:
            inherited = {**MODEL_DEFAULTS, **plan.root, **plan.folders[region]}
            residual[app.name] = {
                p: v for p, v in leaves[app.name].items() if inherited.get(p) != v
            }
    _templates(apps, residual, plan, strategy.template_users)
    # what is the app's own is written as it is (but for the host it gives {host})
    for app in apps:
        literal = _leaves(app, None, Strategy(placeholders=False))
        own = residual[app.name]
        plan.own[app.name] = {p: literal.get(p, v) for p, v in own.items()}
    return plan


def _defaults(rows_by_region: Mapping[str, list[dict[Path_, Value]]], plan: _Plan) -> None:
    """Fill the root's and each region's defaults: a path every app below has, with
    the value most regions hold (root) or most of the region's apps hold (region),
    when two or more hold it."""
    majority: dict[str, dict[Path_, tuple[Value, int]]] = {}
    for region, rows in rows_by_region.items():
        majority[region] = {p: _common(r[p] for r in rows) for p in _shared_paths(rows)}
    regions = list(rows_by_region)
    for path in _shared_paths([majority[r] for r in regions]):
        votes = [majority[r][path][0] for r in regions if majority[r][path][1] >= 2]
        if votes:
            value, count = _common(votes)
            if (count >= 2 or len(regions) == 1) and value != MODEL_DEFAULTS.get(path):
                plan.root[path] = value
    for region in regions:
        folder: dict[Path_, Value] = {}
        for path, (value, count) in majority[region].items():
            above = plan.root.get(path, MODEL_DEFAULTS.get(path))
            if count >= 2 and value != above:
                folder[path] = value
        plan.folders[region] = folder


def _group(path: Path_) -> str:
    """What a template bundles: one product's fields, or one app field (``secret_key_env``)."""
    return path[1] if path[0] == "callbacks" else path[0]


def _templates(
    apps: Sequence[FleetApp],
    residual: dict[str, dict[Path_, Value]],
    plan: _Plan,
    users: int,
) -> None:
    """What ``users`` apps or more still write alike, one product (or app field) at a
    time, becomes a template they use; it is taken out of their own files."""
    groups: dict[tuple[str, tuple[tuple[Path_, Value], ...]], list[str]] = {}
    for app in apps:
        parts: dict[str, list[tuple[Path_, Value]]] = {}
        for path, value in residual[app.name].items():
            parts.setdefault(_group(path), []).append((path, value))
        for group, items in parts.items():
            groups.setdefault((group, tuple(items)), []).append(app.name)
    chosen = [(k, names) for k, names in groups.items() if len(names) >= users]
    order = (*PRODUCT_KEYS, *TOP_ORDER)  # the registry's products, as now registered
    chosen.sort(key=lambda item: (-len(item[1]), order.index(item[0][0])))
    taken: Counter[str] = Counter()
    for (group, part), names in chosen:
        base = group.replace("_", "-")
        fields = {p[-1] for p, _ in part}
        if group in PRODUCT_KEYS and fields in ({"events"}, {"url"}):
            base += "-" + next(iter(fields))
        taken[base] += 1
        name = base if taken[base] == 1 else f"{base}-{taken[base]}"
        plan.templates[name] = dict(part)
        for app_name in names:
            plan.uses.setdefault(app_name, []).append(name)
            for path, _ in part:
                del residual[app_name][path]


# --- rendering -------------------------------------------------------------------------


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it: a fleet of thousands of apps is mostly this."""


def _flow(value: Any) -> str:
    text: str = yaml.dump(
        value, Dumper=_DUMPER, default_flow_style=True, width=10_000, sort_keys=False
    )
    return text.strip()


def _nest(leaves: Mapping[Path_, Value]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in leaves.items():
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = list(value) if isinstance(value, tuple) else value
    ordered = {k: tree[k] for k in TOP_ORDER if k in tree}
    if "callbacks" in ordered:
        products = ordered["callbacks"]
        ordered["callbacks"] = {k: products[k] for k in PRODUCT_KEYS if k in products}
    return ordered


def _block(tree: Mapping[str, Any], indent: int) -> list[str]:
    """A block mapping whose innermost mappings and lists go on one line when short."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in tree.items():
        if isinstance(value, dict):
            inline = _flow(value)
            if all(not isinstance(v, dict) for v in value.values()) and len(inline) <= FLOW_WIDTH:
                lines.append(f"{pad}{key}: {inline}")
            else:
                lines.append(f"{pad}{key}:")
                lines += _block(value, indent + 2)
        elif isinstance(value, list):
            inline = _flow(value)
            if len(inline) <= FLOW_WIDTH:
                lines.append(f"{pad}{key}: {inline}")
            else:
                lines.append(f"{pad}{key}:")
                lines += [f"{pad}  - {_scalar(item)}" for item in value]
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


def _layout(apps: Sequence[FleetApp], strategy: Strategy) -> Layout:
    names = tuple((app.name, app.path) for app in apps)
    if strategy.flat:
        flat = tuple((a.path, a.flat_yaml()) for a in apps)
        return Layout(flat, strategy, names)
    plan = _assign(apps, strategy)
    files: list[tuple[PurePosixPath, str]] = []
    root = _root_text(plan)
    if root:
        files.append((ROOT_DEFAULTS, root))
    for region, leaves in plan.folders.items():
        body = [f"region: {region}", *_block(_nest(leaves), 0)]
        files.append((PurePosixPath(region) / "defaults.yaml", "\n".join(body) + "\n"))
    for app in apps:
        text = _app_text(app, plan.uses.get(app.name, []), plan.own[app.name])
        files.append((app.path, text))
    return Layout(tuple(files), strategy, names)


def _root_text(plan: _Plan) -> str:
    """The root's defaults.yaml: what every app shares, and the templates ("": nothing)."""
    root = _block(_nest(plan.root), 0)
    if plan.templates:
        root.append("templates:")
        for name, leaves in plan.templates.items():
            root.append(f"  {name}:")
            root += _block(_nest(leaves), 4)
    if not root:
        return ""
    header = [
        "# Written by `reconciler import --factor`: what every app below shares.",
        "# Each app gets this file, then its folder's defaults.yaml, then the templates",
        "# it lists in `use:`, then its own file (each overrides the one before).",
    ]
    return "\n".join(header + root) + "\n"


def _app_text(app: FleetApp, uses: Sequence[str], own: Mapping[Path_, Value]) -> str:
    """The app's file: its sdkappid (and name when the file is not named after it), the
    templates it uses and what is its own."""
    lines = []
    if app_file_name(app.name, app.sdkappid) != f"{app.name}.yaml":
        lines.append(f"name: {_scalar(app.name)}")
    lines.append(f"sdkappid: {app.sdkappid}")
    if uses:
        lines.append(f"use: {_flow(list(uses))}")
    lines += _block(_nest(own), 0)
    for key, config in app.configs.items():
        if isinstance(config, CallbackConfig) and not config.events:
            lines.append(f"# {key}: configured live with no events; left unmanaged")
    return "\n".join(lines) + "\n"


# --- checking --------------------------------------------------------------------------


def _signature(app: DesiredApp) -> tuple[Any, ...]:
    """What ``plan`` uses of an app: everything but where it was written."""
    products = tuple(
        (key, p.ensure, p.config, p.token_env, p.enabled) for key, p in app.products.items()
    )
    return (
        app.name,
        app.sdkappid,
        app.region,
        app.identifier,
        app.secret_key_env,
        app.protect,
        app.lenient,
        products,
    )


def desired_apps(files: Iterable[tuple[PurePosixPath, str]]) -> dict[int, tuple[Any, ...]]:
    """The apps ``files`` load to (sdkappid → what plan compares), through the real loader."""
    with tempfile.TemporaryDirectory(prefix="reconciler-factor-") as scratch:
        root = Path(scratch)
        for relative, text in files:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        state = load_desired(root)
    return {app.sdkappid: _signature(app) for app in state.apps}


def verify(layout: Layout, apps: Sequence[FleetApp]) -> bool:
    """Whether ``layout`` loads to the very apps the flat import of ``apps`` loads to."""
    flat = [(PurePosixPath(app_file_name(a.name, a.sdkappid)), a.flat_yaml()) for a in apps]
    try:
        return desired_apps(layout.files) == desired_apps(flat)
    except ConfigErrors:
        return False


def choose(apps: Sequence[FleetApp]) -> Layout:
    """The shortest layout that verifies (the flat files always do)."""
    for layout in factor(apps):
        if layout.strategy.flat or verify(layout, apps):
            return layout
    raise AssertionError("the flat layout is always among the candidates")  # pragma: no cover
