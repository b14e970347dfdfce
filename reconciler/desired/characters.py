"""Refuse control characters in every string of a desired-state file.

YAML lets a double-quoted string hold any character (``"\\a"``, ``"\\e[31m"``,
``"\\u202e"``) and a block scalar hold newlines. None of them belongs in a URL, a
name, an identifier, an event word or an environment variable name, and printed
back they could forge lines, GitHub annotations or terminal colours. So every key
and every string value is checked, and each one holding a C0 or C1 control
character, DEL, a line or paragraph separator or a bidi control is a located
error. (Tabs and line breaks that are YAML's own structure never reach a value.)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.errors import ConfigError
from reconciler.escape import first_unsafe


def control_character_errors(doc: YamlDocument) -> list[ConfigError]:
    """One located error per key or string value of ``doc`` that holds a control character.

    A parsed document says which strings those are (the parser looked at each string
    once); a document made in memory is walked here.
    """
    errors: list[ConfigError] = []
    if doc.unsafe is not None:
        for path, key in doc.unsafe:
            text = path[-1] if key else _get(doc.data, path)
            _check(str(text), path, errors, doc, key=key)
        return errors

    def visit(value: Any, path: NodePath) -> None:
        if isinstance(value, str):
            _check(value, path, errors, doc, key=False)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                child: NodePath = (*path, key)
                if isinstance(key, str):
                    _check(key, child, errors, doc, key=True)
                visit(item, child)

    visit(doc.data, ())
    return errors


def _check(
    text: str, path: NodePath, errors: list[ConfigError], doc: YamlDocument, *, key: bool
) -> None:
    found = first_unsafe(text)
    if found is None:
        return
    what = "a key" if key else f"`{_field(path)}`" if _field(path) else "a value"
    location = doc.key_location(path) if key else doc.value_location(path)
    errors.append(
        ConfigError(
            location,
            f"{what} holds the control character {found}: remove it (control characters, "
            "line breaks and bidi controls are not allowed in any value)",
        )
    )


def _get(data: Any, path: NodePath) -> Any:
    for element in path:
        data = data[element]
    return data


def _field(path: tuple[Hashable, ...]) -> str:
    names = [str(element) for element in path if isinstance(element, str)]
    return names[-1] if names else ""
