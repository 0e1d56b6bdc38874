"""窗口工作台: the clerk's main screen. One F-key per action, remappable; refreshed when other
terminals act (it polls the newest event id)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from clerk_tui.services.cases import my_risks
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.queue import (
    PAUSE_REASONS,
    WindowPanel,
    call_next,
    call_specific,
    finish_and_call_next,
    finish_service,
    mark_no_show,
    pause_window,
    recall,
    resume_window,
    start_service,
    transfer,
    window_panel,
    window_states,
)
from clerk_tui.services.responsibility import list_alerts
from clerk_tui.ui.calls import CallFailed
from clerk_tui.ui.case_text import case_rules, remaining_text
from clerk_tui.ui.dialogs.ticket import FormDialog, PickDialog
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.messages import clip
from clerk_tui.ui.polling import FollowsHall
from clerk_tui.ui.screens.home import _Home
from clerk_tui.ui.screens.intake import IntakeScreen
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar


class WindowConsole(FollowsHall, _Home):
    POLL_SECONDS = 1.0  # the console follows calls at other windows closely
    BINDINGS = both_cases(
        [
            Binding("f3", "next", "下一位", id="console.next", tooltip="办结当前号并叫下一个号（一步完成）"),
            Binding("f5", "call_next", "叫号", id="console.call_next", tooltip="叫下一个号"),
            Binding("f6", "recall", "重呼", id="console.recall", tooltip="重呼当前号（计次）"),
            Binding("f7", "no_show", "过号", id="console.no_show", tooltip="重呼达到次数后标记过号"),
            Binding("f8", "start", "开始", id="console.start", tooltip="当事人已到窗口，开始办理"),
            Binding("f9", "finish", "办结", id="console.finish", tooltip="本次服务办结"),
            Binding("f10", "transfer", "转办", id="console.transfer", tooltip="转到其他队列或窗口，保留号码和取号时间"),
            Binding("f11", "call_specific", "指定", id="console.call_specific", tooltip="指定叫某个号（记录在案）"),
            Binding("f4", "pause", "暂停", id="console.pause", tooltip="暂停服务（需原因）或恢复服务"),
            # Ten keys do not fit an 80-column footer: the navigation keys are in the hint and the palette.
            Binding("f2", "catalog", "检索", id="home.catalog", show=False),
            Binding("f12", "app.logout", "注销", id="app.logout"),  # last: at 80 columns the palette offers it
            Binding("b,B", "cases", "办件", id="home.cases", show=False),
            Binding(
                "s,S",
                "intake",
                "收件受理",
                id="console.intake",
                show=False,
                tooltip="为当前号收件受理（无号时直接受理，如补交材料的申请人）",
            ),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.panel: WindowPanel | None = None
        self.seen_event = -1
        self.last_why = ""

    def compose(self) -> ComposeResult:
        yield StatusBar("窗口工作台")
        with Vertical(id="console"):
            yield Static("正在载入……", id="window-info", classes="home-body")
            with Horizontal(id="console-main"):
                yield Static(Text("当前没有正在办理的号。", style="bold"), id="current-ticket")
                yield Static("", id="queue-counts")
            yield Static("", id="why-line")
            yield Static("", id="case-risks")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.refresh_panel()
        self.follow()

    @property
    def window(self) -> int:
        return self.app.actor.window

    # -------------------------------------------------------------- refreshing

    def hall_changed(self) -> None:
        self.refresh_panel()

    def refresh_panel(self) -> None:
        if self.app.actor is None:
            return  # logged out: the console is on its way off the screen
        app, window = self.app, self.window

        # The panel first: after F5 the called ticket is on screen before the corner's queries
        # (cases at risk, alerts) run, in a call of their own once the panel is shown.
        self.call_service("panel", lambda: window_panel(app.engine, window))

    def panel_done(self, panel) -> None:
        self.show(panel)
        # The corner's queries run once the panel has reached the screen: started now, their
        # thread would compete with drawing it for the interpreter.
        self.call_after_refresh(self.refresh_risks)

    def refresh_risks(self) -> None:
        if self.app.actor is None or not self.is_attached:
            return
        app = self.app

        def risks_and_alerts():
            rules = case_rules(app)
            return (
                my_risks(app.engine, app.actor, rules),
                list_alerts(
                    app.engine, app.actor, staff=app.actor.number, rules_=app.settings.responsibility, case_rules=rules
                ),
            )

        self.call_service("risks", risks_and_alerts)

    def panel_failed(self, failure: CallFailed) -> None:
        self.fail(failure)

    def risks_done(self, result) -> None:
        self.show_risks(*result)

    def risks_failed(self, failure: CallFailed) -> None:
        self.fail(failure)

    def show_risks(self, r, alerts=()) -> None:
        """The clerk's own cases at risk (限时办结制) and handovers waiting for them."""
        text = Text("我的办件：", style="bold")
        text.append(f"红色预警 {r.red} 件", style="bold red" if r.red else "")
        text.append(" · ")
        text.append(f"黄色预警 {r.yellow} 件", style="bold yellow" if r.yellow else "")
        text.append(" · ")
        text.append(f"待我接收 {r.handovers} 件", style="bold magenta" if r.handovers else "")
        others = [a for a in alerts if not a.kind.startswith("case_")]
        text.append("\n我的首问/转交提醒：", style="bold")
        text.append(f"{len(others)} 条", style="bold red" if others else "")
        for a in others[:2]:
            text.append(f"  {a.kind_name}：{a.subject}", style="red")
        text.append("   F1 首问登记 · Ctrl+T 提醒", style="dim")
        for c in r.cases[:3]:
            style = "red" if c.warning == "red" else "yellow"
            left = remaining_text(c.remaining_workdays, long=True)  # 剩余2个工作日 / 超期2个工作日, as the case list
            left = left if left.startswith("超期") else f"剩余{left}"
            # One line per case: the item name gives way (cut with …) so the days left stay on it.
            rest = f"  {c.applicant_name}  承诺{c.due_date:%m-%d}  {left}"
            room = self.query_one("#case-risks", Static).size.width or self.size.width
            item = clip(c.item_name, max(6, room - 2 - cell_len(f"  {c.number}  ") - cell_len(rest)))
            text.append(f"\n  {c.number}  {item}{rest}", style=style)
        self.query_one("#case-risks", Static).update(text)

    def show(self, p: WindowPanel) -> None:
        self.panel = p
        info = Text(f"{p.number}号窗口  {p.name}", style="bold")
        state_style = {"open": "green", "paused": "yellow", "closed": "red"}.get(p.status, "")
        info.append(f"   {p.status_name}", style=f"bold {state_style}")
        if p.pause_reason:
            info.append(f"（{p.pause_reason}）", style=state_style)
        info.append(f"   今日已办 {p.served_today} 人   最长等候 {p.longest_wait_minutes} 分钟")
        self.query_one("#window-info", Static).update(info)

        cur = Text()
        if p.current is None:
            cur.append("当前没有正在办理的号。\n", style="bold")
            cur.append("暂停服务中，按 F4 恢复服务。" if p.status == "paused" else "按 F5 叫下一个号。", style="dim")
            cur.append("\nS 收件受理 · B 办件查询 · F2 检索事项\nF12 注销（关窗） · Ctrl+P 全部命令", style="dim")
        else:
            t = p.current
            cur.append(f" {t.number} ", style="bold reverse")
            cur.append(f"  {t.status_name}", style="bold green" if t.status == "serving" else "bold yellow")
            cur.append(f"\n队列：{t.queue} {t.queue_name}")
            if t.item_name:
                cur.append(f"\n事项：{t.item_name}")
            if t.priority != "none":
                cur.append(f"\n优先：{t.priority_name}", style="bold")
            if t.priority == "referral" and t.note:
                cur.append(f"\n{t.note}", style="bold magenta")  # 首问引导：what the person asked
            cur.append(f"\n取号：{t.issued_at:%H:%M}")
            if t.called_at:
                cur.append(f"   叫号：{t.called_at:%H:%M}")
            if t.recalls:
                cur.append(f"   已重呼 {t.recalls} 次", style="yellow")
            if t.id_number_masked:
                cur.append(f"\n身份证号：{t.id_number_masked}")
            if t.transfers:
                cur.append(f"\n转办：{t.transfer_source}（第{t.transfers}次）原因：", style="bold magenta")
                cur.append(t.transfer_reason, style="magenta")
            cur.append("\nS 收件受理（带入本号事项） · B 办件查询", style="dim")
        self.query_one("#current-ticket", Static).update(cur)

        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("队列")
        table.add_column("等候", justify="right")
        table.add_column("最长", justify="right")
        if p.sent_here:
            table.add_row(Text("转来本窗口", style="magenta"), str(p.sent_here), f"{p.sent_here_wait_minutes}分")
        for q in p.queues:
            table.add_row(
                Text(f"{q.prefix} {q.name}"), str(q.waiting), f"{q.longest_wait_minutes}分" if q.waiting else ""
            )
        self.query_one("#queue-counts", Static).update(table)
        why = p.why or self.last_why
        self.query_one("#why-line", Static).update(
            Text(f"叫号依据：{why}" if why and p.current else "", style="italic")
        )

    # -------------------------------------------------------------- actions

    def _run(self, label: str, func, *args, after=None) -> None:
        """One window action: ``func(engine, actor, *args)`` in a worker; then ``after(result)`` (by
        default a short notice), and the panel is reloaded."""
        if after is None:

            def after(result, label=label) -> None:
                number = getattr(result, "number", "")
                self.app.notify(f"{number} {label}".strip(), timeout=3, markup=False)

        app, window = self.app, self.window

        def act():
            result = func(app.engine, app.actor, *args)
            # The panel is read in the same worker, right after the action: one trip to a thread
            # and back before the result is on screen. Should the read fail, the action still
            # happened; the console reads the panel again on the UI thread's side.
            try:
                panel = window_panel(app.engine, window)
            except Exception:
                panel = None
            return after, result, panel

        self.call_service("act", act, group="action", title=f"{label}未完成")

    def act_done(self, done) -> None:
        after, result, panel = done
        after(result)
        if panel is None:
            self.refresh_panel()
        else:
            self.panel_done(panel)

    def _current_number(self) -> str | None:
        if self.panel is None or self.panel.current is None:
            self.app.notify("当前没有正在处理的号", severity="warning")
            return None
        return self.panel.current.number

    def action_intake(self) -> None:
        t = self.panel.current if self.panel is not None else None
        self.app.push_screen(IntakeScreen(item_code=t.item_code if t else None, ticket=t.number if t else None))

    def action_call_next(self) -> None:
        def called(result) -> None:
            if result.auto_no_show:
                self.app.notify(f"{result.auto_no_show} 号重呼后未到，已自动过号", markup=False)
            if result.ticket is None:
                self.app.notify("没有等候的号", severity="information")
            self.last_why = result.why

        self._run("叫号", call_next, self.window, self.app.settings.queue, after=called)

    def action_next(self) -> None:
        def done(result) -> None:
            if result.finished is not None:
                self.app.notify(f"{result.finished.number} 已办结", timeout=3, markup=False)
            if result.call.ticket is None:
                self.app.notify("没有等候的号", severity="information")
            self.last_why = result.call.why

        self._run("下一位", finish_and_call_next, self.window, self.app.settings.queue, after=done)

    def action_recall(self) -> None:
        if number := self._current_number():
            self._run("重呼", recall, number, self.window)

    def action_no_show(self) -> None:
        if number := self._current_number():
            self._run("过号", mark_no_show, number, self.window, self.app.settings.queue)

    def action_start(self) -> None:
        if number := self._current_number():
            self._run("开始办理", start_service, number, self.window)

    def action_finish(self) -> None:
        if number := self._current_number():
            self._run("办结", finish_service, number, self.window)

    def action_transfer(self) -> None:
        number = self._current_number()
        if number is None:
            return
        app, window = self.app, self.window

        def do_transfer(target: str, reason: str) -> str:
            target = target.strip().upper()
            if target.isdigit():
                view = transfer(
                    app.engine,
                    app.actor,
                    number,
                    to_window=int(target),
                    reason=reason,
                    from_window=window,
                    policy=app.settings.queue,
                )
                return f"{view.number} 号已转往{target}号窗口"
            if len(target) == 1 and target.isalpha():
                view = transfer(
                    app.engine,
                    app.actor,
                    number,
                    to_queue=target,
                    reason=reason,
                    from_window=window,
                    policy=app.settings.queue,
                )
                return f"{view.number} 号已转往 {view.queue} {view.queue_name} 队列，保留原取号时间"
            raise ServiceError("请填写转往的窗口号（如 5）或队列字母（如 A）")

        self._open_transfer(number, do_transfer)

    def _open_transfer(self, number: str, do_transfer) -> None:
        self._transfer = number, do_transfer  # the dialog is modal: one transfer at a time
        self.call_service("transfer", lambda: window_states(self.app.engine, self.app.actor), exclusive=True)

    def transfer_failed(self, failure: CallFailed) -> None:
        self.transfer_done([])  # the open windows are a hint, not a need: the dialog opens without them

    def transfer_done(self, states) -> None:
        number, do_transfer = self._transfer
        open_ = [
            f"{w.number}号（{'、'.join(w.queues)}）" for w in states if w.status == "open" and w.number != self.window
        ]
        hint = "服务中的窗口：" + ("，".join(open_) if open_ else "无")
        dialog = FormDialog(
            f"转办 {number}",
            [
                ("target", "转往窗口号或队列字母", "例如 5 或 A"),
                ("reason", "转办原因（接收窗口可见）", "例如 需不动产窗口办理"),
            ],
            do_transfer,
            hint=hint,
        )
        self.app.push_screen(dialog, lambda _: self.refresh_panel())

    def action_call_specific(self) -> None:
        app, window = self.app, self.window

        def do_call(number: str) -> str:
            result = call_specific(app.engine, app.actor, number, window, app.settings.queue)
            self.last_why = result.why
            return f"请{result.ticket.number}号到{window}号窗口办理（指定叫号已记录）"

        app.push_screen(
            FormDialog("指定叫号", [("number", "号码", "例如 A012")], do_call), lambda _: self.refresh_panel()
        )

    def action_pause(self) -> None:
        if self.panel is not None and self.panel.status == "paused":
            self._run("恢复服务", resume_window, self.window)
            return
        app, window = self.app, self.window

        def chosen(reason: str | None) -> None:
            if reason == "其他":
                app.push_screen(
                    FormDialog(
                        "暂停服务",
                        [("reason", "暂停原因", "请填写原因")],
                        lambda reason: pause_window(app.engine, app.actor, window, reason) or "已暂停服务",
                    ),
                    lambda _: self.refresh_panel(),
                )
            elif reason:
                self._run("暂停服务", pause_window, window, reason)

        app.push_screen(PickDialog("暂停服务：选择原因", [(r, r) for r in PAUSE_REASONS]), chosen)

    def palette_commands(self):
        """Every key of the console, named with its key (at 80 columns the footer cannot show them
        all). 注销 comes from the app; an error here would empty the whole palette."""
        yield from super().palette_commands()  # 事项检索 and 办件查询, from the home screen
        for binding in self.BINDINGS:
            if binding.action.startswith("app.") or binding.action in ("cases", "catalog"):
                continue  # named once, above
            key = binding.key.split(",")[0].upper()
            yield SystemCommand(
                f"{binding.description}（{key}）",
                binding.tooltip or binding.description,
                lambda b=binding: self.run_action(b.action),
            )
