"""The secrets bundle's parsers: JSON, YAML, dotenv; located errors that quote nothing;
every value remembered as a secret; the file over RECONCILER_SECRETS."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.credentials import EnvironmentCredentials
from reconciler.secret import mask_known
from reconciler.secretsbundle import (
    SecretsBundle,
    SecretsBundleError,
    bundle_from_env,
    parse_dotenv_bundle,
    parse_json_bundle,
    parse_yaml_bundle,
    process_bundle,
    read_secrets_file,
    use_secrets_file,
)


def test_json_yaml_and_dotenv_give_the_same_values() -> None:
    want = {"A": "one value", "B_2": "x#y", "C": "q'uote"}
    assert parse_json_bundle('{"A": "one value", "B_2": "x#y", "C": "q\'uote"}', "j") == want
    assert parse_yaml_bundle("A: one value\nB_2: 'x#y'\nC: \"q'uote\"\n", "y") == want
    dotenv = "# a comment\n\nA='one value'\nexport B_2=x#y\nC=\"q'uote\"\n"
    assert parse_dotenv_bundle(dotenv, "d") == want  # `#` within a value is kept
    assert parse_dotenv_bundle("A=value # a comment\n", "d") == {"A": "value"}
    assert parse_dotenv_bundle('A="two\\nlines"\n', "d") == {"A": "two\nlines"}


def test_every_value_is_remembered_as_a_secret() -> None:
    parse_json_bundle('{"A": "remembered-bundle-value"}', "RECONCILER_SECRETS")
    assert "remembered-bundle-value" not in mask_known("a text with remembered-bundle-value")


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_json_bundle, '{"A": "hidden-1"', "w:1:17: not valid JSON"),
        (parse_json_bundle, '{"A": "hidden-1", "A": "hidden-2"}', "w: A is given twice"),
        (parse_json_bundle, '{"A": null}', "w: the value of A is null, not a string"),
        (parse_json_bundle, '"hidden-1"', "w: not an object of variable name → value (it is a "),
        (parse_yaml_bundle, "- hidden-1\n", "w: not an object of variable name → value (it is a "),
        (parse_yaml_bundle, "A: 'hidden-1\n", "w:2:1: not valid YAML"),
        (parse_yaml_bundle, "A: yes\n", "w:1:4: the value of A is not a string"),
        (parse_yaml_bundle, "hidden-1: x\n", "w:1:1: not an environment variable name"),
        (parse_dotenv_bundle, "hidden-1\n", "w:1:1: expected NAME=value"),
        (parse_dotenv_bundle, "9A=hidden-1\n", "w:1:1: not an environment variable name"),
        (parse_dotenv_bundle, 'A="hidden-1\n', 'w:1:3: the value of A has an unmatched "'),
        (parse_dotenv_bundle, "A=x\nA=hidden-1\n", "w:2:1: A is given twice"),
    ],
)
def test_errors_are_located_and_quote_nothing(parse: object, text: str, message: str) -> None:
    assert callable(parse)
    with pytest.raises(SecretsBundleError) as caught:
        parse(text, "w")
    assert str(caught.value).startswith(message), str(caught.value)
    assert "hidden" not in str(caught.value)


def test_file_format_by_suffix_or_by_look(tmp_path: Path) -> None:
    for file_name, text in (
        ("a.json", '{"A": "v"}'),
        ("a.yml", "A: v\n"),
        ("prod.env", "A=v\n"),
        ("no-suffix-json", ' {"A": "v"}'),
        ("no-suffix-dotenv", "export A=v\n"),
        ("no-suffix-yaml", "A: v\n"),
    ):
        path = tmp_path / file_name
        path.write_text(text)
        bundle = read_secrets_file(path)
        assert dict(bundle.values) == {"A": "v"}, file_name
        assert bundle.origin == f"--secrets-file {path}"


def test_a_file_that_is_not_utf8_or_too_large(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"A": "\xff"}')
    with pytest.raises(SecretsBundleError, match=r"not UTF-8 text \(byte 8\)"):
        read_secrets_file(bad)


def test_the_environment_bundle_and_the_file_over_it() -> None:
    env = {"RECONCILER_SECRETS": '{"A": "from-env", "B": "from-env"}'}
    assert bundle_from_env({}) == SecretsBundle()
    assert bundle_from_env({"RECONCILER_SECRETS": "  "}) == SecretsBundle()
    use_secrets_file(SecretsBundle({"B": "from-file"}, "--secrets-file f"))
    try:
        merged = process_bundle(env)
        assert dict(merged.values) == {"A": "from-env", "B": "from-file"}
        assert merged.origin == "RECONCILER_SECRETS and --secrets-file f"
    finally:
        use_secrets_file(SecretsBundle())


def test_credentials_say_where_a_key_came_from() -> None:
    env = {
        "RECONCILER_SECRETS": '{"TRTC_SECRET_KEY_7": "k-bundle", "T": "t-bundle"}',
        "TRTC_SECRET_KEY_8": "k-env",
    }
    source = EnvironmentCredentials(env)
    assert source.secret_key(7, None, subject="x").reveal() == "k-bundle"
    assert source.key_source(7, None) == "TRTC_SECRET_KEY_7 (via RECONCILER_SECRETS)"
    assert source.key_source(8, None) == "TRTC_SECRET_KEY_8"
    assert source.key_source(9, None) == ""
    assert source.token("T", where="w").reveal() == "t-bundle"
    assert EnvironmentCredentials({**env, "T": "t-env"}).token("T", where="w").reveal() == "t-env"


def test_a_bundle_never_shows_its_values() -> None:
    bundle = SecretsBundle({"A": "shown-nowhere-value"}, "RECONCILER_SECRETS")
    assert "shown-nowhere-value" not in repr(bundle) + str(bundle)


def test_dotenv_double_quotes_unescape_in_one_pass() -> None:
    """An escaped backslash before an n is a backslash and an n, not a newline; an
    escaped quote does not close the value."""
    values = parse_dotenv_bundle('A="C:\\\\new"\nB="a\\"b"\nC="x\\ny"\n', "f")
    assert values == {"A": "C:\\new", "B": 'a"b', "C": "x\ny"}


def test_a_deeply_nested_yaml_file_is_a_clear_error() -> None:
    with pytest.raises(SecretsBundleError, match="nested too deeply"):
        parse_yaml_bundle("[" * 5000, "f")
