"""What the per-app stages hand to the checks across apps (duplicates, policy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reconciler.desired.result import DesiredApp
from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.errors import Location

Site = tuple[YamlDocument | None, NodePath]
"""Where a product's mapping is written: a document (None: the app's own) and a path."""


class LoadedApp:
    """An app that validated, with what locates the messages of the checks across apps.

    Made once per app and never changed. ``doc`` may be made on first use (``make``):
    only a message needs a location, so most apps of a fleet never make it.
    """

    __slots__ = ("_doc", "_make", "name_origin", "named", "own_files", "result", "where")

    def __init__(
        self,
        result: DesiredApp,
        named: bool,
        name_origin: str,
        own_files: frozenset[str],
        where: Mapping[str, Site],
        *,
        doc: YamlDocument | None = None,
        make: Callable[[], YamlDocument] | None = None,
    ) -> None:
        if (doc is None) == (make is None):
            raise ValueError("give the app's document, or how to make it")
        self.result = result
        self.named = named
        """Whether the app's name is written (else it is the file's or the folder's)."""
        self.name_origin = name_origin
        self.own_files = own_files
        self.where = where
        """Per product: where its mapping is written (for the policy stage)."""
        self._doc = doc
        self._make = make

    @property
    def doc(self) -> YamlDocument:
        """The merged, expanded app document (locations point at the lines that gave values)."""
        if self._doc is None:
            assert self._make is not None
            self._doc, self._make = self._make(), None
        return self._doc

    def site(self, product: str) -> tuple[YamlDocument, NodePath]:
        """The document and path of ``product``'s mapping (one of ``where``)."""
        doc, path = self.where[product]
        return (self.doc if doc is None else doc), path

    @property
    def name_location(self) -> Location:
        return self.doc.value_location(("name",)) if self.named else self.result.location

    @property
    def sdkappid_location(self) -> Location:
        return self.doc.value_location(("sdkappid",))
