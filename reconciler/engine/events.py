"""How the engine tells its caller what happens while it runs (the CLI prints it)."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.errors import Location


class Events:
    """Hooks with do-nothing defaults; subclass and override what you want to see."""

    def info(self, message: str) -> None:
        """Something worth a line on stderr (where the embedded emulator runs, ...)."""

    def warning(self, message: str) -> None:
        """A warning about the run (an unmanaged-config probe that failed, ...)."""

    def config_warning(self, location: Location, message: str) -> None:
        """A located warning about the desired state."""

    def reading(self, total: int, apps: int) -> Callable[[], None]:
        """``total`` reads of ``apps`` apps start; the callable is called after each."""
        return lambda: None


class RecordingEvents(Events):
    """Passes every event on to ``inner``, and keeps the desired state's warnings
    (``file:line:col: message``) for the plan, so that every output shows them."""

    def __init__(self, inner: Events) -> None:
        self.inner = inner
        self.config_warnings: list[str] = []

    def info(self, message: str) -> None:
        self.inner.info(message)

    def warning(self, message: str) -> None:
        self.inner.warning(message)

    def config_warning(self, location: Location, message: str) -> None:
        self.inner.config_warning(location, message)
        self.config_warnings.append(f"{location}: {message}")

    def reading(self, total: int, apps: int) -> Callable[[], None]:
        return self.inner.reading(total, apps)
