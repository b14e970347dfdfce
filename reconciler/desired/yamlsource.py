"""Read one YAML file into plain Python data plus where every node was written.

PyYAML's ``compose`` (SafeLoader) gives a node tree with marks; this module walks
it into dicts, lists and scalars and records, for every node, its path from the
root (``("callbacks", <product>, "events", 1)``) and its 1-based line and column.
The key of each mapping entry is recorded too, so that "unknown field" errors can
point at the key rather than at its value.

Everything that is wrong with the file as YAML (syntax, duplicate keys, encoding,
an empty file, recursive aliases) is raised as :class:`ConfigErrors`, each error
located where the problem is.

Parsing uses libyaml (``yaml.CSafeLoader``), whose nodes carry the same marks as
the pure-Python loader's: a valid file costs what libyaml costs. A file libyaml
refuses is parsed again by the pure-Python loader, whose errors say more (the
offending character, the context), so every message and location is the same
with or without libyaml. Where PyYAML was built without libyaml, the pure-Python
loader does everything.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from reconciler.errors import ConfigError, ConfigErrors, Location
from reconciler.escape import UNSAFE, quoted

_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
"""libyaml's parser, or None where PyYAML was built without libyaml."""

NodePath = tuple[Hashable, ...]
"""Keys and list indices from the document root down to one node."""

MAX_NODES = 100_000
"""Aliases can make a small file expand exponentially; refuse beyond this many nodes."""

MAX_DEPTH = 64
"""Desired state is a few levels deep; refuse deeper nesting before Python's recursion limit."""

MAX_BYTES = 1024 * 1024
"""A desired-state file is a few hundred bytes; refuse one over 1 MiB before parsing it."""

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"

_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("expected ',' or ']'", "close the [ ] list"),
    ("expected ',' or '}'", "close the { } mapping"),
    (
        "mapping values are not allowed here",
        "check the indentation, or quote a value containing ': '",
    ),
    ("expected <block end>", "check the indentation"),
    ("could not find expected ':'", "check the indentation, or add the missing ':'"),
    ("found undefined alias", "define the anchor (&name) before using it (*name)"),
    ("found unknown escape character", "use single quotes, or escape the backslash as \\\\"),
)


def display_path(path: Path | str) -> str:
    """``path`` relative to the current directory when it lies below it, else as given."""
    text = os.fspath(path)
    if not os.path.isabs(text):  # already relative to the current directory: no getcwd()
        normal = _normpath(text)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return normal
    elif os.name == "posix":  # absolute: one getcwd(), no relpath()
        try:
            cwd = os.getcwd()
        except OSError:
            return text
        normal = _normpath(text)
        below = cwd.rstrip(os.sep) + os.sep
        if normal == cwd:
            return os.curdir
        return normal[len(below) :] if normal.startswith(below) else text
    try:
        relative = os.path.relpath(os.path.abspath(text))
    except ValueError:  # e.g. another drive on Windows
        return text
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return text
    return relative


def _normpath(text: str) -> str:
    """``os.path.normpath``, skipped for a POSIX path that it would leave as it is."""
    if os.name == "posix" and "/." not in text and "//" not in text and not text.endswith("/"):
        return text if not text.startswith("./") and text != "." else os.path.normpath(text)
    return os.path.normpath(text)


@dataclass(frozen=True)
class YamlDocument:
    """Plain data of one YAML file, with the location of every node and mapping key."""

    path: str
    """The file as shown in messages (see :func:`display_path`)."""
    data: Any
    locations: Mapping[NodePath, Location]
    """Where each node (value) starts; ``()`` is the document's top node."""
    key_locations: Mapping[NodePath, Location]
    """Where the key of each mapping entry starts, by the path of its value."""
    unsafe: tuple[tuple[NodePath, bool], ...] | None = None
    """The keys (True) and string values (False) that hold a control character, found
    while parsing; None when not known (a document made in memory): see ``characters``."""
    braces: bool = True
    """False when no string value holds a brace: placeholder expansion has nothing to do."""

    def value_location(self, path: NodePath) -> Location:
        """Where the node at ``path`` starts, else its nearest ancestor that has a location."""
        found = self.locations.get(path)
        if found is not None:
            return found
        for end in range(len(path) - 1, -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return Location(self.path, 1, 1)

    def key_location(self, path: NodePath) -> Location:
        """Where the key holding ``path`` is written; the value's location when it has no key."""
        found = self.key_locations.get(path)
        return found if found is not None else self.value_location(path)


def load_yaml(path: Path, root: Path | None = None) -> YamlDocument:
    """Read ``path`` as UTF-8 YAML. Raises :class:`ConfigErrors` for anything that is not.

    With ``root``: a symbolic link that leads out of it is refused (:func:`read_text_within`).
    """
    shown, text = read_text(path) if root is None else read_text_within(path, root)
    return parse_yaml(text, shown)


def read_text(
    path: Path,
    shown: str | None = None,
    *,
    limit: int | None = None,
    what: str = "a desired-state file",
) -> tuple[str, str]:
    """``path`` as shown in messages, and its UTF-8 text; :class:`ConfigErrors` when unreadable.

    ``shown``: how to show ``path``, when the caller knows (see :class:`ShownPaths`).
    ``limit``: the most bytes read, :data:`MAX_BYTES` by default (a file over it is an
    error naming ``what``).
    """
    if shown is None:
        shown = display_path(path)
    if limit is None:
        limit = MAX_BYTES
    try:
        raw = _read_bytes(path, limit)
    except _TooBig as big:
        raise ConfigErrors(
            [
                ConfigError(
                    Location(shown),
                    f"file is {big.size:,} bytes, over the {limit:,}-byte limit for "
                    f"{what}: split it, or check that it is the file you meant",
                )
            ]
        ) from None
    except OSError as exc:
        raise ConfigErrors(
            [ConfigError(Location(shown), f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    return shown, decode_utf8(raw, shown)


class _TooBig(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


def read_text_within(
    path: Path,
    root: Path,
    *,
    limit: int | None = None,
    what: str = "a desired-state file",
    folder: str = "the desired-state folder",
) -> tuple[str, str]:
    """:func:`read_text` of a file that must stay inside the folder ``root``.

    The one way to read a file a pull request may have planted (``.reconcilerignore``,
    ``.driftignore``, ``policy.yaml``, ``defaults.yaml``, a reviewed plan): a symbolic
    link that leads out of ``root`` (to ``/proc/self/environ``, a runner file) is an
    error naming the link, and nothing of its target is read; at most ``limit``
    bytes are read. ``folder``: how the message names ``root``.
    """
    shown = display_path(path)
    try:  # the file, or a folder on its way, may be the link
        inside = _inside(path.resolve(strict=True), root.resolve())
    except (OSError, RuntimeError):  # missing (reported by read_text), or a link to nothing
        inside = not path.is_symlink()
    if not inside:
        raise ConfigErrors([outside_link_error(shown, folder)])
    return read_text(path, shown, limit=limit, what=what)


def outside_link_error(shown: str, folder: str = "the desired-state folder") -> ConfigError:
    """A symbolic link out of ``folder``, named alone.

    Its target may be a runner file whose path or content must not reach a CI log.
    """
    return ConfigError(
        Location(shown, 1, 1),
        f"a symbolic link that leads out of {folder} (or to nothing); it "
        "is not read. Replace it with the file itself, or remove it",
    )


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, up to ``limit`` (else :class:`_TooBig`).

    With the file descriptor itself: ``open()`` makes a file object and a buffer
    around it, which doubled the time to read 10,000 one-line files.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(fd)
        size = status.st_size
        if size > limit:
            raise _TooBig(size)
        first = os.read(fd, size + 1)
        if len(first) <= size and stat.S_ISREG(status.st_mode):
            return first  # a short read of a regular file ends at its end
        chunks = [first]  # it grew since fstat, or is not a regular file: read on
        total = len(first)
        while total <= limit and (chunk := os.read(fd, 65536)):
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise _TooBig(total)
        return b"".join(chunks)
    finally:
        os.close(fd)


class ShownPaths:
    """:func:`display_path` of many files, each folder's worked out once.

    A folder at or below the current directory is shown relative to it, and so is
    each file in it: its name appended. Any other path is worked out on its own.
    """

    def __init__(self) -> None:
        self._folders: dict[str, str | None] = {}

    def __call__(self, path: Path) -> str:
        text = os.fspath(path)
        folder, name = os.path.split(text)
        if not folder or name in ("", os.curdir, os.pardir):
            return display_path(path)
        if folder in self._folders:
            shown = self._folders[folder]
        else:
            shown = self._folders[folder] = self._folder(folder)
        if shown is None:  # outside the current directory, via "..": worked out alone
            return display_path(path)
        if shown is _AS_GIVEN:
            return text
        return name if shown == os.curdir else os.path.join(shown, name)

    @staticmethod
    def _folder(folder: str) -> str | None:
        """How the files of ``folder`` are shown: below it (its shown path), as given
        (:data:`_AS_GIVEN`), or None (each worked out alone)."""
        shown = display_path(folder)
        if not os.path.isabs(shown):
            return shown if shown.split(os.sep, 1)[0] != os.pardir else None
        if os.name == "posix" and shown == folder and _normpath(folder) == folder:
            # a plain absolute folder outside the current directory (display_path gave it
            # back as it is), and not above it: so does it give each file in it
            try:
                above = (os.getcwd().rstrip(os.sep) + os.sep).startswith(
                    folder.rstrip(os.sep) + os.sep
                )
            except OSError:
                above = True
            return None if above else _AS_GIVEN
        return None


_AS_GIVEN = "\0as given"
"""A folder whose files :func:`display_path` shows as given (no file is named so)."""


def decode_utf8(raw: bytes, shown: str) -> str:
    """The text of ``raw``; a located :class:`ConfigErrors` when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        message = (
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded): "
            "save it with UTF-8 encoding"
        )
        raise ConfigErrors([ConfigError(Location(shown, line, column), message)]) from None


_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
_WILDCARD = tuple(_IMPLICIT.get(None, []))
_BY_FIRST = {
    first: (*resolvers, *_WILDCARD) for first, resolvers in _IMPLICIT.items() if first is not None
}
"""SafeLoader's implicit resolvers by a scalar's first character, wildcards appended."""


if _CParser is not None:

    class _Composer(_CParser, Resolver):  # type: ignore[misc]
        """libyaml's parser and composer with SafeLoader's tags, and nothing to construct.

        libyaml calls ``resolve`` for every node: this one gives the same tags as
        :class:`yaml.resolver.Resolver` (SafeLoader has no path resolvers), with less
        work per call.
        """

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            Resolver.__init__(self)

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass  # only path resolvers need it: SafeLoader has none

        def ascend_resolver(self) -> None:
            pass

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, regexp in _BY_FIRST.get(value[:1], _WILDCARD):
                        if regexp.match(value):
                            return tag
                return _STR_TAG
            return _SEQ_TAG if kind is SequenceNode else _MAP_TAG


FAST_LOADER: Callable[[str], Any] | None = _Composer if _CParser is not None else None
"""libyaml's composer, or None where PyYAML was built without it."""


def parse_yaml(text: str, shown: str) -> YamlDocument:
    """Parse ``text`` (the file ``shown``) into a :class:`YamlDocument`."""
    root = _compose_fast(text) if FAST_LOADER is not None else _NOT_PARSED
    if root is _NOT_PARSED:
        root = _compose_python(text, shown)
    if root is None:
        raise ConfigErrors([ConfigError(Location(shown, 1, 1), "file is empty: " + _EMPTY_HINT)])
    return _Walker(shown).run(root)


_NOT_PARSED: Any = object()


def _compose_fast(text: str) -> Any:
    """libyaml's node tree of ``text`` (None: empty); ``_NOT_PARSED`` when libyaml refuses it."""
    assert FAST_LOADER is not None
    loader = FAST_LOADER(text)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return _NOT_PARSED  # the pure-Python loader says what is wrong, and where
    finally:
        loader.dispose()


def _compose_python(text: str, shown: str) -> Node | None:
    """The pure-Python loader's node tree of ``text``; its errors as :class:`ConfigErrors`."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # its reader already checks the characters
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ConfigErrors([_syntax_error(exc, shown)]) from None
    except yaml.reader.ReaderError as exc:
        raise ConfigErrors([_reader_error(exc, text, shown)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        raise ConfigErrors([ConfigError(Location(shown, 1, 1), f"invalid YAML: {exc}")]) from None
    except RecursionError:
        # PyYAML's composer recurses per level: report where it had got to.
        assert loader is not None  # the reader does not recurse
        raise ConfigErrors([_too_deep(_mark_location(loader.get_mark(), shown))]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return root


def _too_deep(location: Location) -> ConfigError:
    return ConfigError(
        location,
        f"lists and mappings nest more than {MAX_DEPTH} levels deep: "
        "desired state is a few levels deep; flatten the data",
    )


_EMPTY_HINT = "write its settings (see `reconciler schema`), or delete the file"


def _syntax_error(exc: yaml.MarkedYAMLError, shown: str) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    location = _mark_location(mark, shown) if mark is not None else Location(shown, 1, 1)
    problem = exc.problem or "syntax error"
    if isinstance(exc, yaml.composer.ComposerError) and "another document" in problem:
        return ConfigError(
            location,
            "invalid YAML: a second document ('---') in the file; "
            "write one app (or one product) per file",
        )
    message = f"invalid YAML: {problem}"
    if exc.context:
        if exc.context_mark is not None and exc.context_mark.line != getattr(mark, "line", None):
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        else:
            message += f" ({exc.context})"
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in problem), "fix the YAML syntax here")
    return ConfigError(location, f"{message}: {hint}")


def _reader_error(exc: yaml.reader.ReaderError, text: str, shown: str) -> ConfigError:
    position = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character
    code = ord(character) if isinstance(character, str) else int(character)
    return ConfigError(
        Location(shown, line, column),
        f"invalid YAML: control character #x{code:04x} is not allowed: remove it",
    )


def _mark_location(mark: yaml.Mark, shown: str) -> Location:
    return Location(shown, mark.line + 1, mark.column + 1)


_T = TypeVar("_T")


_V = TypeVar("_V")


class LocationView(Mapping[NodePath, Location], Generic[_V]):
    """Node paths to :class:`Location`, each made from another mapping's value on lookup.

    Most locations are never asked for (only a message needs one), so none is made
    in advance. Subclasses say how a value becomes a location.
    """

    def __init__(self, inner: Mapping[NodePath, _V]) -> None:
        self._inner = inner

    def _location(self, value: _V) -> Location:
        raise NotImplementedError

    def __getitem__(self, path: NodePath) -> Location:
        return self._location(self._inner[path])

    @overload
    def get(self, path: NodePath, /) -> Location | None: ...
    @overload
    def get(self, path: NodePath, /, default: Location | _T) -> Location | _T: ...
    def get(self, path: NodePath, /, default: Any = None) -> Any:
        found = self._inner.get(path)  # no KeyError raised and caught per miss
        return default if found is None else self._location(found)

    def __contains__(self, path: object) -> bool:
        return path in self._inner

    def __iter__(self) -> Iterator[NodePath]:
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)


class _MarkLocations(LocationView[yaml.Mark]):
    """Locations made from the parser's marks."""

    def __init__(self, shown: str, marks: dict[NodePath, yaml.Mark]) -> None:
        super().__init__(marks)
        self._shown = shown

    def _location(self, value: yaml.Mark) -> Location:
        return _mark_location(value, self._shown)


_SPECIAL = re.compile(f"[{{}}]|{UNSAFE.pattern}").search
"""A brace or a control character: a string the later stages look at (rare)."""


class _Walker:
    """Turns a composed node tree into plain data and the two location indexes.

    It also notes, in the same pass, the strings holding a control character (see
    ``characters``) and whether any string value holds a brace (see ``placeholders``).
    """

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.constructor: SafeConstructor | None = None
        # marks, made into Locations only when asked for (most never are)
        self.marks: dict[NodePath, yaml.Mark] = {}
        self.key_marks: dict[NodePath, yaml.Mark] = {}
        self.errors: list[ConfigError] = []
        self.count = 0
        self.unsafe: list[tuple[NodePath, bool]] = []
        self.braces = False

    def run(self, root: Node) -> YamlDocument:
        try:
            data = self.build(root, (), frozenset())
        except _Fatal as fatal:
            self.errors.append(fatal.error)
        except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting well before
            self.errors.append(_too_deep(self.at(root)))
        if self.errors:
            raise ConfigErrors(self.errors)
        return YamlDocument(
            self.shown,
            data,
            _MarkLocations(self.shown, self.marks),
            _MarkLocations(self.shown, self.key_marks),
            tuple(self.unsafe),
            self.braces,
        )

    def at(self, node: Node) -> Location:
        return _mark_location(node.start_mark, self.shown)

    def count_node(self, node: Node) -> None:
        """Count one node visited; aliases and merges can make the count explode."""
        self.count += 1
        if self.count > MAX_NODES:
            raise self.too_many(node)

    def too_many(self, node: Node) -> _Fatal:
        return _Fatal(
            ConfigError(
                self.at(node),
                f"the file expands to more than {MAX_NODES} YAML nodes (aliases?): "
                "write the data out plainly",
            )
        )

    def text(self, value: str, path: NodePath, *, key: bool) -> None:
        """Note a string that :data:`_SPECIAL` found something in."""
        if UNSAFE.search(value) is not None:
            self.unsafe.append((path, key))
        if not key and ("{" in value or "}" in value):
            self.braces = True

    def build(self, node: Node, path: NodePath, active: frozenset[int]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.too_many(node)
        if isinstance(node, ScalarNode):  # most nodes: no cycle possible, no children
            if len(path) > MAX_DEPTH:
                raise _Fatal(_too_deep(self.at(node)))
            self.marks[path] = node.start_mark
            value = node.value
            tag = node.tag
            if tag == _STR_TAG:  # a plain string needs no constructor (it gives node.value too)
                if _SPECIAL(value) is not None:
                    self.text(value, path, key=False)
                return value
            if (
                tag == _INT_TAG
                and len(value) < 19
                and value.isdigit()
                and value.isascii()
                and value[0] != "0"
            ):
                return int(value)  # what SafeConstructor makes of 1500000000, in one step
            if tag == _INT_TAG and _DECIMAL(value) is None and _YAML11_INT.match(value):
                raise _Fatal(ConfigError(self.at(node), not_decimal(value)))
            value = self.scalar(node)
            if value.__class__ is str and _SPECIAL(value) is not None:
                self.text(value, path, key=False)
            return value
        if id(node) in active:
            raise _Fatal(
                ConfigError(self.at(node), "an alias refers to its own anchor: remove the cycle")
            )
        if len(path) > MAX_DEPTH:
            raise _Fatal(_too_deep(self.at(node)))
        self.marks[path] = node.start_mark
        inner = active | {id(node)}
        deep = len(path) >= MAX_DEPTH  # the children would be too deep: build() says where
        if isinstance(node, SequenceNode):
            self.check_tag(node, _SEQ_TAG)
            items: list[Any] = []
            for index, item in enumerate(node.value):
                child: NodePath = (*path, index)
                items.append(
                    self.plain(item, child)
                    if item.__class__ is ScalarNode and item.tag == _STR_TAG and not deep
                    else self.build(item, child, inner)
                )
            return items
        if isinstance(node, MappingNode):
            self.check_tag(node, _MAP_TAG)
            result: dict[Hashable, Any] = {}
            for key, (key_node, value_node) in self.entries(node, inner).items():
                child = (*path, key)
                self.key_marks[child] = key_node.start_mark
                if key.__class__ is str and _SPECIAL(key) is not None:
                    self.text(key, child, key=True)
                result[key] = (
                    self.plain(value_node, child)
                    if value_node.__class__ is ScalarNode
                    and value_node.tag == _STR_TAG
                    and not deep
                    else self.build(value_node, child, inner)
                )
            return result
        raise _Fatal(ConfigError(self.at(node), "unsupported YAML node"))  # pragma: no cover

    def plain(self, node: Node, path: NodePath) -> str:
        """:meth:`build` of a plain string not too deep (most nodes), with less to check."""
        self.count += 1
        if self.count > MAX_NODES:
            raise self.too_many(node)
        self.marks[path] = node.start_mark
        value: str = node.value
        if _SPECIAL(value) is not None:
            self.text(value, path, key=False)
        return value

    def scalar(self, node: ScalarNode) -> Any:
        if self.constructor is None:
            self.constructor = SafeConstructor()
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise _Fatal(
                ConfigError(
                    self.at(node),
                    f"unsupported YAML tag {quoted(_shown_tag(node.tag))}: "
                    "remove it (plain values need no tag)",
                )
            ) from exc
        except Exception as exc:
            # e.g. ValueError for `2020-02-30` (resolved as a date), IndexError for
            # `!!int ""`, KeyError for `!!bool maybe`: all are the user's value.
            raise _Fatal(ConfigError(self.at(node), unreadable_value(node, exc))) from exc

    def check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            raise _Fatal(
                ConfigError(
                    self.at(node),
                    f"unsupported YAML tag {quoted(_shown_tag(node.tag))}: "
                    "remove it (plain values need no tag)",
                )
            )

    def key_of(self, key_node: Node) -> Hashable:
        if not isinstance(key_node, ScalarNode):
            kind = "list" if isinstance(key_node, SequenceNode) else "mapping"
            raise _Fatal(
                ConfigError(
                    self.at(key_node),
                    f"a key must be a plain word, not a {kind}: write `word: value`",
                )
            )
        key = key_node.value if key_node.tag == _STR_TAG else self.scalar(key_node)
        if not isinstance(key, Hashable):  # pragma: no cover - scalars are hashable
            raise _Fatal(ConfigError(self.at(key_node), "a key must be a plain word"))
        return key

    def entries(
        self, node: MappingNode, active: frozenset[int]
    ) -> dict[Hashable, tuple[Node, Node]]:
        """The mapping's entries by key: explicit ones override ``<<`` merged ones.

        A key written twice is an error naming both lines; merged keys may be
        overridden silently, as YAML's merge key intends.
        """
        if len(active) > MAX_DEPTH:  # merges of merges count as nesting
            raise _Fatal(_too_deep(self.at(node)))
        explicit: dict[Hashable, tuple[Node, Node]] = {}
        pairs = node.value
        for key_node, _ in pairs:
            if key_node.tag == _MERGE_TAG:
                return self.merged_entries(pairs, active)
        for key_node, value_node in pairs:  # no merge key (nearly always): one pass
            self.count += 1
            if self.count > MAX_NODES:
                raise self.too_many(key_node)
            if key_node.tag == _STR_TAG and isinstance(key_node, ScalarNode):
                key = key_node.value
            else:
                key = self.key_of(key_node)
            if key in explicit:
                self.twice(key, explicit[key][0], key_node)
                continue
            explicit[key] = (key_node, value_node)
        return explicit

    def merged_entries(
        self, pairs: list[tuple[Node, Node]], active: frozenset[int]
    ) -> dict[Hashable, tuple[Node, Node]]:
        merged: dict[Hashable, tuple[Node, Node]] = {}
        explicit: dict[Hashable, tuple[Node, Node]] = {}
        for key_node, value_node in pairs:
            self.count_node(key_node)
            if key_node.tag == _MERGE_TAG:
                for source in self.merge_sources(value_node, active):
                    for key, entry in self.entries(source, active | {id(source)}).items():
                        merged.setdefault(key, entry)  # earlier sources win
                continue
            key = self.key_of(key_node)
            if key in explicit:
                self.twice(key, explicit[key][0], key_node)
                continue
            explicit[key] = (key_node, value_node)
        return {**merged, **explicit}

    def twice(self, key: Hashable, first: Node, key_node: Node) -> None:
        self.errors.append(
            ConfigError(
                self.at(key_node),
                f"key {quoted(str(key))} is written twice (lines "
                f"{first.start_mark.line + 1} and {key_node.start_mark.line + 1}): "
                "keep one of them",
            )
        )

    def merge_sources(self, value_node: Node, active: frozenset[int]) -> list[MappingNode]:
        if id(value_node) in active:
            raise _Fatal(
                ConfigError(
                    self.at(value_node), "an alias refers to its own anchor: remove the cycle"
                )
            )
        if isinstance(value_node, MappingNode):
            return [value_node]
        if isinstance(value_node, SequenceNode) and all(
            isinstance(item, MappingNode) for item in value_node.value
        ):
            return [item for item in value_node.value if isinstance(item, MappingNode)]
        raise _Fatal(
            ConfigError(
                self.at(value_node),
                "a merge key (<<) takes a mapping or a list of mappings, e.g. `<<: *defaults`",
            )
        )


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)").fullmatch
"""A number as people write it: decimal digits, no sign but ``-``, no leading zero."""

_YAML11_INT: re.Pattern[str] = next(
    regexp for resolvers in _IMPLICIT.values() for tag, regexp in resolvers if tag == _INT_TAG
)
"""What YAML 1.1 reads as an integer (``!!int "abc"`` is not one: PyYAML says why)."""

_YAML11_FORMS = (
    ("0x", "hexadecimal"),
    ("0o", "octal"),
    ("0b", "binary"),
    (":", "base 60"),
    ("_", "digits grouped with '_'"),
    ("+", "a '+' sign"),
)


def not_decimal(value: str) -> str:
    """Why an integer that YAML 1.1 reads in another form than plain decimal is refused:
    ``0x5372F3C1``, ``017`` (octal), ``190:30:20`` (base 60), ``1_000``, ``+5``."""
    lowered = value.lower()
    form = next((word for mark, word in _YAML11_FORMS if mark in lowered), "octal, its leading 0")
    return (
        f"the number {shorten(value)!r} is written in a YAML 1.1 form ({form}), which "
        "readers disagree on: write it in plain decimal digits (or quote it if it is text)"
    )


def unreadable_value(node: ScalarNode, exc: Exception) -> str:
    """Why PyYAML could not build ``node`` (as its tag says), and what to do."""
    reason = f" ({shorten(str(exc))})" if isinstance(exc, ValueError) and str(exc) else ""
    return (
        f"cannot read the value {shorten(node.value)!r} as {_shown_tag(node.tag)[:40]}{reason}: "
        "quote it if it is text, or correct it"
    )


def shorten(text: str, width: int = 40) -> str:
    """``text`` cut to ``width`` characters (with ``...``) for an error message."""
    return text if len(text) <= width else text[: width - 3] + "..."


def _shown_tag(tag: str) -> str:
    """A tag as it is written in YAML (``!!str`` rather than ``tag:yaml.org,2002:str``)."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


class _Fatal(Exception):
    """Stops the walk: the rest of the document cannot be trusted."""

    def __init__(self, error: ConfigError) -> None:
        super().__init__(str(error))
        self.error = error
