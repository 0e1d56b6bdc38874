"""Which right each command needs: the table docs/permissions.md is generated from (with
domain/roles.PERMISSIONS) and tests/test_permissions.py runs, row by row, as every role.

The services check the rights; this table only says which one each command reaches, so that the
documentation can name it. A command missing here fails the documentation's test.
"""

from __future__ import annotations

from dataclasses import dataclass

from clerk_tui.domain.roles import CLERK

PUBLIC = "public"  # no login: no data of the hall's people (the catalog, checksums, the schema version)
LOGIN_SCREEN = "login-screen"  # the TUI: its login screen identifies, each screen's services check
SETUP = "setup"  # setting a hall up (init, demo): their own rules, see README
DEVICE_TOKEN = "device-token"  # the web server (serve): no PIN; each page admits a registered device's token only


@dataclass(frozen=True)
class Right:
    permission: str
    note: str = ""
    approval: frozenset[str] = frozenset()  # roles that may, with a supervisor's approval only
    also: str = ""  # a second permission the command needs too (a case's papers: reading cases)


COMMANDS: dict[str, Right] = {
    "init": Right(SETUP, "建立大厅数据库（覆盖已有大厅的规则见 clerk-tui init --help）"),
    "demo": Right(SETUP, "只写入演示数据库"),
    "run": Right(LOGIN_SCREEN, "打开界面后登录，按角色进入各自的界面"),
    "display": Right("screen.run", "叫号屏：由本厅人员登录后启动"),
    "rating-pad": Right("screen.run", "评价器：由本厅人员登录后启动"),
    "serve": Right(
        DEVICE_TOKEN,
        "启动网页服务无需登录；每个页面只对持有效设备令牌（device add）的设备开放，无令牌不显示大厅任何信息",
    ),
    "db upgrade": Right("db.upgrade", "在旧版本的数据库上登录（只读各版本都有的人员字段）"),
    "db check": Right(PUBLIC, "只显示数据库版本号和文件权限，不含任何人员或办事人信息"),
    "db backup": Right("db.backup", "SQLite 在线备份；PostgreSQL 显示 pg_dump 命令"),
    "db restore": Right("db.restore", "在恢复出的副本上登录；替换正在使用的大厅须写出其名称"),
    "audit verify": Right("audit.verify"),
    "audit anchor": Right("audit.verify"),
    "audit prune": Right("audit.prune", "只删除早于保留期（至少 180 天）的事件"),
    "catalog list": Right(PUBLIC, "事项目录与办事指南是公开信息"),
    "catalog show": Right(PUBLIC, "事项目录与办事指南是公开信息"),
    "catalog export": Right(PUBLIC, "事项目录与办事指南是公开信息"),
    "catalog import": Right("catalog.import"),
    "window list": Right("window.read"),
    "window open": Right("window.operate"),
    "window pause": Right("window.operate", "他人的窗口：仅带班领导"),
    "window resume": Right("window.operate", "他人的窗口：仅带班领导"),
    "window close": Right("window.operate", "他人的窗口：仅带班领导"),
    "calendar add-workdays": Right("calendar.read", "没有大厅数据库时按法定节假日计算，无需登录"),
    "calendar is-workday": Right("calendar.read", "没有大厅数据库时按法定节假日计算，无需登录"),
    "calendar load": Right("calendar.load"),
    "staff add": Right("staff.add"),
    "staff list": Right("staff.list"),
    "staff set-pin": Right("staff.set_pin", "本人的 PIN：每个人都可以修改"),
    "staff unlock": Right("staff.unlock"),
    "staff change-pin": Right("staff.own_pin", "只改本人的 PIN（他人设置的 PIN 须先改）"),
    "staff key-file": Right("staff.set_pin", "为建立于密钥文件之前的大厅生成 PIN 密钥文件"),
    "check id": Right(PUBLIC, "只校验输入的号码本身（校验位、日期），不查询任何数据"),
    "check uscc": Right(PUBLIC, "只校验输入的代码本身（校验位），不查询任何数据"),
    "ticket issue": Right("ticket.issue"),
    "ticket call": Right("ticket.serve"),
    "ticket next": Right("ticket.serve"),
    "ticket recall": Right("ticket.serve"),
    "ticket no-show": Right("ticket.serve"),
    "ticket start": Right("ticket.serve"),
    "ticket finish": Right("ticket.serve"),
    "ticket call-specific": Right("ticket.serve"),
    "ticket transfer": Right("ticket.serve"),
    "ticket rejoin": Right("ticket.rejoin"),
    "ticket list": Right("ticket.read"),
    "appointment add": Right("appointment.book"),
    "appointment import": Right("appointment.book"),
    "appointment check-in": Right("ticket.issue"),
    "appointment list": Right("appointment.read"),
    "case intake": Right("case.handle", "证件号校验不通过时需带班领导授权"),
    "case show": Right("case.read", "记入审计日志（谁、何时、哪台终端、哪件）"),
    "case list": Right("case.read", "按证件号、电话、姓名查找记入审计日志（证件号打码）"),
    "case supplement": Right("case.handle", "再次告知补正需带班领导授权（一次性告知制）"),
    "case start": Right("case.handle", "首办人或带班领导"),
    "case resume": Right("case.handle", "首办人或带班领导"),
    "case acknowledge": Right("case.handle", "移交的接收人"),
    "case complete": Right("case.handle", "首办人或带班领导"),
    "case deliver": Right("case.handle", "首办人或带班领导"),
    "case suspend": Right("case.handle", "首办人或带班领导"),
    "case extend": Right("case.handle", "窗口人员延期需带班领导授权", approval=frozenset({CLERK})),
    "case withdraw": Right("case.handle", "首办人或带班领导"),
    "case handover": Right("case.handle", "首办人或带班领导"),
    "case send-back": Right("case.handle", "首办人或带班领导；部门须标注为后场审批"),
    "case returned": Right("case.handle", "首办人或带班领导"),
    "print ticket": Right("print"),
    "print receipt": Right("print", "办件文书：还需查看办件的权限", also="case.read"),
    "print supplement-notice": Right("print", "办件文书：还需查看办件的权限", also="case.read"),
    "print rejection-notice": Right("print", "办件文书：还需查看办件的权限", also="case.read"),
    "print completion-notice": Right("print", "办件文书：还需查看办件的权限", also="case.read"),
    "print preview": Right("print.read", "办件文书还需查看办件的权限"),
    "print test": Right("print.test", "测试页不含任何人的信息；系统管理员可指定任意打印机"),
    "print confirm": Right("print"),
    "print jobs": Right("print.read"),
    "print retry": Right("print"),
    "inquiry open": Right("inquiry"),
    "inquiry answer": Right("inquiry", "首问人或带班领导"),
    "inquiry refer": Right("inquiry", "首问人或带班领导"),
    "inquiry absent": Right("inquiry", "首问人或带班领导"),
    "inquiry external": Right("inquiry", "首问人或带班领导"),
    "inquiry appointment": Right("inquiry", "首问人或带班领导"),
    "inquiry acknowledge": Right("inquiry", "转交部门的人员或带班领导"),
    "inquiry close": Right("inquiry", "首问人或带班领导"),
    "inquiry list": Right("inquiry.read"),
    "alerts list": Right("alert.read"),
    "alerts dismiss": Right("inquiry", "责任人或带班领导"),
    "followup list": Right("followup.read", "窗口人员只看到本人的差评整改"),
    "followup close": Right("inquiry", "整改负责人或带班领导"),
    "report daily": Right("report.read.hall", "按人员（--by clerk、--clerk）：窗口人员只能看本人的，带班领导看全部"),
    "report monthly": Right("report.read.hall", "按人员（--by clerk、--clerk）：窗口人员只能看本人的，带班领导看全部"),
    "report yearly": Right("report.read.hall", "按人员（--by clerk、--clerk）：窗口人员只能看本人的，带班领导看全部"),
    "report range": Right("report.read.hall", "按人员（--by clerk、--clerk）：窗口人员只能看本人的，带班领导看全部"),
    "report summary": Right("report.read.hall", "年度工作报告数据：全厅、按部门、按分厅"),
    "report modes": Right("report.read.hall", "便民服务方式与前店后场：按部门"),
    "report rebuild": Right("report.rebuild", "记入事件日志"),
    "duty roster set": Right("duty.roster"),
    "duty roster load": Right("duty.roster", "全部导入或全部不导入"),
    "duty roster list": Right("duty.read", "当天带班领导的姓名也显示在叫号屏上"),
    "duty log add": Right("duty.log"),
    "duty log show": Right("duty.log"),
    "duty handover": Right("duty.log", "下一班带班领导在大厅实况上看到"),
    "patrol record": Right("patrol.record", "不在岗且有人排队的窗口立即提醒"),
    "patrol list": Right("patrol.read"),
    "device add": Right("device.manage", "网址中的令牌只显示这一次，数据库只存其摘要"),
    "device list": Right("device.read"),
    "device revoke": Right("device.manage"),
    "report assessment": Right("report.read.hall", "窗口考核表；人员得分：窗口人员只看到本人的，带班领导看全部"),
    "assessment close": Right("assessment.close", "结束后得分与奖项不再改变，记入事件日志"),
}
