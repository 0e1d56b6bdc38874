"""The queue (排队叫号): issuing tickets, windows, calling, recalls, no-shows and transfers.

Every function is one use case: it checks the role, changes rows with guarded updates, appends
an event and commits, all in one transaction that retries lock conflicts (services.tx).

One module per use case group: ``issuing`` (取号), ``windows`` (a window's day and its console),
``calling`` (叫号 and what follows), ``reading`` (tickets and the hall board); ``rows`` holds the
ticket view, the lookups by what a person types and the hot path's prebuilt statements. This
package re-exports the public API, so callers import from ``clerk_tui.services.queue``.
"""

from clerk_tui.services.queue.calling import (
    CallResult,
    NextResult,
    call_next,
    call_specific,
    finish_and_call_next,
    finish_service,
    mark_no_show,
    recall,
    rejoin,
    start_service,
    transfer,
    transfer_in,
)
from clerk_tui.services.queue.issuing import issue_in, issue_ticket
from clerk_tui.services.queue.reading import BoardCall, HallBoard, get_ticket, hall_board, last_event_id, list_tickets
from clerk_tui.services.queue.rows import (
    CLOSED,
    OPEN,
    PAUSE_REASONS,
    PAUSED,
    WINDOW_STATUS_NAMES,
    TicketView,
    normalise_number,
    ticket_by_number,
    ticket_view,
    window_by_number,
    window_state,
)
from clerk_tui.services.queue.windows import (
    QueueCount,
    WindowPanel,
    WindowStateView,
    close_window,
    open_window,
    pause_window,
    resume_window,
    window_panel,
    window_states,
)

__all__ = [
    "CLOSED",
    "OPEN",
    "PAUSED",
    "PAUSE_REASONS",
    "WINDOW_STATUS_NAMES",
    "BoardCall",
    "CallResult",
    "HallBoard",
    "NextResult",
    "QueueCount",
    "TicketView",
    "WindowPanel",
    "WindowStateView",
    "call_next",
    "call_specific",
    "close_window",
    "finish_and_call_next",
    "finish_service",
    "get_ticket",
    "hall_board",
    "issue_in",
    "issue_ticket",
    "last_event_id",
    "list_tickets",
    "mark_no_show",
    "normalise_number",
    "open_window",
    "pause_window",
    "recall",
    "rejoin",
    "resume_window",
    "start_service",
    "ticket_by_number",
    "ticket_view",
    "transfer",
    "transfer_in",
    "window_by_number",
    "window_panel",
    "window_state",
    "window_states",
]
