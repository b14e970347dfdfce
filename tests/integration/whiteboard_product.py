"""A sixth product, declared outside the package: what CONTRIBUTING.md's recipe writes.

``reconciler.products.catalog.register(this module)`` (or ``registered(...)``) adds
it; nothing else in the package names it. It is served by a v4 ``wb_config`` API
shaped like the other v4 callback APIs.
"""

from __future__ import annotations

from reconciler.facts import codes
from reconciler.facts.families import Family
from reconciler.products.spec import (
    Body,
    EmulatorHooks,
    Fallbacks,
    Kind,
    Paths,
    ProductSpec,
    Vocabulary,
)
from reconciler.products.v4_callback import V4CallbackProduct

SPEC = ProductSpec(
    key="whiteboard",
    title="Whiteboard sessions (v4 wb_config)",
    family=Family.V4,
    kind=Kind.CALLBACK,
    paths=Paths(
        read="v4/wb_config/get_callback",
        create="v4/wb_config/set_callback",
        update="v4/wb_config/update_callback",
        delete="v4/wb_config/delete_callback",
    ),
    body=Body(url_field="Url", events_field="CallbackCommandList"),
    absent={"read": frozenset({codes.NOT_FOUND}), "delete": frozenset({codes.NOT_FOUND})},
    fallbacks=Fallbacks(
        set_is_upsert=False, exists_code=codes.ALREADY_EXISTS, missing_code=codes.NOT_FOUND
    ),
    vocabulary=Vocabulary(frozenset({"Wb.CallbackAfterCreate", "Wb.CallbackAfterDestroy"})),
    regions=("china", "singapore"),
    emulator=EmulatorHooks(missing_code=codes.NOT_FOUND),
)


class WhiteboardProduct(V4CallbackProduct):
    spec = SPEC


IMPLEMENTATION = WhiteboardProduct()
