"""Screens that follow what other terminals do: every 2 s they ask for the newest event id (one
index lookup) and reload only when the log has grown."""

from __future__ import annotations

from clerk_tui.services.queue import last_event_id
from clerk_tui.ui.calls import CallFailed, ServiceCalls


class FollowsHall(ServiceCalls):
    """Mixin for a Screen with a ``load()`` method (or its own ``hall_changed``); call
    ``self.follow()`` in ``on_mount``."""

    POLL_SECONDS = 2.0

    def hall_changed(self) -> None:
        """Called on the UI thread when another terminal has written something."""
        self.load()

    def follow(self) -> None:
        self.set_interval(self.POLL_SECONDS, self.poll)

    def poll(self) -> None:
        self.call_service("poll", lambda: last_event_id(self.app.engine), exclusive=True)

    def poll_done(self, newest: int) -> None:
        if newest != getattr(self, "seen_event", None):  # the first poll reloads too: something may
            self.seen_event = newest  # have happened since the screen opened
            self.hall_changed()

    def poll_failed(self, failure: CallFailed) -> None:
        """The next poll tries again."""
