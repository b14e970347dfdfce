"""``ProductSpec``: everything the pipeline knows about one product, in one declaration.

Each product module (``call.py``, ``live.py``, ...) declares one ``SPEC``; the
client operations, the desired-state validation, the plan order, the emulator's
route table and the generated docs reference all read it from
:data:`reconciler.products.catalog.PRODUCTS`. Pure data: it imports only
:mod:`reconciler.facts`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.facts.families import Family
from reconciler.facts.regions import REGIONS


class Kind(str, enum.Enum):
    CALLBACK = "callback"  # url + events
    TOKEN = "token"  # noqa: S105 - a kind of config, not a password


@dataclass(frozen=True)
class Paths:
    """The API path of each operation (without the leading slash); ``None``: no such API."""

    read: str
    create: str
    update: str | None
    delete: str

    def items(self) -> tuple[tuple[str, str | None], ...]:
        return (
            ("read", self.read),
            ("create", self.create),
            ("update", self.update),
            ("delete", self.delete),
        )


@dataclass(frozen=True)
class Vocabulary:
    """Canonical command words, plus variant spellings that mean the same word.

    ``aliases`` maps a variant to its canonical word: the variant is accepted on
    input and on read-back, and always shown (and sent) as the canonical word.
    """

    words: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    shared: frozenset[str] = frozenset()
    """Words of another service's webhook that this product's docs also list; whether
    this product's API accepts them and delivers them to its URL is undocumented, so
    validation warns where one is declared (Live's ``Group.*``/``Follow.*`` words)."""

    def __post_init__(self) -> None:
        for variant, canonical in self.aliases.items():
            if canonical not in self.words or variant in self.words:
                raise ValueError(f"alias {variant!r} → {canonical!r} is not a variant of a word")
        if not self.shared <= self.words:
            raise ValueError(f"shared words {sorted(self.shared - self.words)} are not words")

    @property
    def accepted(self) -> frozenset[str]:
        """Every spelling accepted on input: canonical words and variants."""
        return self.words | frozenset(self.aliases)

    def canonical(self, word: str) -> str:
        """``word`` in its canonical spelling (unknown words are returned unchanged)."""
        return self.aliases.get(word, word)

    def variant_of(self, word: str) -> str | None:
        """A variant spelling of canonical ``word``, or None (used by the emulator)."""
        for variant, canonical in self.aliases.items():
            if canonical == word:
                return variant
        return None


@dataclass(frozen=True)
class Fallbacks:
    """How create and update cover for each other.

    ``set_is_upsert``: ``set`` overwrites (no update API). Otherwise ``set`` is
    create-only: a create answered ``exists_code`` retries as update, and an
    update answered ``missing_code`` retries as set.
    """

    set_is_upsert: bool
    exists_code: int | None = None
    missing_code: int | None = None


@dataclass(frozen=True)
class Body:
    """The JSON field names of the request/answer body."""

    url_field: str = ""
    events_field: str = ""
    token_field: str = ""
    enabled_field: str = ""


@dataclass(frozen=True)
class EmulatorHooks:
    """What the emulator needs to serve the product like Tencent does.

    ``missing_code``: what ``get`` answers when nothing is configured (``None``:
    a success with empty data, the v1 default; see the ``v1_missing`` switch).
    """

    missing_code: int | None


@dataclass(frozen=True)
class Unavailable:
    """What a read code meaning "this app cannot have this product" tells the user."""

    reason: str
    """Why, e.g. "the app has no TUICallKit Group Call package"."""
    remedy: str
    """What to do when the product is declared for the app."""


@dataclass(frozen=True)
class ProductSpec:
    key: str
    title: str
    family: Family
    kind: Kind
    paths: Paths
    body: Body
    absent: Mapping[str, frozenset[int]]
    """Per operation ("read", "delete"): the error codes that mean "nothing configured"."""
    fallbacks: Fallbacks
    vocabulary: Vocabulary
    regions: tuple[str, ...]
    """Regions where Tencent's docs show this product (docs/tencent-api.md section 9 item 2)."""
    emulator: EmulatorHooks
    doc: str = ""
    unavailable: Mapping[int, Unavailable] = field(default_factory=dict)
    """Read codes meaning "this app cannot have this product" (not "absent"): the
    resource cannot be managed for that app."""

    def __post_init__(self) -> None:
        unknown = [r for r in self.regions if r not in REGIONS]
        if unknown:
            raise ValueError(f"{self.key}: unknown regions {unknown}")

    @property
    def events(self) -> frozenset[str]:
        """Every accepted spelling (canonical and variants): what validation lets in."""
        return self.vocabulary.accepted

    def absent_codes(self, operation: str) -> frozenset[int]:
        return self.absent.get(operation, frozenset())


ProductInfo = ProductSpec  # the name older modules use


@dataclass(frozen=True)
class KindText:
    """How the desired-state files describe an entry of one kind (schema title and texts).

    The models are shared by every product of a kind; the products' own words
    live here, with the products, rather than in ``reconciler.desired``.
    """

    title: str
    doc: str
    fields: Mapping[str, str] = field(default_factory=dict)
    """Field name → description, where the kind's model has product words in it."""
    declared: str = ""
    """Appended to a product's title in the ``callbacks:`` field that declares it."""


KIND_TEXT: Mapping[Kind, KindText] = {
    Kind.CALLBACK: KindText(
        title="Callback", doc="A managed callback: created when absent, updated when different."
    ),
    Kind.TOKEN: KindText(
        title="LiveToken",
        doc=(
            "The Live webhook token: its on/off switch, and the token "
            "(from `token_env`, never git)."
        ),
        fields={
            "enabled": (
                "Whether Tencent signs Live webhooks with the token (default true; "
                "write it when there is no `token_env`)."
            ),
        },
        declared=" (a secret, from the environment)",
    ),
}
"""The texts of each kind's desired-state model (see ``reconciler.desired.models``)."""
