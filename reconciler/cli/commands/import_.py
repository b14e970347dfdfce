"""``reconciler import``: write one app's live configuration as desired-state YAML."""

from __future__ import annotations

import re
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output
from reconciler.cli.session import engine
from reconciler.desired.models import ENV_NAME_PATTERN
from reconciler.engine import Connection
from reconciler.errors import UsageError
from reconciler.facts.regions import REGIONS
from reconciler.products.catalog import MAX_SDKAPPID, PRODUCT_KEYS
from reconciler.render.yamlout import render_app_yaml, token_env_name

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@click.command("import")
@click.option(
    "--sdkappid", type=click.IntRange(1, MAX_SDKAPPID), required=True, help="The app to import."
)
@click.option("--region", type=click.Choice(REGIONS), required=True, help="The app's data center.")
@click.option("--name", help="App name (and file name); default app-SDKAPPID.")
@click.option(
    "--identifier",
    default="administrator",
    show_default=True,
    help="The App admin account to sign requests as.",
)
@click.option(
    "--secret-key-env",
    metavar="VAR",
    help="Env var holding the secret key (else TRTC_SECRET_KEY_<SDKAPPID>, then TRTC_SECRET_KEY).",
)
@click.option(
    "--product",
    "products",
    multiple=True,
    type=click.Choice(PRODUCT_KEYS),
    help="Only this product. Repeatable.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory to write NAME.yaml into.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@options.backend
@click.pass_obj
def import_command(
    out: Output,
    sdkappid: int,
    region: str,
    name: str | None,
    identifier: str,
    secret_key_env: str | None,
    products: tuple[str, ...],
    out_dir: Path,
    force: bool,
    connection: Connection,
) -> int:
    """Write the live callback configuration of one app as desired-state YAML.

    A live token is never written: the file gets `token_env: VAR`, and the
    command tells which variable to set. A plan right after shows no changes.
    """
    name = f"app-{sdkappid}" if name is None else name
    if not _NAME.match(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '.', '_' or '-'")
    if secret_key_env is not None and not re.fullmatch(ENV_NAME_PATTERN, secret_key_env):
        raise UsageError(  # without the value: it may be the key itself, pasted by mistake
            "--secret-key-env is not an environment variable name: give the name of the "
            "variable that holds the secret key (letters, digits and '_'), not the key"
        )
    path = out_dir / f"{name}.yaml"
    if path.exists() and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    wanted = [p for p in PRODUCT_KEYS if not products or p in products]
    with engine(out, connection) as reconciler:
        configs = reconciler.read_app(
            name=name,
            sdkappid=sdkappid,
            region=region,
            identifier=identifier,
            secret_key_env=secret_key_env,
            products=products,
        )
    token_env = token_env_name(name)
    text = render_app_yaml(
        name=name,
        sdkappid=sdkappid,
        region=region,
        identifier=identifier,
        configs=configs,
        token_env=token_env,
        secret_key_env=secret_key_env,
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}; choose another --out") from None
    found = [p for p in wanted if configs[p] is not None]
    out.info(f"wrote {path} ({len(found)} configured product(s): {', '.join(found) or 'none'})")
    if configs.get("live_token") is not None:
        out.info(
            f"the live token is not written to the file: set {token_env} to it "
            "(from your secret store) before running plan"
        )
    return 0
