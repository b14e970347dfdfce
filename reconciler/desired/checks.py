"""Rules the models cannot express: callback URLs, event lists and product vocabularies.

They run on a validated product spec and report through :class:`Diagnostics`,
located with the document's index; ``base`` is the path of the product's mapping
in the document (``("callbacks", <product>)`` in an app file, ``()`` in a product file).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from reconciler.configs import CallbackConfig
from reconciler.desired.acknowledge import (
    CHAT_SHARED_EVENT,
    PLAIN_HTTP,
    UNDOCUMENTED_HOST,
    UNDOCUMENTED_REGION,
    UNKNOWN_EVENT,
)
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.models import Absent, CallbackPresent, ProductEntry, TokenPresent
from reconciler.desired.result import DesiredProduct
from reconciler.desired.urlhost import host_mismatch
from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.errors import Location
from reconciler.escape import quoted
from reconciler.facts.regions import UNDOCUMENTED_HOSTS, UNDOCUMENTED_HOSTS_SOURCES, V4_HOSTS
from reconciler.products.catalog import PRODUCTS
from reconciler.products.vocabulary import suggest

CLEAR_TEXT = "callbacks are sent in clear text; use https://"
LENIENT_SUFFIX = "; passed through because lenient is set"
MANAGES_NOTHING = (
    "product {product} manages nothing: write `enabled: true` or `enabled: false` to "
    "manage only its on/off switch (the token stays as set in Tencent), or add "
    "`token_env: NAME` (the environment variable holding the token) to manage the token too"
)


def build_product(
    product: str,
    spec: ProductEntry,
    doc: YamlDocument,
    base: NodePath,
    *,
    lenient: bool,
    location: Location,
    diagnostics: Diagnostics,
) -> DesiredProduct:
    """The :class:`DesiredProduct` for ``spec``, after reporting what is wrong with it."""
    if isinstance(spec, Absent):
        return DesiredProduct(product, "absent", None, None, None, location)
    if isinstance(spec, TokenPresent):
        if spec.token_env is None and "enabled" not in spec.model_fields_set:
            diagnostics.error(location, MANAGES_NOTHING.format(product=product))
        return DesiredProduct(product, "present", None, spec.token_env, spec.enabled, location)
    if https_host(spec.url) is None:  # the common https://host/path has nothing to report
        check_url(spec.url, doc.value_location((*base, "url")), diagnostics)
    check_events(spec, product, doc, (*base, "events"), lenient=lenient, diagnostics=diagnostics)
    # a variant spelling is the same event: planned and shown in its canonical spelling
    vocabulary = PRODUCTS[product].vocabulary
    events = frozenset(spec.events)
    if vocabulary.shared and not events.isdisjoint(vocabulary.shared):
        warn_shared(spec, product, doc, (*base, "events"), diagnostics)
    if not events.isdisjoint(vocabulary.aliases):
        events = frozenset(vocabulary.canonical(e) for e in spec.events)
    config = CallbackConfig(url=spec.url, events=_shared(events))
    return DesiredProduct(product, "present", config, None, None, location)


_EVENT_SETS: dict[frozenset[str], frozenset[str]] = {}
_SHARED_SETS = 4096


def _shared(events: frozenset[str]) -> frozenset[str]:
    """One instance of each event set (its words included): 100,000 apps name a few sets."""
    known = _EVENT_SETS.get(events)
    if known is not None:
        return known
    if len(_EVENT_SETS) < _SHARED_SETS:
        _EVENT_SETS[events] = events
    return events


_ACCEPTED: dict[str, frozenset[str]] = {}


def _accepted(product: str) -> frozenset[str]:
    """The product's accepted event words (canonical and variants), worked out once."""
    words = _ACCEPTED.get(product)
    if words is None:
        words = _ACCEPTED[product] = PRODUCTS[product].events
    return words


_WHITESPACE = re.compile(r"\s")  # what str.isspace() calls whitespace, at C speed

_PLAIN_HTTPS = re.compile(r"https://([A-Za-z0-9.-]+)(?:[/?#]\S*)?").fullmatch
"""An https URL with a plain host name, no port and no user: :func:`check_url` has
nothing to say about it (nearly every URL of a fleet)."""


def https_host(url: str) -> str | None:
    """The host (lower case) of a plain ``https://host/...`` URL; None for any other URL
    (one with a backslash, or whose last label is a number: WHATWG reads that as IPv4)."""
    plain = _PLAIN_HTTPS(url)
    if plain is None or "\\" in url:
        return None
    host = plain.group(1)
    if host.rstrip(".").rpartition(".")[2][:1].isdigit():
        return None
    return host.lower()


def check_url(url: str, location: Location, diagnostics: Diagnostics) -> None:
    """http(s) with a host, no spaces; plain http is a warning."""
    if _WHITESPACE.search(url):
        diagnostics.error(
            location, "`url` must not contain spaces: remove them (write a space in a path as %20)"
        )
        return
    if not url.lower().startswith(("https://", "http://")):
        diagnostics.error(
            location,
            f"`url` must start with https:// (or http://), found {quoted(url)}: "
            "Tencent sends callbacks only over HTTP(S)",
        )
        return
    if not url.startswith(("https://", "http://")):
        diagnostics.error(location, f"write the scheme of `url` in lower case, found {quoted(url)}")
        return
    if "\\" in url:  # before urlsplit: it may find no host where WHATWG finds one
        diagnostics.error(location, f"`url` {quoted(url)} {host_mismatch(url)}")
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        diagnostics.error(
            location,
            f"`url` is not a valid URL, found {quoted(url)}: check the brackets of an IPv6 address",
        )
        return
    try:
        bad_port = parts.port == 0
    except ValueError:
        bad_port = True
    if bad_port:
        diagnostics.error(
            location, f"`url` has an invalid port, found {quoted(url)}: use a port from 1 to 65535"
        )
        return
    if not host:
        diagnostics.error(
            location, f"`url` has no host, found {quoted(url)}: write it as https://HOST/PATH"
        )
        return
    mismatch = host_mismatch(url)
    if mismatch is not None:
        diagnostics.error(location, f"`url` {quoted(url)} {mismatch}")
        return
    if parts.scheme == "http":
        diagnostics.warn(location, f"`url` uses http://: {CLEAR_TEXT}", PLAIN_HTTP)


def check_events(
    spec: CallbackPresent,
    product: str,
    doc: YamlDocument,
    path: NodePath,
    *,
    lenient: bool,
    diagnostics: Diagnostics,
) -> None:
    """Non-empty, no duplicates, every word in the product's vocabulary (or lenient)."""
    if not spec.events:
        diagnostics.error(
            doc.value_location(path),
            "`events` is empty: list at least one event, or write `ensure: absent` "
            "to delete the product's configuration",
        )
        return
    vocabulary = _accepted(product)
    if vocabulary.issuperset(spec.events) and len(set(spec.events)) == len(spec.events):
        return  # every word known, none twice (nearly always): nothing to look up
    first_seen: dict[str, int] = {}  # word -> index; locations are looked up for errors only
    for index, word in enumerate(spec.events):
        if word in first_seen:
            first = doc.value_location((*path, first_seen[word]))
            diagnostics.error(
                doc.value_location((*path, index)),
                f"event {quoted(word)} is listed twice (first on line {first.line}, "
                f"column {first.column}): remove this one",
            )
            continue
        first_seen[word] = index
        if word in vocabulary:
            continue
        location = doc.value_location((*path, index))
        message = f"unknown event {quoted(word)} for product {product}"
        guess = suggest(word, vocabulary)
        if guess is not None:
            message += f" (did you mean {guess!r}?)"
        if lenient:
            diagnostics.warn(location, message + LENIENT_SUFFIX, UNKNOWN_EVENT)
        elif guess is not None:
            diagnostics.error(location, message)
        else:
            diagnostics.error(
                location,
                f"{message}; known events: {', '.join(sorted(vocabulary))} "
                "(set `lenient: true` to pass new Tencent words through)",
            )


def warn_shared(
    spec: CallbackPresent, product: str, doc: YamlDocument, path: NodePath, diagnostics: Diagnostics
) -> None:
    """A warning at each declared word that another service's webhook owns (Live's
    ``Group.*``/``Follow.*``): accepted, but its delivery here is undocumented."""
    shared = PRODUCTS[product].vocabulary.shared
    for index, word in enumerate(spec.events):
        if word in shared:
            diagnostics.warn(
                doc.value_location((*path, index)),
                f"event {quoted(word)} is a Chat (social interaction) event: Tencent's console "
                f"says these share the Chat webhook, and whether {product} accepts it and "
                f"sends it to this url is not documented; check that this url receives it, "
                "or configure it as a Chat webhook in the console",
                CHAT_SHARED_EVENT,
            )


def check_region(product: DesiredProduct, region: str, diagnostics: Diagnostics) -> None:
    """A warning for a product declared in a region where Tencent's docs do not show it.

    Only a warning: Tencent may serve the product there, or add the region later.
    """
    documented = PRODUCTS[product.product].regions
    if product.ensure != "present" or region in documented:
        return
    diagnostics.warn(
        product.location,
        f"product {product.product} is not documented in region {region}: Tencent's docs "
        f"show it only in {', '.join(documented)}; check `region:` (requests may fail there)",
        UNDOCUMENTED_REGION,
    )


def check_app_region(region: str, doc: YamlDocument, diagnostics: Diagnostics) -> None:
    """A warning at ``region:`` for a region whose host Tencent's current REST docs do
    not give (docs/tencent-api.md section 10 item 7).

    Only a warning: the host answered when last documented, and may still.
    """
    city = UNDOCUMENTED_HOSTS.get(region)
    if city is None:
        return
    diagnostics.warn(
        doc.value_location(("region",)),
        f"region {region} ({city}): its host {V4_HOSTS[region]} is not in Tencent's current "
        f"REST API docs ({UNDOCUMENTED_HOSTS_SOURCES} list no {city} domain); requests may "
        "fail there: check the app's data center in the Tencent console",
        UNDOCUMENTED_HOST,
    )
