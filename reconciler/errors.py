"""One exception base for everything the tool reports to a user.

Every subclass carries a message that says what went wrong and what to do about
it; the CLI prints ``str(error)`` and exits with ``exit_code`` (1, or 130 for an
interruption). Anything that is not a
:class:`ReconcilerError` is a bug in this tool.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.escape import escape


class ReconcilerError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = 1


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column (column may be 0 = unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        path = escape(self.path)  # a file name may hold a line break, ESC or `::`
        if self.line <= 0:
            return path
        if self.column <= 0:
            return f"{path}:{self.line}"
        return f"{path}:{self.line}:{self.column}"


class ConfigError(ReconcilerError):
    """Invalid desired state or seed file. Always located: ``file:line:col: message``."""

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


class ConfigErrors(ReconcilerError):
    """Several :class:`ConfigError`, reported together so a user fixes them in one pass."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = sorted(
            errors, key=lambda e: (e.location.path, e.location.line, e.location.column)
        )
        super().__init__("\n".join(str(e) for e in self.errors))


class CredentialsError(ReconcilerError):
    """A secret key or token could not be found in the environment."""


class EndpointError(ReconcilerError):
    """An unusable endpoint or region (e.g. plain http to a non-loopback host)."""


class UsageError(ReconcilerError):
    """Command-line options that do not fit together."""


class OutputError(ReconcilerError):
    """Standard output cannot be written (a full disk, a closed pipe)."""


class TransportError(ReconcilerError):
    """The request did not get an answer (network fault, timeout, HTTP 5xx) after all retries."""

    retryable = True  # False for a fault that retrying would only repeat (a missed deadline)


class MalformedResponseError(ReconcilerError):
    """The server answered something that is not the documented envelope."""


class ApiError(ReconcilerError):
    """Tencent answered with a non-zero error code."""

    def __init__(
        self,
        *,
        code: int,
        info: str,
        request_id: str,
        command: str,
        sdkappid: int,
        hint: str = "",
    ) -> None:
        self.code = code
        self.info = info
        self.request_id = request_id
        self.command = command
        self.sdkappid = sdkappid
        self.hint = hint
        detail = info or "(no ErrorInfo)"
        text = f"{command} for sdkappid {sdkappid} failed: ErrorCode {code}: {detail}"
        if request_id:
            text += f" (RequestId {request_id})"
        if hint:
            text += f"; {hint}"
        super().__init__(text)


class PlanFileError(ReconcilerError):
    """A saved plan file that cannot be used (unreadable, edited, wrong version)."""


class UnplannableError(ReconcilerError):
    """A desired state Tencent's API cannot reach from the live one (a switch-only
    live token where no token config exists: creating one needs the token value)."""


class ProductUnavailableError(ReconcilerError):
    """The app cannot have this product's configuration at all (v1 50001: no Group Call
    package). Not "absent": a create would be refused too. Its resource is not planned;
    the app's other products are."""

    def __init__(self, product: str, sdkappid: int, reason: str, remedy: str) -> None:
        self.product = product
        self.sdkappid = sdkappid
        self.reason = reason
        self.remedy = remedy  # what to do where the product is declared
        super().__init__(f"{reason}; {remedy}")


class SafetyError(ReconcilerError):
    """A plan that the safety rails refuse to apply (protect, thresholds)."""


class ApplyInterrupted(ReconcilerError):
    """Ctrl-C (SIGINT) while changes were being written: some may have been applied."""

    exit_code = 130  # 128 + SIGINT, as shells report an interrupted command
    signal = "SIGINT"


class ApplyTerminated(ApplyInterrupted):
    """SIGTERM (a cancelled CI job) while changes were being written."""

    exit_code = 143  # 128 + SIGTERM
    signal = "SIGTERM"
