"""Load the emulator's seed file (docs/emulator.md).

```yaml
apps:
  - sdkappid: 1400000001
    secret_key: demo-key-not-secret-1
    admins: [administrator]          # optional, default [administrator]
    group_call: true                 # optional; false: v1 calls answer 50001
    callbacks:                       # optional: live state at start
      call: {url: https://old.example.com/cb, events: [Call.CallbackAfterEndCall]}
      live_token: {token: demo-token, enabled: true}
behaviour:                           # optional: answers the docs leave open
  v1_missing: empty                  # or 999: what a v1 get/delete of nothing answers
  variant_spellings: false           # true: get answers variant spellings
```

Every problem is a :class:`~reconciler.errors.ConfigError` located at the
offending node (1-based line and column) with a message saying how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.desired.yamlsource import unreadable_value
from reconciler.emulator.behaviour import V1_MISSING_CHOICES, Behaviour, V1Missing
from reconciler.emulator.validation import (
    TOKEN_MAX_LENGTH,
    token_problem,
    url_problem,
    word_problem,
)
from reconciler.errors import ConfigError, Location
from reconciler.products.catalog import BUILT_IN, MAX_SDKAPPID, PRODUCTS, Kind, of_kind

DEFAULT_ADMINS: Final[tuple[str, ...]] = ("administrator",)
CALLBACK_PRODUCTS: Final = tuple(m.SPEC.key for m in BUILT_IN if m.SPEC.kind is Kind.CALLBACK)
"""The built-in callback products (a seed file also takes registered ones: ``of_kind``)."""
TOKEN_PRODUCT: Final = "live_token"  # noqa: S105 (a product key, not a password)


@dataclass(frozen=True)
class SeedCallback:
    """A callback config at start: URL and command words (in the seed's order)."""

    url: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class SeedToken:
    """The Live webhook token at start. ``token`` never shows in a repr."""

    token: str = field(repr=False)
    enabled: bool = True


@dataclass(frozen=True)
class SeedApp:
    """One app (SDKAppID) of the emulator."""

    sdkappid: int
    secret_key: str = field(repr=False)
    admins: tuple[str, ...] = DEFAULT_ADMINS
    group_call: bool = True
    callbacks: Mapping[str, SeedCallback] = field(default_factory=dict)
    live_token: SeedToken | None = None


@dataclass(frozen=True)
class Seed:
    """The apps the emulator starts with (used only to fill an empty database)."""

    apps: tuple[SeedApp, ...] = ()
    source: str | None = None
    behaviour: Behaviour | None = None
    """The seed's ``behaviour:`` mapping (answers the docs leave open), if it has one."""

    def secret_keys(self) -> dict[int, str]:
        """``{sdkappid: secret_key}`` for every app, e.g. to make UserSigs."""
        return {app.sdkappid: app.secret_key for app in self.apps}

    def app(self, sdkappid: int) -> SeedApp:
        """The app with this SDKAppID; ``KeyError`` if the seed has none."""
        for app in self.apps:
            if app.sdkappid == sdkappid:
                return app
        raise KeyError(sdkappid)


def load_seed(path: Path) -> Seed:
    """Read and validate a seed file. Raises :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(
            Location(str(path)), f"cannot read seed file: {reason}; pass an existing YAML file"
        ) from None
    return parse_seed(text, path=str(path))


def parse_seed(text: str, *, path: str = "<seed>") -> Seed:
    """Validate seed YAML given as text; ``path`` names it in error locations."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(where, f"invalid YAML: {problem}; fix the syntax") from None
    except yaml.YAMLError as exc:
        raise ConfigError(Location(path), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(
            Location(path), "invalid YAML: nested too deeply; flatten the lists and mappings"
        ) from None
    return _Reader(path).seed(root)


class _Reader:
    """Walks the composed YAML nodes, so every error knows its line and column."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._constructor = SafeConstructor()

    # -- generic helpers ---------------------------------------------------

    def fail(self, node: Node, message: str) -> NoReturn:
        mark = node.start_mark
        raise ConfigError(Location(self.path, mark.line + 1, mark.column + 1), message)

    def mapping(
        self, node: Node, what: str, allowed: Iterable[str]
    ) -> dict[str, tuple[Node, Node]]:
        """``{key: (key_node, value_node)}``; refuses unknown and repeated keys."""
        allowed = tuple(allowed)
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} must be a mapping with keys {', '.join(allowed)}")
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if not isinstance(key, str):
                shown = "a list or mapping" if key is _NOT_SCALAR else repr(key)
                self.fail(key_node, f"{what} has a key that is not a string: {shown}")
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                self.fail(key_node, f"{what} repeats key {key!r} (first on line {first})")
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(
                    key_node,
                    f"unknown key {key!r} in {what}{hint}; allowed: {', '.join(allowed)}",
                )
            entries[key] = (key_node, value_node)
        return entries

    def require(
        self, entries: dict[str, tuple[Node, Node]], node: Node, key: str, what: str, hint: str
    ) -> Node:
        if key not in entries:
            self.fail(node, f"{what} is missing {key!r} ({hint})")
        return entries[key][1]

    def value(self, node: Node) -> object:
        if not isinstance(node, ScalarNode):
            return _NOT_SCALAR
        try:
            return self._constructor.construct_object(node)
        except Exception as exc:
            # e.g. ValueError for `2020-02-30` read as a date, IndexError for `!!int ""`
            self.fail(node, unreadable_value(node, exc))

    def string(self, node: Node, what: str) -> str:
        value = self.value(node)
        if not isinstance(value, str) or not value:
            self.fail(
                node, f"{what} must be a non-empty string (quote it if it looks like a number)"
            )
        return value

    def boolean(self, node: Node, what: str) -> bool:
        value = self.value(node)
        if not isinstance(value, bool):
            self.fail(node, f"{what} must be true or false")
        return value

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{what} must be a list, e.g. [a, b]")
        return list(node.value)

    # -- the seed schema -----------------------------------------------------

    def seed(self, root: Node | None) -> Seed:
        if root is None:
            raise ConfigError(
                Location(self.path, 1, 1),
                "seed file is empty; write 'apps:' followed by a list of apps "
                "(sdkappid, secret_key, ...)",
            )
        entries = self.mapping(root, "the seed file", ("apps", "behaviour"))
        apps_node = self.require(entries, root, "apps", "the seed file", "a list of apps")
        apps: list[SeedApp] = []
        first_line: dict[int, int] = {}
        for app_node in self.sequence(apps_node, "apps"):
            app = self.app(app_node)
            if app.sdkappid in first_line:
                self.fail(
                    app_node,
                    f"sdkappid {app.sdkappid} is declared twice (first on line "
                    f"{first_line[app.sdkappid]}); give each app once",
                )
            first_line[app.sdkappid] = app_node.start_mark.line + 1
            apps.append(app)
        behaviour = self.behaviour(entries["behaviour"][1]) if "behaviour" in entries else None
        return Seed(apps=tuple(apps), source=self.path, behaviour=behaviour)

    def behaviour(self, node: Node) -> Behaviour:
        what = "behaviour"
        entries = self.mapping(node, what, ("v1_missing", "variant_spellings"))
        v1_missing: V1Missing = "empty"
        if "v1_missing" in entries:
            value_node = entries["v1_missing"][1]
            value = str(self.value(value_node))
            if value not in V1_MISSING_CHOICES:
                self.fail(
                    value_node,
                    f"behaviour.v1_missing must be one of {', '.join(V1_MISSING_CHOICES)}, "
                    f"found {value!r}",
                )
            v1_missing = "999" if value == "999" else "empty"
        variants = False
        if "variant_spellings" in entries:
            variants = self.boolean(entries["variant_spellings"][1], "behaviour.variant_spellings")
        return Behaviour(v1_missing=v1_missing, variant_spellings=variants)

    def app(self, node: Node) -> SeedApp:
        what = "an app"
        entries = self.mapping(
            node, what, ("sdkappid", "secret_key", "admins", "group_call", "callbacks")
        )
        sdkappid_node = self.require(entries, node, "sdkappid", what, "the app's SDKAppID")
        sdkappid = self.value(sdkappid_node)
        if not isinstance(sdkappid, int) or isinstance(sdkappid, bool):
            self.fail(sdkappid_node, "sdkappid must be an integer such as 1400000001")
        if not 1 <= sdkappid <= MAX_SDKAPPID:
            self.fail(sdkappid_node, f"sdkappid must be between 1 and {MAX_SDKAPPID}")
        key_node = self.require(entries, node, "secret_key", what, "the app's secret key")
        secret_key = self.string(key_node, "secret_key")

        admins = DEFAULT_ADMINS
        if "admins" in entries:
            admins_node = entries["admins"][1]
            items = self.sequence(admins_node, "admins")
            if not items:
                self.fail(admins_node, "admins must list at least one administrator account")
            admins = tuple(self.string(item, "an admin") for item in items)

        group_call = True
        if "group_call" in entries:
            group_call = self.boolean(entries["group_call"][1], "group_call")

        callbacks: dict[str, SeedCallback] = {}
        live_token: SeedToken | None = None
        if "callbacks" in entries:
            callbacks_node = entries["callbacks"][1]
            products = self.mapping(
                callbacks_node, "callbacks", (*of_kind(Kind.CALLBACK), TOKEN_PRODUCT)
            )
            for product, (_, value_node) in products.items():
                if product == TOKEN_PRODUCT:
                    live_token = self.token(value_node)
                else:
                    callbacks[product] = self.callback(value_node, product)
        return SeedApp(
            sdkappid=sdkappid,
            secret_key=secret_key,
            admins=admins,
            group_call=group_call,
            callbacks=callbacks,
            live_token=live_token,
        )

    def callback(self, node: Node, product: str) -> SeedCallback:
        what = f"callbacks.{product}"
        entries = self.mapping(node, what, ("url", "events"))
        url_node = self.require(entries, node, "url", what, "the callback URL")
        url = self.value(url_node)
        problem = url_problem(url)
        if problem is not None:
            self.fail(url_node, f"url {problem}")
        assert isinstance(url, str)
        events_node = self.require(entries, node, "events", what, "a list of command words")
        items = self.sequence(events_node, "events")
        if not items:
            self.fail(events_node, "events must list at least one command word")
        vocabulary = PRODUCTS[product].events
        events: list[str] = []
        for item in items:
            word = self.string(item, "a command word")
            problem = word_problem(word, vocabulary)
            if problem is not None:
                self.fail(item, f"{problem} for product {product}")
            if word in events:
                self.fail(item, f"{word!r} is listed twice; give each command word once")
            events.append(word)
        return SeedCallback(url=url, events=tuple(events))

    def token(self, node: Node) -> SeedToken:
        what = f"callbacks.{TOKEN_PRODUCT}"
        entries = self.mapping(node, what, ("token", "enabled"))
        token_node = self.require(entries, node, "token", what, "the webhook signing token")
        token = self.value(token_node)
        if token_problem(token) is not None:
            self.fail(token_node, f"token must be a string of 1-{TOKEN_MAX_LENGTH} characters")
        assert isinstance(token, str)
        enabled = True
        if "enabled" in entries:
            enabled = self.boolean(entries["enabled"][1], "enabled")
        return SeedToken(token=token, enabled=enabled)


_NOT_SCALAR: Final = object()
