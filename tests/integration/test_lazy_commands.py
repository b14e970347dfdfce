"""The command group imports a command's module only when that command runs.

``reconciler validate`` is run on every commit by pre-commit hooks and CI: it
must not pay for the emulator (starlette, uvicorn) or the other commands.
Each check runs a fresh interpreter, the only way to see what an import costs.
"""

from __future__ import annotations

import subprocess
import sys

from tests.integration.conftest import EXAMPLES

PROBE = """
import sys
from reconciler.cli.main import run
code = run(sys.argv[1:])
prefixes = ("reconciler.", "uvicorn", "starlette", "httpx", "aiohttp", "jsonschema")
loaded = sorted(m for m in sys.modules if m.startswith(prefixes))
print("-- loaded --")
print(code)
print("\\n".join(loaded))
"""


def loaded_by(*args: str) -> tuple[int, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    code, *modules = result.stdout.split("-- loaded --\n")[-1].splitlines()
    return int(code), set(modules)


def test_validate_loads_no_other_command_and_no_emulator() -> None:
    code, modules = loaded_by("-q", "validate", str(EXAMPLES))
    assert code == 0
    assert "reconciler.cli.commands.validate" in modules
    others = {m for m in modules if m.startswith("reconciler.cli.commands.")} - {
        "reconciler.cli.commands",
        "reconciler.cli.commands.validate",
    }
    assert others == set()
    assert not {m for m in modules if m.startswith(("reconciler.emulator", "uvicorn", "starlette"))}


def test_validate_loads_no_http_client_and_no_engine_core() -> None:
    """Loading the desired state does not need the HTTP stack, the apply machinery or
    the renderers: ``validate`` starts in about 0.3 s instead of 0.55 s."""
    for args in (
        ("-q", "validate", str(EXAMPLES)),
        ("-q", "validate", str(EXAMPLES / "apps" / "prod-sg.yaml")),
    ):
        code, modules = loaded_by(*args)
        assert code == 0
        assert not {m for m in modules if m.startswith(("httpx", "aiohttp"))}
        heavy = {
            "reconciler.api.client",
            "reconciler.engine.core",
            "reconciler.engine.review",
            "reconciler.apply.executor",
            "reconciler.render.html",
        }
        assert not heavy & modules


def test_help_lists_every_command_and_loads_them() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("Commands:", 1)[1].split()
    for name in (
        "apply",
        "completion",
        "drift",
        "emulator",
        "import",
        "plan",
        "render",
        "restore",
        "schema",
        "snapshot",
        "validate",
    ):
        assert name in listed


def test_a_command_takes_the_global_options_once_loaded() -> None:
    code, modules = loaded_by("validate", str(EXAMPLES), "-q", "--no-color")
    assert code == 0
    assert "reconciler.cli.commands.plan" not in modules


def test_an_unknown_command_is_a_usage_error_with_exit_1() -> None:
    code, modules = loaded_by("valiate", str(EXAMPLES))
    assert code == 1
    assert not {m for m in modules if m.startswith("reconciler.cli.commands.")} - {
        "reconciler.cli.commands"
    }


def test_plan_loads_no_emulator_no_json_schema_and_no_html_renderer(env: dict[str, str]) -> None:
    """The common commands do not pay for what they do not use (start-up is most of a
    small fleet's plan): no emulator server, no JSON Schema validator, no HTML report
    unless one is asked for."""
    for fmt in ("text", "json"):
        code, modules = loaded_by("-q", "plan", str(EXAMPLES), "--format", fmt)
        assert code in (0, 2)
        assert "reconciler.cli.commands.plan" in modules
        assert "aiohttp" in modules  # it did read the live state
        unused = ("reconciler.emulator", "uvicorn", "starlette", "jsonschema")
        assert not {m for m in modules if m.startswith(unused)}
        assert "reconciler.render.html" not in modules
        assert "reconciler.render.markdown" not in modules
