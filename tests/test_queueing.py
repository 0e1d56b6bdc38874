"""The chooser, table-tested: which ticket a window calls next, and why."""

import datetime as dt

import pytest

from clerk_tui.domain.queueing import INTERLEAVE, Candidate, QueuePolicy, call_phrase, choose_next, format_number

T0 = dt.datetime(2026, 11, 26, 9, 0)


def c(id, number, queue="A", priority="none", minute=0, transfers=0, issued_minute=None, target=None):
    issued = T0 + dt.timedelta(minutes=issued_minute if issued_minute is not None else minute)
    return Candidate(
        id,
        number,
        queue,
        priority,
        issued,
        T0 + dt.timedelta(minutes=minute),
        transfers,
        target,
        3 if transfers else None,
    )


def pick(cands, queues=("A", "B"), policy=QueuePolicy(), normals=0, window=1):
    choice = choose_next(
        cands, window=window, window_queues=list(queues), policy=policy, normals_since_priority=normals
    )
    return (choice.ticket.number, choice.why) if choice else (None, "")


def test_numbers():
    assert format_number("A", 1) == "A001" and format_number("A", 999) == "A999" and format_number("A", 1000) == "A1000"


@pytest.mark.parametrize(
    "cands, expected, why_has",
    [
        ([c(1, "A001", minute=0), c(2, "A002", minute=1)], "A001", "按到达顺序"),
        ([c(1, "A001", minute=0), c(2, "A002", priority="elderly", minute=5)], "A002", "老年人优先"),
        (
            [c(1, "A001", priority="military", minute=3), c(2, "A002", priority="disabled", minute=1)],
            "A002",
            "残疾人优先",
        ),
        ([c(1, "B001", queue="B", minute=0), c(2, "A001", minute=9)], "A001", "按到达顺序"),  # queue order first
        ([c(1, "B001", queue="B", minute=0)], "B001", "第2队列"),
        ([c(1, "C001", queue="C", minute=0)], None, ""),  # not a queue of this window
        ([c(1, "A001", minute=0), c(2, "C002", queue="C", minute=5, target=1)], "C002", "转来本窗口"),
        ([c(1, "A001", minute=0), c(2, "A002", minute=5, target=2)], "A001", "按到达顺序"),  # another window's
        ([c(1, "A001", priority="referral", minute=9), c(2, "A002", minute=1)], "A001", "转介优先"),
    ],
)
def test_priority_first(cands, expected, why_has):
    number, why = pick(cands)
    assert number == expected and why_has in why


def test_transferred_ticket_keeps_its_original_arrival():
    cands = [c(1, "A007", minute=10), c(2, "B003", queue="A", minute=20, issued_minute=2, transfers=1)]
    assert pick(cands)[0] == "B003"
    assert "原取号时间09:02" in pick(cands)[1]
    assert pick(cands, policy=QueuePolicy(transferred_front=False))[0] == "A007"


@pytest.mark.parametrize(
    "normals, expected",
    [(0, "A001"), (1, "A001"), (2, "A001"), (3, "A003")],
)
def test_interleave_n_normal_to_one_priority(normals, expected):
    cands = [c(1, "A001", minute=0), c(2, "A002", minute=1), c(3, "A003", priority="pregnant", minute=2)]
    policy = QueuePolicy(priority_mode=INTERLEAVE, interleave_normals=3)
    number, why = pick(cands, policy=policy, normals=normals)
    assert number == expected
    assert "3:1" in why


def test_interleave_serves_priority_when_no_normal_waits():
    policy = QueuePolicy(priority_mode=INTERLEAVE)
    assert pick([c(1, "A001", priority="elderly")], policy=policy)[0] == "A001"


def test_phrase():
    assert call_phrase(QueuePolicy(), "A001", 3) == "请A001号到3号窗口办理"
    assert call_phrase(QueuePolicy(voice_phrase="{bad}"), "A001", 3) == "请A001号到3号窗口办理"


def test_announcer_speaks_in_order_with_the_pinyin_voice():
    import time

    from clerk_tui.printing.voice import Announcer, espeak_command

    assert espeak_command("请A001号到3号窗口办理") == [
        "espeak-ng",
        "-v",
        "cmn-latn-pinyin",
        "-s",
        "150",
        "请A001号到3号窗口办理",
    ]
    ran = []
    a = Announcer(executable="espeak-ng", runner=lambda cmd: ran.append(cmd[-1]))
    a.say("一")
    a.say("二")
    for _ in range(100):
        if len(ran) == 2:
            break
        time.sleep(0.01)
    assert ran == ["一", "二"]
    silent = Announcer(executable="")
    assert not silent.available
    silent.say("x")  # does nothing, never raises


def test_espeak_speaks_the_phrase_in_mandarin(tmp_path):
    """With espeak-ng installed (CI installs it), the pinyin voice reads the call as Mandarin."""
    import subprocess

    from clerk_tui.printing.voice import espeak_command, espeak_path

    if espeak_path() is None:
        pytest.skip("espeak-ng is not installed here")
    wav = tmp_path / "call.wav"
    subprocess.run(espeak_command("请A001号到3号窗口办理", wav=str(wav)), check=True)
    assert wav.stat().st_size > 20000
    phonemes = subprocess.run(
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-q", "-x", "请A001号到3号窗口办理"], capture_output=True, text=True
    ).stdout
    assert "(en)" not in phonemes and "ts.hw'A55N" in phonemes  # 窗 read as chuang, nothing as English
