"""办件: lawful intake (即办, 受理, 补正, 不予受理), the lifecycle, the deadline watch, the case owner
(首办人) and handover, and lookup. Every change is one transaction with an event row whose subject
is the case number; the rules themselves live in domain/cases.py.

One module per use case group: ``intake``, ``lifecycle`` and ``lookups``; ``model`` holds what they
take and give, ``steps`` what they share. This package re-exports the public API, so callers import
from ``clerk_tui.services.cases``.
"""

from clerk_tui.services.cases.intake import intake
from clerk_tui.services.cases.lifecycle import (
    acknowledge,
    complete,
    deliver,
    extend,
    handover,
    recompute_provisional,
    resume,
    returned,
    send_back,
    start,
    supplement,
    suspend,
    withdraw,
)
from clerk_tui.services.cases.lookups import (
    FILTERS,
    RiskSummary,
    case_view,
    get_case,
    list_cases,
    my_risks,
    notice_materials,
    read_case,
)
from clerk_tui.services.cases.model import (
    ACCEPT,
    APPROVED,
    DECISIONS,
    DELIVERY_NAMES,
    DENIED,
    FORMS,
    IMMEDIATE,
    ORGANISATION,
    PERSON,
    REJECT,
    RESULT_NAMES,
    SUPPLEMENT,
    Agent,
    Applicant,
    CaseRules,
    CaseView,
    IntakeRequest,
    MaterialEntry,
    MaterialLine,
    Override,
)
from clerk_tui.services.cases.steps import case_by_number

__all__ = [
    "ACCEPT",
    "APPROVED",
    "DECISIONS",
    "DELIVERY_NAMES",
    "DENIED",
    "FILTERS",
    "FORMS",
    "IMMEDIATE",
    "ORGANISATION",
    "PERSON",
    "REJECT",
    "RESULT_NAMES",
    "SUPPLEMENT",
    "Agent",
    "Applicant",
    "CaseRules",
    "CaseView",
    "IntakeRequest",
    "MaterialEntry",
    "MaterialLine",
    "Override",
    "RiskSummary",
    "acknowledge",
    "case_by_number",
    "case_view",
    "complete",
    "deliver",
    "extend",
    "get_case",
    "handover",
    "intake",
    "list_cases",
    "my_risks",
    "notice_materials",
    "read_case",
    "recompute_provisional",
    "resume",
    "returned",
    "send_back",
    "start",
    "supplement",
    "suspend",
    "withdraw",
]
