"""Which screen each role works on after login (the app opens it): the guide desk's catalog, the
window console, the supervisor's hall, the administrator's overview."""

from __future__ import annotations

from textual.screen import Screen

from clerk_tui.domain.roles import ADMIN, CLERK, SUPERVISOR
from clerk_tui.services.context import Actor
from clerk_tui.ui.screens.catalog_browser import CatalogBrowser
from clerk_tui.ui.screens.home import HallScreen
from clerk_tui.ui.screens.supervisor import SupervisorScreen
from clerk_tui.ui.screens.window_console import WindowConsole


def home_screen_for(actor: Actor) -> Screen:
    if actor.role == CLERK:
        return WindowConsole()
    if actor.role == SUPERVISOR:
        return SupervisorScreen()
    if actor.role == ADMIN:
        return HallScreen("系统管理 · 大厅概况")
    return CatalogBrowser()  # the guide desk, and any role without a screen of its own
