"""One way for the UI to call a service: the call runs in a thread worker (the UI never blocks on
the database or a printer), and what comes back is a typed Message on the UI thread —
``CallSucceeded`` with the result or ``CallFailed`` with the error. A screen states what it
wants (``self.call_service("load", …)``) and renders what comes back (``load_done(result)``);
one handler, ``on_call_failed``, turns every error into words (services.errors.person_error)
and puts them where the screen shows errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from clerk_tui.ui.messages import error_text


class CallSucceeded(Message):
    """A service call named ``kind`` returned ``result``."""

    def __init__(self, kind: str, result: Any) -> None:
        super().__init__()
        self.kind, self.result = kind, result


class CallFailed(Message):
    """A service call named ``kind`` raised ``error``; ``title`` heads the words shown for it."""

    def __init__(self, kind: str, error: BaseException, title: str = "") -> None:
        super().__init__()
        self.kind, self.error, self.title = kind, error, title

    @property
    def text(self) -> str:
        """The words a person sees for the error (never a traceback)."""
        return error_text(self.error)


class ServiceCalls:
    """Mixin for a Screen, a dialog or the App.

    ``call_service(kind, fn, …)`` runs ``fn(*args, **kwargs)`` in a thread worker (group ``kind``
    unless given). On success ``<kind>_done(result)`` runs on the UI thread; on failure
    ``<kind>_failed(failure)`` if the screen has one (a poll that just tries again, a load that
    says so in place of the content), else ``show_failure(failure)``: the screen's error line
    for an error that needs the clerk to act (``App.notify`` puts it there and keeps it until the
    next success), a toast where the screen has no error line; a dialog shows it inside itself.
    """

    def call_service(
        self,
        kind: str,
        fn: Callable[..., Any],
        *args: Any,
        exclusive: bool = False,
        group: str | None = None,
        title: str = "",
        **kwargs: Any,
    ) -> Worker:
        def run() -> None:
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # any error comes back as CallFailed: words, never a crash
                self.post_message(CallFailed(kind, exc, title))
            else:
                self.post_message(CallSucceeded(kind, result))

        return self.run_worker(
            run, name=kind, group=group or kind, thread=True, exclusive=exclusive, exit_on_error=False
        )

    def on_call_succeeded(self, message: CallSucceeded) -> None:
        message.stop()
        done = getattr(self, f"{message.kind}_done", None)
        if done is not None and self._still_shown():
            done(message.result)

    def on_call_failed(self, message: CallFailed) -> None:
        message.stop()
        if not self._still_shown():
            return
        failed = getattr(self, f"{message.kind}_failed", None)
        if failed is not None:
            failed(message)
        else:
            self.show_failure(message)

    def _still_shown(self) -> bool:
        """A screen that was closed while its call ran has nothing left to show the result on."""
        if isinstance(self, Screen):
            return self.is_attached and self in self.app.screen_stack
        return True

    def show_failure(self, failure: CallFailed) -> None:
        self.app.notify(failure.text, title=failure.title, severity="error", markup=False)
