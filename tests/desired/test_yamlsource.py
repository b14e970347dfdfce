"""The YAML loader: plain data, locations of nodes and keys, and located YAML errors."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.desired import yamlsource
from reconciler.desired.yamlsource import (
    ShownPaths,
    display_path,
    load_yaml,
    parse_yaml,
    read_text,
)
from reconciler.errors import ConfigErrors, Location

# every test runs with libyaml, and with the pure-Python loader alone
pytestmark = pytest.mark.usefixtures("yaml_loader")


def messages(text: str) -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        parse_yaml(text, "f.yaml")
    return [str(error) for error in caught.value.errors]


def test_data_and_locations_of_values_and_keys() -> None:
    doc = parse_yaml(
        "sdkappid: 1400000001\ncallbacks:\n  call:\n    events:\n      - a\n      - b\n",
        "f.yaml",
    )
    assert doc.data == {"sdkappid": 1400000001, "callbacks": {"call": {"events": ["a", "b"]}}}
    assert doc.locations[()] == Location("f.yaml", 1, 1)
    assert doc.locations[("sdkappid",)] == Location("f.yaml", 1, 11)
    assert doc.key_locations[("sdkappid",)] == Location("f.yaml", 1, 1)
    assert doc.key_locations[("callbacks", "call")] == Location("f.yaml", 3, 3)
    assert doc.locations[("callbacks", "call", "events", 1)] == Location("f.yaml", 6, 9)
    assert doc.key_location(("callbacks", "call", "events", 1)) == Location("f.yaml", 6, 9)


def test_flow_collections_have_item_locations() -> None:
    doc = parse_yaml("events: [a, bb, c]\n", "f.yaml")
    assert [doc.locations[("events", i)].column for i in range(3)] == [10, 13, 17]


def test_value_location_falls_back_to_the_nearest_ancestor() -> None:
    doc = parse_yaml("a:\n  b: 1\n", "f.yaml")
    assert doc.value_location(("a", "b", "c", 0)) == Location("f.yaml", 2, 6)
    assert doc.value_location(("zzz",)) == Location("f.yaml", 1, 1)


def test_scalars_are_resolved_like_safe_load() -> None:
    doc = parse_yaml("i: 12\nb: yes\nn: ~\ns: '12'\nf: 1.5\n", "f.yaml")
    assert doc.data == {"i": 12, "b": True, "n": None, "s": "12", "f": 1.5}


def test_anchors_aliases_and_merge_keys() -> None:
    text = "base: &b {url: u, events: [x]}\nmerged:\n  <<: *b\n  events: [y]\nsame: *b\n"
    doc = parse_yaml(text, "f.yaml")
    assert doc.data["merged"] == {"url": "u", "events": ["y"]}
    assert doc.data["same"] == {"url": "u", "events": ["x"]}
    # A merged value is located where it is written: in the anchored mapping.
    assert doc.locations[("merged", "url")] == Location("f.yaml", 1, 16)
    assert doc.locations[("merged", "events")] == Location("f.yaml", 4, 11)


def test_merge_of_a_list_of_mappings_earlier_wins() -> None:
    text = "a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*a, *b]\n"
    assert parse_yaml(text, "f.yaml").data["c"] == {"k": 1, "j": 3}


def test_merge_of_a_scalar_is_an_error() -> None:
    assert messages("a: 1\nb:\n  <<: 5\n") == [
        "f.yaml:3:7: a merge key (<<) takes a mapping or a list of mappings, e.g. `<<: *defaults`"
    ]


def test_duplicate_keys_name_both_lines_and_all_are_reported() -> None:
    assert messages("a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\n") == [
        "f.yaml:3:1: key 'a' is written twice (lines 1 and 3): keep one of them",
        "f.yaml:6:3: key 'x' is written twice (lines 5 and 6): keep one of them",
    ]


def test_syntax_error_is_located_at_the_problem_mark() -> None:
    assert messages("a:\n  b: 1\n c: 2\n") == [
        "f.yaml:3:2: invalid YAML: expected <block end>, but found '<block mapping start>' "
        "(while parsing a block mapping on line 1): check the indentation"
    ]


def test_tab_indentation_says_so() -> None:
    (message,) = messages("a:\n\tb: 1\n")
    assert message.startswith("f.yaml:2:1: invalid YAML: ")
    assert message.endswith(": indent with spaces, not tabs")


def test_undefined_alias() -> None:
    (message,) = messages("a: *nope\n")
    assert message.startswith("f.yaml:1:4: invalid YAML: found undefined alias 'nope'")


def test_empty_and_comment_only_files() -> None:
    expected = [
        "f.yaml:1:1: file is empty: write its settings (see `reconciler schema`), "
        "or delete the file"
    ]
    assert messages("") == expected
    assert messages("# just a comment\n\n") == expected


def test_too_many_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_NODES", 20)
    text = "a: &a [1, 2, 3, 4]\nb: &b [*a, *a, *a]\nc: [*b, *b]\n"
    (message,) = messages(text)
    assert message.endswith(
        "the file expands to more than 20 YAML nodes (aliases?): write the data out plainly"
    )


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    (message,) = messages("\n".join(lines) + "\n")
    assert "expands to more than 100000 YAML nodes" in message


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("sdkappid: 2020-02-30\n", 11, "'2020-02-30' as !!timestamp (day is out of range"),
        ("sdkappid: !!int 'abc'\n", 11, "'abc' as !!int (invalid literal for int()"),
        ("when: 2020-13-01 10:00:00\n", 7, "as !!timestamp (month must be in 1..12)"),
        ('sdkappid: !!int ""\n', 11, "'' as !!int:"),  # IndexError inside PyYAML
        ('sdkappid: !!int "-"\n', 11, "'-' as !!int:"),
        ('sdkappid: !!float ""\n', 11, "'' as !!float:"),
        ('on: !!bool "maybe"\n', 5, "'maybe' as !!bool:"),  # KeyError inside PyYAML
        ('at: !!timestamp "nope"\n', 5, "'nope' as !!timestamp:"),  # AttributeError
        ("n: " + "9" * 5000 + "\n", 4, "'" + "9" * 37 + "...' as !!int ("),
    ],
)
def test_values_yaml_cannot_build_are_located(text: str, column: int, words: str) -> None:
    (message,) = messages(text)
    assert message.startswith(f"f.yaml:1:{column}: cannot read the value ")
    assert words in message
    assert message.endswith("quote it if it is text, or correct it")
    assert len(message) < 200


def test_deep_nesting_is_refused_with_a_location() -> None:
    (shallow,) = messages("x: " + "[" * 80 + "]" * 80 + "\n")
    assert shallow.startswith("f.yaml:1:68: lists and mappings nest more than 64 levels deep")
    # Deeper than Python's recursion limit: PyYAML's composer itself gives up, somewhere
    # inside the brackets; the error points there, not at the top of the file.
    (deep,) = messages("x: " + "[" * 5000 + "]" * 5000 + "\n")
    line, column, rest = deep.split(":", 3)[1:]
    assert (line, rest) == (
        "1",
        " lists and mappings nest more than 64 levels deep: "
        "desired state is a few levels deep; flatten the data",
    )
    assert 4 < int(column) <= 5004


def test_chained_merge_keys_are_refused_as_too_deep() -> None:
    lines = ["a0: &a0 {k: 1}"] + [f"a{i}: &a{i} {{<<: *a{i - 1}}}" for i in range(1, 3000)]
    (message,) = messages("\n".join(lines) + "\n")
    assert "lists and mappings nest more than 64 levels deep" in message


def test_exponential_merge_keys_are_refused_quickly() -> None:
    lines = ["a0: &a0 {k: 1}"]
    lines += [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, 41)]
    (message,) = messages("\n".join(lines) + "\n")
    assert "expands to more than 100000 YAML nodes" in message


def test_a_file_over_the_size_limit_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlsource, "MAX_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 98 + "\n")
    with pytest.raises(ConfigErrors) as caught:
        load_yaml(path)
    assert str(caught.value).endswith(
        "big.yaml: file is 102 bytes, over the 100-byte limit for a desired-state file: "
        "split it, or check that it is the file you meant"
    )
    path.write_text("a: " + "x" * 96 + "\n")
    assert load_yaml(path).data == {"a": "x" * 96}


def test_utf8_with_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: caf\xc3\xa9\n")
    assert load_yaml(path).data == {"name": "café"}


def test_not_utf8_is_located_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("a: 1\nname: «x»\n".encode() + b"b: \xff\n")
    with pytest.raises(ConfigErrors) as caught:
        load_yaml(path)
    (error,) = caught.value.errors
    assert error.location == Location(str(path), 3, 4)
    assert error.message == (
        "file is not UTF-8 text (byte 0xff cannot be decoded): save it with UTF-8 encoding"
    )


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_yaml(tmp_path / "missing.yaml")
    assert str(caught.value).endswith(
        "missing.yaml: cannot read the file: No such file or directory"
    )


def test_display_path_is_relative_to_cwd_when_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "apps").mkdir()
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "apps" / "a.yaml") == os.path.join("apps", "a.yaml")
    assert display_path(Path("apps/a.yaml")) == os.path.join("apps", "a.yaml")
    monkeypatch.chdir(tmp_path / "apps")
    # Above the current directory: shown as given, not as ../../
    assert display_path(tmp_path / "b.yaml") == str(tmp_path / "b.yaml")
    assert display_path("../b.yaml") == "../b.yaml"
    # the directory itself, a sibling sharing its name as a prefix, and a detour
    assert display_path(tmp_path / "apps") == "."
    assert display_path(str(tmp_path / "apps") + "x/c.yaml") == str(tmp_path / "apps") + "x/c.yaml"
    assert display_path(f"{tmp_path}/apps/../apps/d.yaml") == "d.yaml"
    assert display_path("./e/../f.yaml") == "f.yaml"


SEGMENTS = st.sampled_from(["apps", "b", "..", ".", "", "apps.yaml"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.sampled_from(["", "./", "../", "/", "ROOT/", "ROOT/apps/", "ROOT/appsx/"]),
    parts=st.lists(SEGMENTS, max_size=5),
    name=st.sampled_from(["a.yaml", "..", ".", "b.yml"]),
    where=st.sampled_from(["", "apps"]),
)
def test_shown_paths_show_every_file_as_display_path_does(
    start: str, parts: list[str], name: str, where: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        (root / "apps").mkdir()
        text = start.replace("ROOT/", f"{root}/") + "/".join([*parts, name])
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(root / where)
            shown = ShownPaths()
            assert shown(Path(text)) == display_path(Path(text))
            assert shown(Path(text)) == display_path(Path(text))  # from its cache too


def test_an_empty_file_and_one_at_the_size_limit_are_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlsource, "MAX_BYTES", 100)
    path = tmp_path / "a.yaml"
    path.write_text("")
    assert read_text(path) == (str(path), "")
    path.write_text("a: " + "x" * 96 + "\n")
    assert read_text(path, "shown.yaml") == ("shown.yaml", "a: " + "x" * 96 + "\n")


def test_a_file_that_is_not_regular_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "a.yaml"
    os.mkfifo(fifo)  # its size is 0 until read: read on to the end
    text = "a: " + "x" * 70_000 + "\n"

    def write(text: str) -> None:
        with contextlib.suppress(BrokenPipeError):  # the reader stops at the limit
            fifo.write_text(text)

    writer = threading.Thread(target=write, args=(text,))
    writer.start()
    try:
        assert read_text(fifo) == (str(fifo), text)
    finally:
        writer.join()
    monkeypatch.setattr(yamlsource, "MAX_BYTES", 100)
    writer = threading.Thread(target=write, args=(text,))
    writer.start()
    try:
        with pytest.raises(ConfigErrors) as caught:
            read_text(fifo)
    finally:
        writer.join()
    assert "over the 100-byte limit" in str(caught.value)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
def test_a_valid_file_is_parsed_by_libyaml_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []

    class Counting(yaml.CSafeLoader):  # type: ignore[misc]
        def __init__(self, text: str) -> None:
            parsed.append(text)
            super().__init__(text)

    def no_python_loader(text: str) -> None:
        raise AssertionError("the pure-Python loader ran on a valid file")

    monkeypatch.setattr(yamlsource, "FAST_LOADER", Counting)
    monkeypatch.setattr(yamlsource.yaml, "SafeLoader", no_python_loader)
    doc = parse_yaml("a:\n  - b\n", "f.yaml")
    assert parsed == ["a:\n  - b\n"]
    assert doc.data == {"a": ["b"]}
    assert doc.locations[("a", 0)] == Location("f.yaml", 2, 5)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
def test_a_file_libyaml_refuses_gets_the_pure_python_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yamlsource, "FAST_LOADER", yaml.CSafeLoader)
    with pytest.raises(yaml.YAMLError):
        yaml.CSafeLoader("a: [b\n").get_single_node()
    assert messages("a: [b\n") == [
        "f.yaml:2:1: invalid YAML: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence on line 1): close the [ ] list"
    ]


# -- what the parser notes for the later stages, in the same pass ------------------------

TAGGED_SCALARS = [
    "plain",
    "1500000000",
    "0",
    "0o17",
    "-3",
    "1.5",
    ".inf",
    "-.Inf",
    ".nan",
    "1e3",
    "true",
    "False",
    "yes",
    "off",
    "null",
    "~",
    "",
    "2020-01-01",
    "2020-01-01 10:00:00",
    "'1'",
    '"true"',
    "!!str 5",
    "!!int 5",
    "9999999999999999999",
]


@pytest.mark.parametrize("scalar", TAGGED_SCALARS)
def test_values_are_what_pyyaml_safe_load_makes(scalar: str) -> None:
    text = f"a: {scalar}\nb: [{scalar}]\n"
    assert parse_yaml(text, "f.yaml").data == yaml.safe_load(text)


@pytest.mark.parametrize(
    "scalar", ["012", "0x1f", "0b11", "1_000", "+7", "190:20:30", "!!int 0x1f"]
)
def test_integers_in_a_yaml_1_1_form_are_refused_not_read(scalar: str) -> None:
    # PyYAML reads 190:20:30 as 685230 and 012 as 10 (issue 20, L9): located errors here
    with pytest.raises(ConfigErrors) as raised:
        parse_yaml(f"a: {scalar}\n", "f.yaml")
    (error,) = raised.value.errors
    assert str(error).startswith(f"f.yaml:1:4: the number '{scalar.split()[-1]}' is written")
    assert "write it in plain decimal digits" in error.message


def test_strings_holding_control_characters_are_noted_where_they_are() -> None:
    doc = parse_yaml('a: ok\n"k\\x1b": [x, "y\\u202e"]\nc: {d: "\\a"}\n', "f.yaml")
    assert doc.unsafe == ((("k\x1b",), True), (("k\x1b", 1), False), (("c", "d"), False))
    assert parse_yaml("a: [x, y]\nb: {c: d}\n", "f.yaml").unsafe == ()


@pytest.mark.parametrize(
    ("text", "braces"),
    [
        ("a: x\nb: [y]\n", False),
        ("a: {b: c}\n", False),  # a flow mapping is no brace in a value
        ("a: x\nb:\n  - https://h/{sdkappid}\n", True),
        ("a: '}'\n", True),
        ("'{k}': v\n", False),  # keys are never expanded
        ("a: !!str '{x}'\n", True),
    ],
)
def test_the_parser_says_whether_a_value_holds_a_brace(text: str, braces: bool) -> None:
    assert parse_yaml(text, "f.yaml").braces is braces


def test_merged_and_aliased_strings_are_noted_at_each_place() -> None:
    doc = parse_yaml('base: &b {u: "x\\ay"}\nuse:\n  <<: *b\n  v: "{n}"\n', "f.yaml")
    assert doc.unsafe == ((("base", "u"), False), (("use", "u"), False))
    assert doc.braces is True


def test_control_characters_noted_by_the_parser_are_those_a_walk_finds() -> None:
    from reconciler.desired.characters import control_character_errors

    doc = parse_yaml('a: ok\n"k\\x1b": [x, "y\\u202e"]\nc: {url: "\\a"}\n', "f.yaml")
    in_memory = yamlsource.YamlDocument(doc.path, doc.data, doc.locations, doc.key_locations)
    assert in_memory.unsafe is None
    found = [str(e) for e in control_character_errors(doc)]
    assert found == [str(e) for e in control_character_errors(in_memory)]
    assert [f.split(": ", 1)[0] for f in found] == ["f.yaml:2:1", "f.yaml:2:14", "f.yaml:3:10"]
    assert "`url` holds the control character \\x07" in found[2]
