"""What the per-app stages hand to the checks across apps (duplicates, policy)."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.desired.result import DesiredApp
from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.errors import Location


@dataclass(slots=True)
class LoadedApp:
    """An app that validated, with where its identity was written (for duplicate checks).

    Made once per app and never changed; not frozen, as a frozen dataclass takes
    four times as long to make (10,000 apps of a shape are made in a row).
    """

    result: DesiredApp
    named: bool
    """Whether the app's name is written (else it is the file's or the folder's)."""
    name_origin: str
    doc: YamlDocument
    """The merged, expanded app document (locations point at the lines that gave the values)."""
    own_files: frozenset[str]
    where: dict[str, tuple[YamlDocument, NodePath]]
    """Per product: the document and path of its mapping (for the policy stage)."""

    @property
    def name_location(self) -> Location:
        return self.doc.value_location(("name",)) if self.named else self.result.location

    @property
    def sdkappid_location(self) -> Location:
        return self.doc.value_location(("sdkappid",))
