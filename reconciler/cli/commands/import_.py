"""``reconciler import``: write the live configuration of one app, or of a fleet, as
desired-state YAML (one file per app, or YAML on stdout with ``--out -``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from reconciler.cli import options
from reconciler.cli.import_factor import check_target, write_factored
from reconciler.cli.import_list import (
    ImportTarget,
    check_unique_names,
    from_flags,
    is_key_variable_name,
    parse_apps_file,
)
from reconciler.cli.output import Output
from reconciler.cli.session import Progress, engine
from reconciler.clicktypes import RegionChoice
from reconciler.configs import Config
from reconciler.credentials import CredentialSource
from reconciler.desired.authoring import inherited
from reconciler.desired.yamlsource import display_path
from reconciler.engine import Connection
from reconciler.engine.core import ImportRequest
from reconciler.errors import CredentialsError, UsageError
from reconciler.escape import escape
from reconciler.facts.regions import canonical_region
from reconciler.fetch import CannotHave
from reconciler.products.catalog import MAX_SDKAPPID, Kind, of_kind
from reconciler.render.factor import FleetApp
from reconciler.render.overrideyaml import render_override_yaml
from reconciler.render.yamlout import render_app_yaml, token_env_name

STDOUT = "-"


@dataclass(frozen=True)
class Imported:
    target: ImportTarget
    configs: dict[str, Config | None] | None  # None: failed
    error: str = ""
    unavailable: tuple[CannotHave, ...] = ()  # products the app cannot have: not written


def _token_is_held(name: str, credentials: CredentialSource) -> bool:
    """Whether the live token variable ``import`` names for app ``name`` is set (in the
    environment or the secrets bundle): then the file manages the token through it,
    else only the on/off switch."""
    try:
        credentials.token(token_env_name(name), where=name)
    except CredentialsError:
        return False
    return True


def _render(
    result: Imported,
    held: frozenset[str],
    identifier: str,
    secret_key_env: str | None,
    templates: tuple[str, ...] = (),
    base: tuple[dict[str, Any], object] | None = None,
) -> str:
    t = result.target
    assert result.configs is not None
    identifier = t.identifier or identifier
    secret_key_env = t.secret_key_env or secret_key_env
    manage_token = t.name in held
    if base is not None:
        return render_override_yaml(
            name=t.name,
            sdkappid=t.sdkappid,
            region=t.region,
            identifier=identifier,
            templates=templates,
            inherited=base[0],
            inherited_region=base[1],
            configs=result.configs,
            token_env=token_env_name(t.name),
            secret_key_env=secret_key_env,
            manage_token=manage_token,
        )
    return render_app_yaml(
        name=t.name,
        sdkappid=t.sdkappid,
        region=t.region,
        identifier=identifier,
        configs=result.configs,
        token_env=token_env_name(t.name),
        secret_key_env=secret_key_env,
        manage_token=manage_token,
    )


@click.command("import")
@click.option(
    "--sdkappid",
    "sdkappids",
    type=click.IntRange(1, MAX_SDKAPPID),
    multiple=True,
    help="An app to import. Repeatable (all in --region).",
)
@click.option(
    "--region",
    type=RegionChoice(),
    help="The --sdkappid apps' data center (Tencent's names such as ap-singapore too).",
)
@click.option("--name", help="App name (and file name) for one --sdkappid; default app-SDKAPPID.")
@click.option(
    "--apps-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Import the apps listed in FILE, one `sdkappid region [name] "
    "[identifier=NAME] [secret_key_env=VAR]` per line (# starts a comment); the two "
    "columns override --identifier and --secret-key-env for that app. Instead of --sdkappid.",
)
@click.option(
    "--identifier",
    default="administrator",
    show_default=True,
    help="The App admin account to sign requests as.",
)
@click.option(
    "--secret-key-env",
    metavar="VAR",
    help="The variable (environment or secrets bundle) holding the secret key, written as "
    "`secret_key_env`; without it TRTC_SECRET_KEY_<SDKAPPID>, then TRTC_SECRET_KEY.",
)
@click.option(
    "--product",
    "products",
    multiple=True,
    type=options.ProductChoice(),
    help="Only this product. Repeatable.",
)
@click.option(
    "--out",
    "out_dir",
    default=".",
    show_default=True,
    metavar="DIR|-",
    help="Directory to write NAME.yaml into; `-` writes the YAML to stdout instead.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--template",
    "templates",
    multiple=True,
    metavar="NAME",
    help="Write each app as `use: [NAME]` plus only what differs from the defaults.yaml "
    "files of --out (and its parents) and this template. Repeatable, in `use` order.",
)
@click.option(
    "--factor",
    is_flag=True,
    help="Write the fleet as a DRY layout into --out: a defaults.yaml for what all apps "
    "share (with templates for product configurations several apps repeat), "
    "REGION/defaults.yaml for what a region's apps share (a {host} var for their URLs' "
    "host), and REGION/NAME.yaml with only what is the app's own. It loads to the same "
    "apps as the flat files. --out must hold no other desired-state files.",
)
@options.backend
@click.pass_obj
def import_command(
    out: Output,
    sdkappids: tuple[int, ...],
    region: str | None,
    name: str | None,
    apps_file: Path | None,
    identifier: str,
    secret_key_env: str | None,
    products: tuple[str, ...],
    out_dir: str,
    force: bool,
    templates: tuple[str, ...],
    factor: bool,
    connection: Connection,
) -> int:
    """Write the live callback configuration of apps as desired-state YAML.

    One app (--sdkappid N --region R [--name NAME]), several (--sdkappid repeated),
    or a fleet listed in --apps-file; apps are read concurrently. An app that cannot
    be read fails alone: the others are written, and the exit code is 1.

    A live token is never written. When its variable LIVE_WEBHOOK_TOKEN_<NAME> is
    set, the file gets `token_env: LIVE_WEBHOOK_TOKEN_<NAME>` (the token is managed
    through it); when it is not, the file gets `enabled` alone: only the on/off
    switch is managed and the token stays as set in Tencent. A plan right after
    shows no changes. Existing files are never overwritten without --force.

    --factor writes the fleet as defaults.yaml (what all apps share, and templates),
    REGION/defaults.yaml and REGION/NAME.yaml (only what is the app's own), checked
    to load to the same apps as the flat files.
    """
    targets = _targets(sdkappids, region, name, apps_file, secret_key_env)
    to_stdout = out_dir == STDOUT
    directory = Path(out_dir)
    if factor:
        check_target(None if to_stdout else directory, targets, force, templates)
    elif not to_stdout:
        _check_existing(directory, targets, force)
    # before any request: an unknown template or a broken defaults.yaml stops here
    folder = Path(".") if to_stdout else directory
    bases = (
        {t.name: _inheritance(folder, t.name, t.sdkappid, t.region, templates) for t in targets}
        if templates
        else {}
    )
    results, held_tokens = _read(out, connection, targets, identifier, secret_key_env, products)
    done = [r for r in results if r.configs is not None]
    if factor:
        apps = [_fleet_app(r, held_tokens, identifier, secret_key_env) for r in done]
        write_factored(out, directory, apps)
    else:
        texts = [
            _render(r, held_tokens, identifier, secret_key_env, templates, bases.get(r.target.name))
            for r in done
        ]
        _write_flat(out, directory if not to_stdout else None, done, texts)
    _report_unavailable(out, done)
    _report_tokens(out, done, held_tokens)
    return _report_failed(out, results)


def _targets(
    sdkappids: tuple[int, ...],
    region: str | None,
    name: str | None,
    apps_file: Path | None,
    secret_key_env: str | None,
) -> list[ImportTarget]:
    """The apps to import, from the flags or --apps-file; each name once."""
    if bool(sdkappids) == (apps_file is not None):
        raise UsageError("give --sdkappid (with --region) or --apps-file FILE, one of the two")
    if apps_file is not None and (region or name):
        raise UsageError("--region and --name go with --sdkappid; --apps-file lists its own")
    if secret_key_env is not None and not is_key_variable_name(secret_key_env):
        raise UsageError(  # without the value: it may be the key itself, pasted by mistake
            "--secret-key-env is not an environment variable name: give the name of the "
            "variable that holds the secret key (letters, digits and '_'), not the key"
        )
    targets = parse_apps_file(apps_file) if apps_file else from_flags(sdkappids, region, name)
    check_unique_names(targets)
    return targets


def _read(
    out: Output,
    connection: Connection,
    targets: list[ImportTarget],
    identifier: str,
    secret_key_env: str | None,
    products: tuple[str, ...],
) -> tuple[list[Imported], frozenset[str]]:
    """Every app's live configuration, read concurrently (a failure is its app's alone),
    and the names of the read apps whose live token variable is set: both with the
    run's one reading of the environment and the secrets bundle."""
    progress = Progress(out, "importing", len(targets), len(targets))
    with engine(out, connection) as reconciler:
        read = reconciler.read_apps(
            [
                ImportRequest(t.sdkappid, t.region, t.name, t.identifier, t.secret_key_env)
                for t in targets
            ],
            identifier=identifier,
            secret_key_env=secret_key_env,
            products=products,
            on_app_done=progress.step,
        )
        held = frozenset(
            r.app.name
            for r in read
            if r.configs is not None and _token_is_held(r.app.name, reconciler.credentials)
        )
    results = [
        Imported(t, r.configs, r.error, r.unavailable) for t, r in zip(targets, read, strict=True)
    ]
    return results, held


def _report_unavailable(out: Output, done: list[Imported]) -> None:
    """A warning per product an app cannot have (not written)."""
    for result in done:
        for cannot in result.unavailable:
            t = result.target
            out.warn(
                f"{escape(t.name)} ({t.sdkappid}): {cannot.resource.product} not written: "
                f"{escape(cannot.reason)}"
            )


def _report_tokens(out: Output, done: list[Imported], held_tokens: frozenset[str]) -> None:
    """How each imported live token is managed: through its variable, or its switch only."""
    token_products = of_kind(Kind.TOKEN)
    tokens = [
        r.target.name
        for r in done
        if r.configs is not None and any(r.configs.get(k) is not None for k in token_products)
    ]
    held = [token_env_name(n) for n in tokens if n in held_tokens]
    switch_only = [n for n in tokens if n not in held_tokens]
    if held:
        out.info(
            "live tokens are not written to the files: they are managed through "
            f"{', '.join(held)}; keep them set (from your secret store) for plan and apply"
        )
    if switch_only:
        one = len(switch_only) == 1
        out.info(
            f"live token{'' if one else 's'} of {', '.join(switch_only)}: only "
            f"{'its' if one else 'their'} on/off switch (`enabled`) is managed, the token "
            f"stays as set in Tencent (not set: "
            f"{', '.join(token_env_name(n) for n in switch_only)}). To manage a token too, "
            f"add `token_env: VAR` under its {' / '.join(token_products)} and set VAR to the token"
        )


def _report_failed(out: Output, results: list[Imported]) -> int:
    """The apps that could not be imported; the exit code (1 if any)."""
    failed = [r for r in results if r.configs is None]
    for result in failed:
        t = result.target
        out.error(f"{t.name} ({t.sdkappid}, {t.where}): not imported: {result.error}")
    if not failed:
        return 0
    out.error(
        f"{len(failed)} of {len(results)} app(s) could not be imported (above); "
        f"{len(results) - len(failed)} written"
    )
    return 1


def _check_existing(directory: Path, targets: list[ImportTarget], force: bool) -> None:
    """Refuse, before any request, to overwrite a file without ``--force``."""
    existing = [directory / f"{t.name}.yaml" for t in targets]
    existing = [p for p in existing if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise UsageError(f"{shown}{more} exists; pass --force to overwrite")


def _write_flat(
    out: Output, directory: Path | None, done: list[Imported], texts: list[str]
) -> None:
    """One file per app into ``directory`` (None: the YAML to stdout)."""
    if directory is None:
        if texts:
            out.result("---\n".join(texts))
    else:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for result, text in zip(done, texts, strict=True):
                (directory / f"{result.target.name}.yaml").write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write into {directory}: {exc.strerror}; choose another --out"
            ) from None
    for result in done:
        assert result.configs is not None
        found = [p for p, c in result.configs.items() if c is not None]
        where = "stdout" if directory is None else str(directory / f"{result.target.name}.yaml")
        out.info(
            f"wrote {where} ({len(found)} configured product(s): {', '.join(found) or 'none'})"
        )


def _fleet_app(
    result: Imported, held: frozenset[str], identifier: str, secret_key_env: str | None
) -> FleetApp:
    t = result.target
    assert result.configs is not None
    return FleetApp(
        name=t.name,
        sdkappid=t.sdkappid,
        region=t.region,
        identifier=t.identifier or identifier,
        secret_key_env=t.secret_key_env or secret_key_env,
        configs=result.configs,
        token_env=token_env_name(t.name),
        manage_token=t.name in held,
    )


def _inheritance(
    folder: Path, name: str, sdkappid: int, region: str, templates: tuple[str, ...]
) -> tuple[dict[str, Any], object]:
    """What the app gets from its defaults and templates, and the region they give."""
    skeleton: dict[str, Any] = {"name": name, "sdkappid": sdkappid, "use": list(templates)}
    shown = display_path(folder / f"{name}.yaml")
    given_region = inherited(folder, skeleton, shown).get("region")
    if isinstance(given_region, str):  # defaults may write Tencent's name (ap-singapore)
        given_region = canonical_region(given_region) or given_region
    return inherited(folder, {**skeleton, "region": region}, shown), given_region
