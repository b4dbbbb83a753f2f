"""The `slotbook` command-line tool, driven as a user drives it: a real binary, a real SQLite file,
arguments in, text and exit codes out.

Run by ctest as `python3 -m pytest tests/cli/cli_test.py` with SLOTBOOK_CLI naming the built binary.

Expected values are worked out by hand from the schedule below (Nairobi is UTC+3 all year, so a
09:00 window opens at 06:00Z), never copied from the tool's output.
"""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

CLI = os.environ.get("SLOTBOOK_CLI", "")

# A Saturday morning; the Monday after is 2026-01-12 (1 January 2026 is a Thursday).
NOW = "2026-01-10T08:00:00Z"

SCHEDULE = {
    "zone": "Africa/Nairobi",
    "windows": [
        {"dayOfWeek": 1, "startTime": "09:00", "endTime": "13:00"},
        {"dayOfWeek": 1, "startTime": "14:00", "endTime": "17:00"},
        {"dayOfWeek": 2, "startTime": "09:00", "endTime": "17:00", "isActive": True},
    ],
    "exceptions": [{"date": "2026-01-14", "isAvailable": False, "reason": "holiday"}],
    "rules": {"durationMinutes": 60},
}

EXIT_CODES = {
    "usage": 2,
    "invalid_argument": 3,
    "not_found": 4,
    "conflict": 5,
    "outside_availability": 6,
    "policy_denied": 7,
    "forbidden": 8,
    "storage": 9,
    "crypto": 10,
}


class Result:
    def __init__(self, proc):
        # Decoded by hand: text=True would turn the CRLF line ends of iCalendar output into LF.
        self.code = proc.returncode
        self.out = proc.stdout.decode("utf-8")
        self.err = proc.stderr.decode("utf-8")

    def doc(self):
        return json.loads(self.out)

    def error(self):
        return json.loads(self.err)["error"]

    def __repr__(self):
        return f"exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"


def run(*args, cwd, env=None, stdin=None):
    full_env = {k: v for k, v in os.environ.items() if k != "SLOTBOOK_AS"}
    full_env.update(env or {})
    proc = subprocess.run(
        [CLI, *map(str, args)],
        cwd=cwd,
        env=full_env,
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=120,
    )
    return Result(proc)


def ok(*args, cwd, **kw):
    r = run("--json", *args, cwd=cwd, **kw)
    assert r.code == 0, r
    assert r.err == "", r
    return r.doc()


def fails(code, *args, cwd, **kw):
    """Runs with --json, expects failure with `code`; returns the error object."""
    r = run("--json", *args, cwd=cwd, **kw)
    assert r.code == EXIT_CODES[code], r
    assert r.out == "", r
    e = r.error()
    assert e["code"] == code, r
    return e


def dump_rows(db):
    """A checksum of every row of every table (and the schema)."""
    con = sqlite3.connect(db)
    try:
        text = "\n".join(con.iterdump())
    finally:
        con.close()
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="session", autouse=True)
def binary_is_built():
    if not CLI or not Path(CLI).is_file():
        pytest.fail("SLOTBOOK_CLI must name the built slotbook binary")


@pytest.fixture
def clinic(tmp_path):
    """A database with provider 42 (Nairobi, KES 1500.00) and the schedule above."""
    (tmp_path / "schedule.json").write_text(json.dumps(SCHEDULE))
    ok("init", cwd=tmp_path)
    ok("provider", "add", 42, "--name", "Dr. Wanjiru Kamau", "--price", "1500.00", cwd=tmp_path)
    ok("availability", "set", 42, "--file", "schedule.json", cwd=tmp_path)
    return tmp_path


def book(cwd, client, at, now=NOW, pay=True):
    b = ok("--now", now, "book", 42, "--client", client, "--at", at, cwd=cwd)
    if pay:
        ok("--now", now, "confirm-payment", b["sessionId"], "--method", "mpesa",
           "--transaction", f"TX{b['sessionId']}", cwd=cwd)
    return b


# --- the whole flow ------------------------------------------------------------------------------


def test_a_client_can_be_booked_paid_moved_cancelled_reminded_and_counted_through_json(tmp_path):
    (tmp_path / "schedule.json").write_text(json.dumps(SCHEDULE))
    init = ok("init", cwd=tmp_path)
    assert init["created"] is True
    assert init["schemaVersion"] >= 2
    assert (tmp_path / "slotbook.db").is_file()

    p = ok("provider", "add", 42, "--name", "Dr. Wanjiru Kamau", "--price", "1500.00", cwd=tmp_path)
    assert p["price"] == {"currency": "KES", "minorUnits": 150000, "text": "KES 1500.00"}
    ok("availability", "set", 42, "--file", "schedule.json", cwd=tmp_path)

    # Monday: 09-13 and 14-17 EAT = 06:00-10:00Z and 11:00-14:00Z, one-hour slots.
    slots = ok("--now", NOW, "slots", 42, "--from", "2026-01-12", "--to", "2026-01-12",
               cwd=tmp_path)["availableSlots"]
    assert [s["start"] for s in slots] == [
        f"2026-01-12T{h:02}:00:00Z" for h in (6, 7, 8, 9, 11, 12, 13)]
    assert [s["startTime"] for s in slots] == ["09:00", "10:00", "11:00", "12:00", "14:00",
                                                "15:00", "16:00"]
    assert all(s["available"] and "reason" not in s for s in slots)

    b = ok("--now", NOW, "book", 42, "--client", 7, "--at", "2026-01-12T07:00:00Z", cwd=tmp_path)
    assert b == {"sessionId": 1, "bookingReference": "BK-2026-000001",
                 "scheduledAt": "2026-01-12T07:00:00Z", "paymentRequired": True,
                 "amount": {"currency": "KES", "minorUnits": 150000, "text": "KES 1500.00"},
                 "status": "pending_payment"}
    # The unpaid hold already takes the time.
    slots = ok("--now", NOW, "slots", 42, "--from", "2026-01-12", "--to", "2026-01-12",
               cwd=tmp_path)["availableSlots"]
    assert {s["start"]: s.get("reason") for s in slots if not s["available"]} == {
        "2026-01-12T07:00:00Z": "booked"}

    paid = ok("--now", NOW, "confirm-payment", "BK-2026-000001", "--method", "mpesa",
              "--transaction", "QK7H2XYZ", cwd=tmp_path)
    assert paid["outcome"] == "scheduled"
    assert paid["session"]["status"] == "scheduled"
    assert paid["session"]["paymentStatus"] == "paid"
    assert paid["session"]["transactionId"] == "QK7H2XYZ"

    # 14:00 on the wall clock in Nairobi is 11:00Z.
    moved = ok("--now", NOW, "reschedule", 1, "--at", "2026-01-12T14:00", cwd=tmp_path)
    assert moved["replaced"]["status"] == "cancelled"
    assert moved["replaced"]["cancellationReason"] == "rescheduled"
    assert moved["replaced"]["rescheduledTo"] == 2
    assert moved["replacement"]["id"] == 2
    assert moved["replacement"]["bookingReference"] == "BK-2026-000002"
    assert moved["replacement"]["scheduledAt"] == "2026-01-12T11:00:00Z"
    assert moved["replacement"]["status"] == "scheduled"
    assert moved["replacement"]["paymentStatus"] == "paid"

    # 51 hours' notice (Saturday 08:00Z to Monday 11:00Z): the client gets it all back.
    cancelled = ok("--now", NOW, "--as", "client:7", "cancel", 2, "--reason", "travel",
                   cwd=tmp_path)
    assert cancelled["decision"]["allowed"] is True
    assert cancelled["decision"]["reason"] == "notice_tier"
    assert cancelled["decision"]["noticeSeconds"] == 51 * 3600
    assert cancelled["refund"]["state"] == "not_configured"
    assert cancelled["refund"]["amount"]["minorUnits"] == 150000
    assert cancelled["session"]["status"] == "cancelled"
    assert cancelled["session"]["paymentStatus"] == "refunded"

    # Another client, Tuesday 09:00 EAT = 06:00Z; reminders 24 h, 2 h and 15 min before.
    book(tmp_path, 8, "2026-01-13T06:00:00Z")

    mine = ok("--now", NOW, "sessions", "--client", 7, cwd=tmp_path)["sessions"]
    assert [(s["id"], s["status"]) for s in mine] == [(1, "cancelled"), (2, "cancelled")]
    theirs = ok("--now", NOW, "sessions", "--provider", 42, "--from", "2026-01-13", "--to",
                "2026-01-13", cwd=tmp_path)["sessions"]
    assert [(s["id"], s["client"]) for s in theirs] == [(3, 8)]

    # At 06:30Z on Monday only the 24 h reminder (due 06:00Z) is due.
    run1 = ok("--now", "2026-01-12T06:30:00Z", "reminders", "run", cwd=tmp_path)
    assert (run1["claimed"], run1["sent"], run1["retrying"], run1["givenUp"]) == (1, 1, 0, 0)
    (r,) = run1["reminders"]
    assert r["before"] == "24h" and r["beforeMinutes"] == 1440
    assert r["due"] == "2026-01-12T06:00:00Z"
    assert r["bookingReference"] == "BK-2026-000003"
    assert r["client"] == 8 and r["provider"] == 42 and r["delivered"] is True
    # Sent once: a second run finds nothing.
    assert ok("--now", "2026-01-12T06:31:00Z", "reminders", "run", cwd=tmp_path)["claimed"] == 0

    # Rescheduled-away session 1 is not a booking; session 2 was cancelled after being booked;
    # session 3 is open. Revenue: session 2 refunded in full, session 3 paid KES 1500.00.
    a = ok("--now", NOW, "analytics", 42, "--from", "2026-01-01", "--to", "2026-01-31",
           cwd=tmp_path)
    assert (a["total"], a["open"], a["cancelled"], a["rescheduled"]) == (2, 1, 1, 1)
    assert a["cancellationRate"] == {"count": 1, "of": 2, "basisPoints": 5000}
    assert a["revenue"]["minorUnits"] == 150000

    v = ok("audit", "verify", cwd=tmp_path)
    assert v["ok"] is True and v["problem"] == "none"
    assert v["checked"] == v["head"]["sequence"] > 0
    again = ok("audit", "verify", "--head", f"{v['head']['sequence']}:{v['head']['hash']}",
               cwd=tmp_path)
    assert again["ok"] is True

    h = ok("--now", "2026-01-12T06:31:00Z", "health", cwd=tmp_path)
    assert h["status"] == "healthy" and h["storageReachable"] is True
    # Left for session 3: the 2 h (04:00Z) and 15 min (05:45Z) reminders on Tuesday.
    assert (h["remindersDue"], h["remindersWaiting"]) == (0, 2)


def test_human_output_speaks_in_the_providers_wall_clock_time(clinic):
    r = run("--now", NOW, "slots", 42, "--from", "2026-01-12", "--to", "2026-01-12", cwd=clinic)
    assert r.code == 0, r
    assert "Mon 2026-01-12" in r.out
    assert "09:00-10:00 EAT  available" in r.out
    assert "7 of 7 slots available." in r.out
    r = run("--now", NOW, "book", 42, "--client", 7, "--at", "2026-01-12T10:00", cwd=clinic)
    assert r.code == 0, r
    assert "Booked BK-2026-000001 (session 1)" in r.out
    assert "Mon 2026-01-12 10:00-11:00 EAT" in r.out


def test_a_wall_clock_time_is_read_in_the_providers_zone_and_an_instant_as_it_is(clinic):
    a = ok("--now", NOW, "book", 42, "--client", 7, "--at", "2026-01-12T12:00", cwd=clinic)
    b = ok("--now", NOW, "book", 42, "--client", 8, "--at", "2026-01-12T13:00:00+02:00",
           cwd=clinic)
    assert a["scheduledAt"] == "2026-01-12T09:00:00Z"
    assert b["scheduledAt"] == "2026-01-12T11:00:00Z"


def test_slots_follow_the_wall_clock_across_a_dst_change(tmp_path):
    # New York: 09:00 is 14:00Z in EST (before 8 March 2026) and 13:00Z in EDT (after).
    schedule = {"zone": "America/New_York",
                "windows": [{"dayOfWeek": 1, "startTime": "09:00", "endTime": "10:00"}]}
    (tmp_path / "ny.json").write_text(json.dumps(schedule))
    ok("init", cwd=tmp_path)
    ok("provider", "add", 5, "--name", "Dr. Reyes", "--file", "ny.json", cwd=tmp_path)
    slots = ok("--now", "2026-02-20T12:00:00Z", "slots", 5, "--from", "2026-03-02", "--to",
               "2026-03-09", cwd=tmp_path)["availableSlots"]
    assert [(s["date"], s["startTime"], s["start"]) for s in slots] == [
        ("2026-03-02", "09:00", "2026-03-02T14:00:00Z"),
        ("2026-03-09", "09:00", "2026-03-09T13:00:00Z"),
    ]


def test_a_free_provider_schedules_at_once_and_needs_no_payment(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(SCHEDULE))
    ok("init", cwd=tmp_path)
    ok("provider", "add", 9, "--name", "Pro bono", "--file", "s.json", cwd=tmp_path)
    b = ok("--now", NOW, "book", 9, "--client", 1, "--at", "2026-01-12T06:00:00Z", cwd=tmp_path)
    assert b["paymentRequired"] is False
    assert b["status"] == "scheduled"
    assert b["amount"]["minorUnits"] == 0


def test_a_repeated_payment_webhook_changes_nothing(clinic):
    b = book(clinic, 7, "2026-01-12T06:00:00Z")
    before = ok("status", b["sessionId"], cwd=clinic)["session"]
    again = ok("--now", "2026-01-10T09:00:00Z", "confirm-payment", b["sessionId"], "--method",
               "mpesa", "--transaction", f"TX{b['sessionId']}", cwd=clinic)
    assert again["outcome"] == "already_confirmed"
    assert again["session"] == before
    assert ok("status", b["sessionId"], cwd=clinic)["session"] == before


def test_an_unpaid_hold_expires_after_fifteen_minutes_and_frees_its_time(clinic):
    ok("--now", NOW, "book", 42, "--client", 7, "--at", "2026-01-12T06:00:00Z", cwd=clinic)
    assert ok("--now", "2026-01-10T08:14:59Z", "holds", "expire", cwd=clinic)["expired"] == 0
    assert ok("--now", "2026-01-10T08:15:00Z", "holds", "expire", cwd=clinic)["expired"] == 1
    s = ok("status", 1, cwd=clinic)["session"]
    assert s["status"] == "cancelled" and s["cancellationReason"] == "hold_expired"
    slots = ok("--now", "2026-01-10T08:16:00Z", "slots", 42, "--from", "2026-01-12", "--to",
               "2026-01-12", cwd=clinic)["availableSlots"]
    assert slots[0]["start"] == "2026-01-12T06:00:00Z" and slots[0]["available"] is True


def test_a_provider_starts_and_completes_a_session_and_analytics_count_its_length(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    ok("--now", "2026-01-12T06:02:00Z", "--as", "provider:42", "status", 1, "--set",
       "in_progress", cwd=clinic)
    done = ok("--now", "2026-01-12T06:52:00Z", "--as", "provider:42", "status", 1, "--set",
              "completed", "--expect", "in_progress", cwd=clinic)["session"]
    assert done["status"] == "completed"
    assert done["actualDuration"] == 50 * 60
    a = ok("--now", "2026-01-12T07:00:00Z", "analytics", 42, "--from", "2026-01-12", "--to",
           "2026-01-12", cwd=clinic)
    assert (a["completed"], a["timedSessions"], a["averageActualDuration"]) == (1, 1, 3000)
    assert a["completionRate"]["basisPoints"] == 10000


def test_a_stale_expected_status_is_a_conflict(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    e = fails("conflict", "--now", NOW, "status", 1, "--set", "confirmed", "--expect",
              "pending_payment", cwd=clinic)
    assert "pending_payment" in e["message"]


def test_availability_show_prints_a_file_that_availability_set_reads_back_unchanged(clinic):
    shown = ok("availability", "show", 42, cwd=clinic)
    assert shown["zone"] == "Africa/Nairobi"
    assert len(shown["windows"]) == 3
    assert shown["exceptions"] == [{"date": "2026-01-14", "isAvailable": False,
                                    "reason": "holiday"}]
    assert shown["rules"]["durationMinutes"] == 60
    (clinic / "back.json").write_text(json.dumps(shown))
    ok("availability", "set", 42, "--file", "back.json", cwd=clinic)
    assert ok("availability", "show", 42, cwd=clinic) == shown


def test_an_inactive_window_in_the_file_offers_no_slots(clinic):
    schedule = dict(SCHEDULE)
    schedule["windows"] = [{"dayOfWeek": 1, "startTime": "09:00", "endTime": "10:00",
                            "isActive": False},
                           {"dayOfWeek": 1, "startTime": "11:00", "endTime": "12:00"}]
    (clinic / "s2.json").write_text(json.dumps(schedule))
    ok("availability", "set", 42, "--file", "s2.json", cwd=clinic)
    slots = ok("--now", NOW, "slots", 42, "--from", "2026-01-12", "--to", "2026-01-12",
               cwd=clinic)["availableSlots"]
    assert [s["startTime"] for s in slots] == ["11:00"]


def test_provider_list_and_update_show_the_change(clinic):
    ok("provider", "update", 42, "--price", "2000", "--inactive", cwd=clinic)
    (p,) = ok("provider", "list", cwd=clinic)["providers"]
    assert p["id"] == 42 and p["active"] is False
    assert p["price"]["minorUnits"] == 200000
    # An inactive provider offers nothing.
    assert ok("--now", NOW, "slots", 42, "--from", "2026-01-12", "--to", "2026-01-12",
              cwd=clinic)["availableSlots"] == []


def test_adding_a_provider_twice_is_a_conflict(clinic):
    e = fails("conflict", "provider", "add", 42, "--name", "Again", cwd=clinic)
    assert "provider 42 already exists" in e["message"]


# --- reminders through a command -----------------------------------------------------------------


def read_documents(text):
    decoder = json.JSONDecoder()
    docs, pos = [], 0
    text = text.strip()
    while pos < len(text):
        doc, end = decoder.raw_decode(text, pos)
        docs.append(doc)
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return docs


def test_reminders_run_exec_hands_each_reminder_to_the_command_as_json_on_stdin(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    book(clinic, 8, "2026-01-12T07:00:00Z")
    # At 07:00Z on Sunday the 24 h reminders of both (due 06:00Z and 07:00Z) are due.
    r = ok("--now", "2026-01-11T07:00:00Z", "reminders", "run", "--exec",
           "cat >> received.txt", cwd=clinic)
    assert (r["claimed"], r["sent"]) == (2, 2)
    received = read_documents((clinic / "received.txt").read_text())
    assert sorted((d["bookingReference"], d["due"], d["channel"], d["attempt"])
                  for d in received) == [
        ("BK-2026-000001", "2026-01-11T06:00:00Z", "email", 1),
        ("BK-2026-000002", "2026-01-11T07:00:00Z", "email", 1)]
    assert all(d["providerName"] == "Dr. Wanjiru Kamau" for d in received)


def test_a_failing_reminder_command_is_retried_after_a_backoff(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    r = ok("--now", "2026-01-11T06:00:00Z", "reminders", "run", "--exec", "exit 3", cwd=clinic)
    assert (r["claimed"], r["sent"], r["retrying"]) == (1, 0, 1)
    assert r["reminders"][0]["delivered"] is False
    assert "status 3" in r["reminders"][0]["error"]
    # The first retry waits one minute.
    assert ok("--now", "2026-01-11T06:00:59Z", "reminders", "run", cwd=clinic)["claimed"] == 0
    again = ok("--now", "2026-01-11T06:01:00Z", "reminders", "run", cwd=clinic)
    assert (again["claimed"], again["sent"]) == (1, 1)
    assert again["reminders"][0]["attempt"] == 2


def test_a_reminder_command_that_writes_to_stdout_does_not_spoil_the_json_document(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    r = run("--json", "--now", "2026-01-11T06:00:00Z", "reminders", "run", "--exec",
            "echo noise", cwd=clinic)
    assert r.code == 0, r
    assert r.doc()["sent"] == 1
    assert "noise" in r.err


# --- errors --------------------------------------------------------------------------------------


def test_a_malformed_command_line_is_a_usage_error_with_exit_code_2(clinic):
    for args in (["book", 42, "--client", 7, "--at", "2026-01-12T06:00:00Z", "--nope"],
                 ["book", 42, "--at", "2026-01-12T06:00:00Z"],
                 ["slots"],
                 ["provider"],
                 ["frobnicate"],
                 [],
                 ["sessions", "--client", 1, "--provider", 42],
                 ["cancel", 1, "--reason"]):
        e = fails("usage", *args, cwd=clinic)
        assert e["message"]


def test_a_bad_value_is_invalid_argument_with_exit_code_3_naming_the_field(clinic):
    e = fails("invalid_argument", "slots", 42, "--from", "2026-13-01", "--to", "2026-01-12",
              cwd=clinic)
    assert e["message"].startswith("--from:") and "2026-13-01" in e["message"]
    e = fails("invalid_argument", "status", "abc", cwd=clinic)
    assert e["message"].startswith("SESSION:")
    e = fails("invalid_argument", "--as", "root", "status", 1, cwd=clinic)
    assert e["message"].startswith("--as:")
    e = fails("invalid_argument", "provider", "add", 7, "--name", "X", "--price", "1.234",
              cwd=clinic)
    assert e["message"].startswith("--price:")


def test_an_unknown_session_is_not_found_with_exit_code_4(clinic):
    fails("not_found", "status", 99, cwd=clinic)
    fails("not_found", "status", "BK-2026-000099", cwd=clinic)
    fails("not_found", "slots", 7, "--from", "2026-01-12", "--to", "2026-01-12", cwd=clinic)


def test_a_taken_time_is_a_conflict_with_exit_code_5(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    e = fails("conflict", "--now", NOW, "book", 42, "--client", 8, "--at",
              "2026-01-12T06:00:00Z", cwd=clinic)
    assert e["message"].endswith("booked")
    # The same client with another provider at the same time.
    ok("provider", "add", 43, "--name", "Dr. Two", "--file", "schedule.json", cwd=clinic)
    e = fails("conflict", "--now", NOW, "book", 43, "--client", 7, "--at",
              "2026-01-12T06:00:00Z", cwd=clinic)
    assert e["message"].endswith("client_busy")


def test_a_time_outside_the_hours_is_outside_availability_with_exit_code_6(clinic):
    # 03:00Z is 06:00 in Nairobi, before the day starts; Wednesday the 14th is a holiday.
    e = fails("outside_availability", "--now", NOW, "book", 42, "--client", 7, "--at",
              "2026-01-12T03:00:00Z", cwd=clinic)
    assert e["message"].endswith("outside_hours")


def test_a_booking_inside_the_notice_period_is_policy_denied_with_exit_code_7(clinic):
    # Monday 06:00Z is less than 24 h after Sunday 08:00Z.
    e = fails("policy_denied", "--now", "2026-01-11T08:00:00Z", "book", 42, "--client", 7, "--at",
              "2026-01-12T06:00:00Z", cwd=clinic)
    assert e["message"].endswith("too_soon")


def test_a_client_cancelling_inside_the_notice_window_is_refused_and_nothing_changes(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    before = ok("status", 1, cwd=clinic)["session"]
    e = fails("policy_denied", "--now", "2026-01-11T06:00:01Z", "--as", "client:7", "cancel", 1,
              cwd=clinic)
    assert "refused_late" in e["message"]
    assert ok("status", 1, cwd=clinic)["session"] == before
    # A provider may cancel at any time before the start, with a full refund.
    c = ok("--now", "2026-01-11T06:00:01Z", "--as", "provider:42", "cancel", 1, cwd=clinic)
    assert c["decision"]["reason"] == "by_provider"
    assert c["refund"]["amount"]["minorUnits"] == 150000


def test_acting_on_someone_elses_session_is_forbidden_with_exit_code_8(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    fails("forbidden", "--as", "client:9", "status", 1, cwd=clinic)
    fails("forbidden", "--as", "client:7", "confirm-payment", 1, "--method", "m",
          "--transaction", "t", cwd=clinic)
    # The environment names the actor when --as does not.
    r = run("--json", "status", 1, cwd=clinic, env={"SLOTBOOK_AS": "client:9"})
    assert r.code == EXIT_CODES["forbidden"], r


def test_a_missing_or_foreign_database_is_a_storage_error_with_exit_code_9(tmp_path):
    e = fails("storage", "provider", "list", cwd=tmp_path)
    assert "slotbook init" in e["message"]
    assert not (tmp_path / "slotbook.db").exists(), "a typo in --db must not create a database"
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    before = (tmp_path / "notes.txt").read_bytes()
    fails("storage", "--db", "notes.txt", "provider", "list", cwd=tmp_path)
    assert (tmp_path / "notes.txt").read_bytes() == before


def test_a_broken_audit_chain_makes_audit_verify_exit_with_1(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    con = sqlite3.connect(clinic / "slotbook.db")
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET detail = detail || ' (edited)' WHERE sequence = 2")
    con.commit()
    con.close()
    r = run("--json", "audit", "verify", cwd=clinic)
    assert r.code == 1, r
    v = r.doc()
    assert (v["ok"], v["problem"], v["sequence"]) == (False, "edited", 2)
    human = run("audit", "verify", cwd=clinic)
    assert human.code == 1 and "BROKEN at entry 2" in human.out


def test_each_error_class_has_its_own_documented_exit_code():
    assert len(set(EXIT_CODES.values())) == len(EXIT_CODES)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    for code, number in EXIT_CODES.items():
        assert re.search(rf"\|\s*{number}\s*\|\s*`?{code}`?", doc), (code, number)


def test_errors_in_human_mode_go_to_stderr_with_the_class_named(clinic):
    r = run("status", 99, cwd=clinic)
    assert r.code == 4 and r.out == ""
    assert r.err.startswith("slotbook: not_found: ")


def test_health_reports_a_database_it_cannot_open_as_unhealthy_with_exit_code_1(tmp_path):
    r = run("--json", "health", cwd=tmp_path)
    assert r.code == 1, r
    h = r.doc()
    assert (h["status"], h["storageReachable"]) == ("unhealthy", False)
    assert "slotbook init" in h["error"]
    assert not (tmp_path / "slotbook.db").exists()


# --- bad files -----------------------------------------------------------------------------------

BAD_FILES = {
    "invalid JSON": ('{"zone": "Africa/Nairobi", "windows": [', "not valid JSON"),
    "an unknown zone": (json.dumps({"zone": "Mars/Olympus_Mons", "windows": []}),
                        'zone: "Mars/Olympus_Mons" is not a time zone'),
    "overlapping windows": (json.dumps({"zone": "Africa/Nairobi", "windows": [
        {"dayOfWeek": 1, "startTime": "09:00", "endTime": "12:00"},
        {"dayOfWeek": 1, "startTime": "11:00", "endTime": "13:00"}]}), "overlaps"),
    "a misspelt key": (json.dumps({"zone": "Africa/Nairobi", "windows": [
        {"dayofWeek": 1, "startTime": "09:00", "endTime": "12:00"}]}), "windows[0].dayofWeek"),
    "a number as text": (json.dumps({"zone": "Africa/Nairobi", "windows": [
        {"dayOfWeek": "1", "startTime": "09:00", "endTime": "12:00"}]}),
        "windows[0].dayOfWeek"),
    "a repeated key": ('{"zone": "Africa/Nairobi", "zone": "Europe/London"}', "appears twice"),
    "a bad time": (json.dumps({"zone": "Africa/Nairobi", "windows": [
        {"dayOfWeek": 1, "startTime": "9:00", "endTime": "12:00"}]}), "windows[0].startTime"),
    "a bad rule": (json.dumps({"zone": "Africa/Nairobi", "rules": {"durationMinutes": 0}}),
                   "rules.durationMinutes"),
    "an exception both closed and open": (json.dumps({"zone": "Africa/Nairobi", "exceptions": [
        {"date": "2026-01-14", "isAvailable": False, "customStartTime": "09:00",
         "customEndTime": "10:00"}]}), "exceptions[0]"),
    "not an object": ("[1, 2, 3]", "not an object"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_schedule_file_is_refused_and_the_database_is_unchanged(clinic, name):
    text, expected = BAD_FILES[name]
    (clinic / "bad.json").write_text(text)
    before = dump_rows(clinic / "slotbook.db")
    e = fails("invalid_argument", "availability", "set", 42, "--file", "bad.json", cwd=clinic)
    assert e["message"].startswith("bad.json: "), e
    assert expected in e["message"], e
    assert dump_rows(clinic / "slotbook.db") == before


def test_a_missing_schedule_file_is_refused_and_the_database_is_unchanged(clinic):
    before = dump_rows(clinic / "slotbook.db")
    e = fails("invalid_argument", "availability", "set", 42, "--file", "nope.json", cwd=clinic)
    assert e["message"].startswith("--file:")
    assert dump_rows(clinic / "slotbook.db") == before


# --- recurring series ----------------------------------------------------------------------------

# Four Mondays at 10:00 in Nairobi (07:00Z): 12, 19 and 26 January and 2 February, all within the
# default 30 days ahead of NOW and at least 24 h after it.
WEEKLY4 = "FREQ=WEEKLY;COUNT=4"
MONDAYS_10 = ["2026-01-12T07:00:00Z", "2026-01-19T07:00:00Z", "2026-01-26T07:00:00Z",
              "2026-02-02T07:00:00Z"]


def book_series(cwd, *extra, provider=42, client=7, at="2026-01-12T10:00", rule=WEEKLY4,
                now=NOW):
    return ok("--now", now, "book-series", provider, "--client", client, "--at", at, "--rule",
              rule, *extra, cwd=cwd)


def rows_except_audit(db):
    """A checksum of every row of every table except the audit log (a refused operation appends
    one `refused` entry there, in a transaction of its own) and its autoincrement counter."""
    con = sqlite3.connect(db)
    try:
        audit_tables = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%audit%'")]
        lines = [line for line in con.iterdump()
                 if not any(f'"{t}"' in line or f"'{t}'" in line for t in audit_tables)]
    finally:
        con.close()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_a_weekly_series_is_booked_as_one_session_per_week_linked_by_its_series_id(clinic):
    single = book(clinic, 8, "2026-01-13T06:00:00Z")
    b = book_series(clinic)
    assert b["series"] == 1 and b["preview"] is False
    assert b["rule"] == WEEKLY4 and b["mode"] == "all_or_nothing"
    assert b["zone"] == "Africa/Nairobi"
    assert (b["booked"], b["skipped"]) == (4, 0)
    occ = b["occurrences"]
    assert [o["occurrence"] for o in occ] == [1, 2, 3, 4]
    assert [o["localStart"] for o in occ] == [
        "2026-01-12T10:00:00", "2026-01-19T10:00:00", "2026-01-26T10:00:00", "2026-02-02T10:00:00"]
    assert [o["start"] for o in occ] == MONDAYS_10
    assert [o["end"] for o in occ] == [t.replace("T07", "T08") for t in MONDAYS_10]
    # Session 1 is the single booking above; the series takes 2 to 5, each held for payment.
    assert [o["booking"]["sessionId"] for o in occ] == [2, 3, 4, 5]
    assert [o["booking"]["bookingReference"] for o in occ] == [
        f"BK-2026-00000{i}" for i in (2, 3, 4, 5)]
    assert all(o["booked"] and o["booking"]["status"] == "pending_payment" for o in occ)
    assert all(o["refused"] is None and o["reason"] is None for o in occ)

    listed = ok("sessions", "--series", 1, cwd=clinic)
    assert listed["series"] == 1
    assert [(s["id"], s["scheduledAt"], s["series"]) for s in listed["sessions"]] == [
        (2, MONDAYS_10[0], 1), (3, MONDAYS_10[1], 1), (4, MONDAYS_10[2], 1), (5, MONDAYS_10[3], 1)]
    assert ok("status", 3, cwd=clinic)["session"]["series"] == 1
    assert ok("status", single["sessionId"], cwd=clinic)["session"]["series"] is None
    fails("not_found", "sessions", "--series", 2, cwd=clinic)


def test_book_series_speaks_in_the_providers_wall_clock_time(clinic):
    book(clinic, 8, "2026-01-19T07:00:00Z")
    r = run("--now", NOW, "book-series", 42, "--client", 7, "--at", "2026-01-12T10:00", "--rule",
            WEEKLY4, "--mode", "free", cwd=clinic)
    assert r.code == 0, r
    assert "Booked series 1: 3 of 4 occurrences of FREQ=WEEKLY;COUNT=4" in r.out
    assert "times in Africa/Nairobi" in r.out
    assert "Mon 2026-01-12 10:00-11:00 EAT  BK-2026-000002 (session 2), pending_payment" in r.out
    assert "Mon 2026-01-19 10:00-11:00 EAT  refused: booked (conflict)" in r.out
    r = run("sessions", "--series", 1, cwd=clinic)
    assert r.code == 0, r
    assert "Series 1: 3 sessions" in r.out and "Mon 2026-02-02 10:00-11:00 EAT" in r.out


def test_an_all_or_nothing_series_with_one_taken_week_lists_it_and_books_nothing(clinic):
    book(clinic, 8, "2026-01-19T07:00:00Z")
    db = clinic / "slotbook.db"
    before = rows_except_audit(db)
    audit_before = ok("audit", "verify", cwd=clinic)["checked"]
    e = fails("conflict", "--now", NOW, "book-series", 42, "--client", 7, "--at",
              "2026-01-12T10:00", "--rule", WEEKLY4, cwd=clinic)
    # Only the second Monday is taken, and the message says which one, in the provider's time.
    assert "1 of 4 occurrences" in e["message"]
    assert "occurrence 2 (2026-01-19 10:00 Africa/Nairobi)" in e["message"]
    assert e["message"].endswith("booked")
    for n in (1, 3, 4):
        assert f"occurrence {n} (" not in e["message"]
    assert rows_except_audit(db) == before
    # The refusal itself is audited (one entry), and the chain still verifies.
    after = ok("audit", "verify", cwd=clinic)
    assert after["ok"] is True and after["checked"] == audit_before + 1
    r = run("--now", NOW, "book-series", 42, "--client", 7, "--at", "2026-01-12T10:00", "--rule",
            WEEKLY4, cwd=clinic)
    assert r.code == EXIT_CODES["conflict"] and r.out == ""
    assert "occurrence 2 (2026-01-19 10:00 Africa/Nairobi)" in r.err


def test_a_free_mode_series_books_the_free_weeks_and_reports_the_taken_one(clinic):
    book(clinic, 8, "2026-01-19T07:00:00Z")
    b = book_series(clinic, "--mode", "free")
    assert b["series"] == 1 and b["mode"] == "free_ones"
    assert (b["booked"], b["skipped"]) == (3, 1)
    skipped = [o for o in b["occurrences"] if not o["booked"]]
    assert [(o["occurrence"], o["start"], o["refused"], o["reason"]) for o in skipped] == [
        (2, MONDAYS_10[1], "conflict", "booked")]
    assert skipped[0]["booking"] is None
    assert "2026-01-19 10:00 Africa/Nairobi" in skipped[0]["message"]
    listed = ok("sessions", "--series", 1, cwd=clinic)["sessions"]
    assert [(s["id"], s["scheduledAt"], s["client"]) for s in listed] == [
        (2, MONDAYS_10[0], 7), (3, MONDAYS_10[2], 7), (4, MONDAYS_10[3], 7)]


def test_a_series_that_never_ends_or_starts_off_its_rule_is_invalid_argument(clinic):
    before = rows_except_audit(clinic / "slotbook.db")
    e = fails("invalid_argument", "--now", NOW, "book-series", 42, "--client", 7, "--at",
              "2026-01-12T10:00", "--rule", "FREQ=WEEKLY", cwd=clinic)
    assert e["message"].startswith("rule:")
    # Monday the 12th is not a Tuesday.
    e = fails("invalid_argument", "--now", NOW, "book-series", 42, "--client", 7, "--at",
              "2026-01-12T10:00", "--rule", "FREQ=WEEKLY;BYDAY=TU;COUNT=2", cwd=clinic)
    assert "first_start" in e["message"]
    e = fails("invalid_argument", "--now", NOW, "book-series", 42, "--client", 7, "--at",
              "2026-01-12T10:00", "--rule", WEEKLY4, "--mode", "some", cwd=clinic)
    assert e["message"].startswith("--mode:")
    assert rows_except_audit(clinic / "slotbook.db") == before


def test_a_series_preview_answers_the_same_question_and_writes_nothing(clinic):
    book(clinic, 8, "2026-01-19T07:00:00Z")
    db = clinic / "slotbook.db"
    before = dump_rows(db)
    p = book_series(clinic, "--preview")
    assert p["preview"] is True and p["series"] is None
    assert (p["booked"], p["skipped"]) == (3, 1)
    assert [o["booked"] for o in p["occurrences"]] == [True, False, True, True]
    assert p["occurrences"][1]["reason"] == "booked"
    ready = p["occurrences"][0]["booking"]
    assert ready["sessionId"] is None and ready["bookingReference"] == ""
    assert ready["scheduledAt"] == MONDAYS_10[0] and ready["status"] == "pending_payment"
    # A preview of an all-or-nothing series that would be refused is not an error: it says so.
    assert dump_rows(db) == before
    r = run("--now", NOW, "book-series", 42, "--client", 7, "--at", "2026-01-12T10:00", "--rule",
            WEEKLY4, "--preview", cwd=clinic)
    assert r.code == 0, r
    assert "Preview (nothing was booked): 3 of 4 occurrences" in r.out
    assert "Mon 2026-01-26 10:00-11:00 EAT  can be booked" in r.out
    assert dump_rows(db) == before


def free_clinic(cwd):
    """Provider 9 with the same hours and no price: a booked session is scheduled at once."""
    ok("provider", "add", 9, "--name", "Pro bono", "--file", "schedule.json", cwd=cwd)


def test_cancel_scope_following_cancels_that_occurrence_and_the_later_ones_only(clinic):
    free_clinic(clinic)
    book_series(clinic, provider=9)
    c = ok("--now", NOW, "cancel", 3, "--scope", "following", "--reason", "moving away",
           cwd=clinic)
    assert c["series"] == 1 and c["scope"] == "this_and_following" and c["cancelled"] == 2
    assert [(o["session"]["id"], o["outcome"]) for o in c["occurrences"]] == [
        (3, "cancelled"), (4, "cancelled")]
    # An admin (the default actor) cancels with a full refund of nothing: the provider is free.
    assert all(o["decision"]["reason"] == "by_admin" for o in c["occurrences"])
    assert all(o["session"]["cancellationReason"] == "moving away" for o in c["occurrences"])
    listed = ok("sessions", "--series", 1, cwd=clinic)["sessions"]
    assert [(s["id"], s["status"]) for s in listed] == [
        (1, "scheduled"), (2, "scheduled"), (3, "cancelled"), (4, "cancelled")]
    # The default scope is the plain cancellation of one session.
    one = ok("--now", NOW, "cancel", 1, cwd=clinic)
    assert one["session"]["id"] == 1 and one["session"]["status"] == "cancelled"
    assert ok("status", 2, cwd=clinic)["session"]["status"] == "scheduled"


def test_cancel_scope_series_judges_each_occurrence_with_its_own_notice(clinic):
    free_clinic(clinic)
    book_series(clinic, provider=9)
    ok("--now", NOW, "cancel", 4, cwd=clinic)
    # Sunday 08:00Z: 23 h before the first Monday (inside the client's 24 h window), a week and
    # more before the others.
    c = ok("--now", "2026-01-11T08:00:00Z", "--as", "client:7", "cancel", 2, "--scope", "series",
           cwd=clinic)
    assert c["scope"] == "whole_series" and c["cancelled"] == 2
    assert [(o["session"]["id"], o["outcome"]) for o in c["occurrences"]] == [
        (1, "refused"), (2, "cancelled"), (3, "cancelled"), (4, "skipped")]
    first = c["occurrences"][0]
    assert first["decision"]["reason"] == "refused_late"
    assert first["decision"]["noticeSeconds"] == 23 * 3600
    assert first["session"]["status"] == "scheduled"
    assert c["occurrences"][1]["decision"]["noticeSeconds"] == (7 * 24 + 23) * 3600
    listed = ok("sessions", "--series", 1, cwd=clinic)["sessions"]
    assert [s["status"] for s in listed] == ["scheduled", "cancelled", "cancelled", "cancelled"]


def test_cancel_scope_needs_a_session_in_a_series_and_a_known_scope(clinic):
    b = book(clinic, 8, "2026-01-13T06:00:00Z")
    e = fails("invalid_argument", "--now", NOW, "cancel", b["sessionId"], "--scope", "series",
              cwd=clinic)
    assert "series" in e["message"]
    e = fails("invalid_argument", "--now", NOW, "cancel", b["sessionId"], "--scope", "all",
              cwd=clinic)
    assert e["message"].startswith("--scope:")
    r = run("--json", "sessions", "--series", 1, "--client", 7, cwd=clinic)
    assert r.code == EXIT_CODES["usage"], r


# --- intake forms and keys ------------------------------------------------------------------------

FORM = {
    "personalInfo": {"emergencyContact": "Amina Odhiambo (sister), +254 700 000 000",
                     "medicalHistory": "asthma", "currentMedications": "",
                     "allergies": "penicillin"},
    "mentalHealthInfo": {"previousTherapy": False, "currentSymptoms": ["poor sleep", "worry"],
                         "severityLevel": 6, "triggerFactors": ["work"],
                         "copingMechanisms": ["running"]},
    "therapyGoals": ["sleep better"],
    "expectations": "fewer panic attacks",
    "preferredApproach": "CBT",
    "consentToTreatment": True,
    "confidentialityAgreement": True,
    "dataProcessingConsent": True,
}

# 32-byte keys in base64 (fixed, so a failure is reproducible; never use these anywhere).
KEY1 = "1:" + "AQ" * 21 + "A="
KEY2 = "2:" + "Ag" * 21 + "A="
OTHER1 = "1:" + "Aw" * 21 + "A="


def keys(*ks):
    return {"SLOTBOOK_KEYS": ",".join(ks)}


def test_an_intake_form_is_sealed_and_shown_back_as_written(clinic):
    (clinic / "form.json").write_text(json.dumps(FORM))
    s = ok("intake", "set", 7, "--file", "form.json", cwd=clinic, env=keys(KEY1))
    assert (s["id"], s["client"], s["complete"], s["keyVersion"]) == (1, 7, True, 1)
    assert s["missing"] == []
    head = ok("audit", "verify", cwd=clinic)["head"]["sequence"]
    shown = ok("intake", "show", 1, cwd=clinic, env=keys(KEY1))
    assert (shown["id"], shown["client"], shown["session"]) == (1, 7, None)
    assert shown["form"] == FORM
    # Every read is audited, before the plaintext is returned.
    assert ok("audit", "verify", cwd=clinic)["head"]["sequence"] == head + 1
    # The answers are nowhere in the database file in the clear.
    raw = b"".join(p.read_bytes() for p in clinic.glob("slotbook.db*"))
    assert b"penicillin" not in raw and b"panic attacks" not in raw


def test_an_intake_form_can_be_saved_step_by_step(clinic):
    (clinic / "step1.json").write_text(json.dumps({"personalInfo": FORM["personalInfo"]}))
    s = ok("intake", "set", 7, "--file", "step1.json", cwd=clinic, env=keys(KEY1))
    assert s["complete"] is False
    assert s["missing"][0] == "mental_health"
    rest = {k: v for k, v in FORM.items() if k != "personalInfo"}
    (clinic / "rest.json").write_text(json.dumps(rest))
    s = ok("intake", "set", 7, "--file", "rest.json", "--form", s["id"], cwd=clinic,
           env=keys(KEY1))
    assert s["complete"] is True and s["missing"] == []
    (only,) = ok("intake", "list", 7, cwd=clinic)["forms"]
    assert only["id"] == s["id"] and only["complete"] is True
    fails("not_found", "intake", "set", 8, "--file", "rest.json", "--form", s["id"], cwd=clinic,
          env=keys(KEY1))


def test_an_invalid_intake_file_is_refused_without_repeating_what_it_says(clinic):
    before = dump_rows(clinic / "slotbook.db")
    bad = json.loads(json.dumps(FORM))
    bad["mentalHealthInfo"]["severityLevel"] = 11
    (clinic / "bad.json").write_text(json.dumps(bad))
    e = fails("invalid_argument", "intake", "set", 7, "--file", "bad.json", cwd=clinic,
              env=keys(KEY1))
    assert e["message"].startswith("bad.json: mentalHealthInfo.severityLevel")
    bad = json.loads(json.dumps(FORM))
    bad["personalInfo"]["allergies"] = ["secret-allergy"]
    (clinic / "bad.json").write_text(json.dumps(bad))
    e = fails("invalid_argument", "intake", "set", 7, "--file", "bad.json", cwd=clinic,
              env=keys(KEY1))
    assert "personalInfo.allergies" in e["message"]
    assert "secret-allergy" not in e["message"]
    bad = json.loads(json.dumps(FORM))
    bad["personalInfo"]["emergencyContact"] = "secret-contact\u0007"
    (clinic / "bad.json").write_text(json.dumps(bad))
    e = fails("invalid_argument", "intake", "set", 7, "--file", "bad.json", cwd=clinic,
              env=keys(KEY1))
    assert "personalInfo.emergencyContact" in e["message"]
    assert "secret-contact" not in e["message"]
    assert dump_rows(clinic / "slotbook.db") == before


def test_intake_without_keys_or_with_the_wrong_key_is_a_crypto_error_with_exit_code_10(clinic):
    (clinic / "form.json").write_text(json.dumps(FORM))
    before = dump_rows(clinic / "slotbook.db")
    e = fails("crypto", "intake", "set", 7, "--file", "form.json", cwd=clinic)
    assert "SLOTBOOK_KEYS" in e["message"]
    assert dump_rows(clinic / "slotbook.db") == before
    ok("intake", "set", 7, "--file", "form.json", cwd=clinic, env=keys(KEY1))
    # The same version with other bytes does not authenticate; a missing version is named.
    fails("crypto", "intake", "show", 1, cwd=clinic, env=keys(OTHER1))
    e = fails("crypto", "intake", "show", 1, cwd=clinic, env=keys(KEY2))
    assert "version 1" in e["message"]


def test_someone_elses_intake_form_is_forbidden(clinic):
    (clinic / "form.json").write_text(json.dumps(FORM))
    ok("intake", "set", 7, "--file", "form.json", cwd=clinic, env=keys(KEY1))
    fails("forbidden", "--as", "client:8", "intake", "show", 1, cwd=clinic, env=keys(KEY1))
    assert ok("--as", "client:7", "intake", "show", 1, cwd=clinic,
              env=keys(KEY1))["form"] == FORM


def test_rotate_keys_moves_every_form_to_the_newest_key_and_reports_progress(clinic):
    (clinic / "form.json").write_text(json.dumps(FORM))
    for client in (7, 8, 9):
        ok("intake", "set", client, "--file", "form.json", cwd=clinic, env=keys(KEY1))
    r = run("rotate-keys", "--batch", 2, cwd=clinic, env=keys(KEY1, KEY2))
    assert r.code == 0, r
    # Three forms, two per batch: two batches, progress after each on stderr.
    assert r.err.count("batch") >= 2 and "batch 2 committed: 3 forms" in r.err
    assert "key version 2" in r.out
    again = ok("rotate-keys", cwd=clinic, env=keys(KEY1, KEY2))
    assert (again["toVersion"], again["rewrapped"]) == (2, 0)
    # The old key can go.
    assert ok("intake", "show", 3, cwd=clinic, env=keys(KEY2))["form"] == FORM


def test_purge_with_nothing_deleted_removes_nothing_and_reports_progress(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    before = ok("status", 1, cwd=clinic)["session"]
    r = run("purge", cwd=clinic)
    assert r.code == 0, r
    assert "purge: pass 1" in r.err
    p = ok("--now", NOW, "purge", cwd=clinic)
    # The retention period is 30 days: the cutoff is 30 days before now.
    assert p["cutoff"] == "2025-12-11T08:00:00Z"
    assert (p["sessions"], p["intakes"]) == ([], [])
    assert ok("status", 1, cwd=clinic)["session"] == before


def test_a_provider_requiring_intake_takes_payment_only_once_the_form_is_complete(clinic):
    ok("provider", "update", 42, "--requires-intake", "yes", cwd=clinic)
    assert ok("provider", "show", 42, cwd=clinic)["requiresIntake"] is True
    b = ok("--now", NOW, "book", 42, "--client", 7, "--at", "2026-01-12T06:00:00Z", cwd=clinic)
    fails("policy_denied", "--now", NOW, "confirm-payment", b["sessionId"], "--method", "mpesa",
          "--transaction", "T1", cwd=clinic)
    (clinic / "form.json").write_text(json.dumps(FORM))
    ok("--now", NOW, "intake", "set", 7, "--file", "form.json", "--session", b["sessionId"],
       cwd=clinic, env=keys(KEY1))
    paid = ok("--now", NOW, "confirm-payment", b["sessionId"], "--method", "mpesa",
              "--transaction", "T1", cwd=clinic)
    assert paid["outcome"] == "scheduled"


# --- group sessions ------------------------------------------------------------------------------

# Tuesday 13 January, 10:00 in Nairobi (UTC+3): 07:00Z to 08:00Z, inside the 09:00-17:00 hours.
GROUP_AT = "2026-01-13T10:00"
GROUP_START, GROUP_END = "2026-01-13T07:00:00Z", "2026-01-13T08:00:00Z"


def open_group(cwd, capacity=3, at=GROUP_AT, provider=42):
    return ok("--now", NOW, "group", "open", provider, "--at", at, "--capacity", capacity,
              cwd=cwd)


def seat(cwd, group, client, now=NOW):
    return ok("--now", now, "--as", f"client:{client}", "group", "seat", group, "--client",
              client, cwd=cwd)


def test_a_group_session_takes_seats_until_full_and_a_fourth_client_is_a_conflict(clinic):
    g = open_group(clinic)
    assert g == {"sessionId": 1, "bookingReference": "BK-2026-000001",
                 "scheduledAt": GROUP_START, "paymentRequired": False,
                 "amount": {"currency": "KES", "minorUnits": 150000, "text": "KES 1500.00"},
                 "status": "scheduled", "capacity": 3}
    for n, client in enumerate((7, 8, 9), start=1):
        s = seat(clinic, 1, client)
        assert (s["seatsTaken"], s["capacity"]) == (n, 3)
        assert (s["scheduledAt"], s["endsAt"]) == (GROUP_START, GROUP_END)
        assert s["bookingReference"] == "BK-2026-000001"
        assert s["seat"]["id"] == n and s["seat"]["client"] == client
        assert s["seat"]["session"] == 1 and s["seat"]["status"] == "scheduled"
        assert s["seat"]["paymentStatus"] == "pending"
        assert s["seat"]["amount"]["minorUnits"] == 150000
    db = clinic / "slotbook.db"
    before = rows_except_audit(db)
    e = fails("conflict", "--now", NOW, "group", "seat", 1, "--client", 10, cwd=clinic)
    assert e["message"].startswith("capacity:") and e["message"].endswith("group_full")
    assert "3 of 3" in e["message"]
    assert rows_except_audit(db) == before
    # The group holds the provider's time once, as one session with no client of its own.
    slots = ok("--now", NOW, "slots", 42, "--from", "2026-01-13", "--to", "2026-01-13",
               cwd=clinic)["availableSlots"]
    assert {s["start"]: s.get("reason") for s in slots if not s["available"]} == {
        GROUP_START: "booked"}
    shown = ok("status", 1, cwd=clinic)["session"]
    assert (shown["sessionType"], shown["capacity"], shown["client"]) == ("group", 3, None)
    # Analytics count the group once, with its three held (unpaid: no revenue yet) seats.
    a = ok("analytics", 42, "--from", "2026-01-13", "--to", "2026-01-13", cwd=clinic)
    assert (a["total"], a["groupSessions"], a["seats"], a["cancelledSeats"]) == (1, 1, 3, 0)
    assert a["revenue"]["minorUnits"] == 0


def test_sessions_and_status_show_a_group_by_its_seats_not_a_client(clinic):
    open_group(clinic, capacity=4)
    r = run("sessions", "--provider", 42, "--from", "2026-01-13", "--to", "2026-01-13",
            cwd=clinic)
    assert r.code == 0, r
    assert "Tue 2026-01-13 10:00-11:00 EAT  scheduled  group of 4 seats  provider 42" in r.out
    assert "client 0" not in r.out
    r = run("status", 1, cwd=clinic)
    assert r.code == 0, r
    assert "a group session of 4 seats" in r.out and "client 0" not in r.out
    assert "KES 1500.00 a seat" in r.out


def test_a_client_busy_elsewhere_at_the_groups_time_is_refused_a_seat(clinic):
    free_clinic(clinic)
    ok("--now", NOW, "book", 9, "--client", 7, "--at", GROUP_AT, cwd=clinic)
    open_group(clinic)
    e = fails("conflict", "--now", NOW, "group", "seat", 2, "--client", 7, cwd=clinic)
    assert e["message"].endswith("client_busy")
    listed = ok("group", "seats", 2, cwd=clinic)
    assert (listed["held"], listed["capacity"], listed["seats"]) == (0, 3, [])
    # Nor may a client already seated take a second seat.
    seat(clinic, 2, 8)
    e = fails("conflict", "--now", NOW, "group", "seat", 2, "--client", 8, cwd=clinic)
    assert "already holds seat 1" in e["message"]


def test_a_paid_seat_given_up_with_notice_is_refunded_and_free_for_another_client(clinic):
    open_group(clinic, capacity=1)
    seat(clinic, 1, 7)
    paid = ok("--now", NOW, "--as", "system", "group", "confirm-payment", 1, "--client", 7,
              "--method", "mpesa", "--transaction", "QK1", cwd=clinic)["seat"]
    assert (paid["paymentStatus"], paid["paymentMethod"], paid["transactionId"]) == (
        "paid", "mpesa", "QK1")
    fails("forbidden", "--now", NOW, "--as", "client:7", "group", "confirm-payment", 1,
          "--client", 7, "--method", "m", "--transaction", "t", cwd=clinic)
    # Saturday 08:00Z to Tuesday 07:00Z is 71 hours: more than the client's 24 h.
    c = ok("--now", NOW, "--as", "client:7", "group", "cancel-seat", 1, "--client", 7,
           "--reason", "travel", cwd=clinic)
    assert c["decision"]["allowed"] is True and c["decision"]["reason"] == "notice_tier"
    assert c["decision"]["noticeSeconds"] == 71 * 3600
    assert c["refund"]["state"] == "not_configured"
    assert c["refund"]["amount"]["minorUnits"] == 150000
    assert c["seat"]["status"] == "cancelled" and c["seat"]["paymentStatus"] == "refunded"
    assert c["seat"]["cancellationReason"] == "travel" and c["seat"]["cancelledBy"] == "client"
    # The one seat is free again: another client takes it, and the old one stays on record.
    assert seat(clinic, 1, 8)["seatsTaken"] == 1
    listed = ok("group", "seats", 1, cwd=clinic)
    assert listed["held"] == 1 and listed["capacity"] == 1
    assert [(t["id"], t["client"], t["status"]) for t in listed["seats"]] == [
        (1, 7, "cancelled"), (2, 8, "scheduled")]
    assert listed["seats"][0]["refunded"]["minorUnits"] == 150000
    fails("not_found", "--now", NOW, "group", "cancel-seat", 1, "--client", 7, cwd=clinic)


def test_a_seated_client_sees_only_their_own_seat_and_a_stranger_none(clinic):
    open_group(clinic)
    seat(clinic, 1, 7)
    seat(clinic, 1, 8)
    mine = ok("--as", "client:7", "group", "seats", 1, cwd=clinic)
    assert [t["client"] for t in mine["seats"]] == [7]
    assert mine["held"] == 2 and mine["bookingReference"] == "BK-2026-000001"
    everyone = ok("--as", "provider:42", "group", "seats", 1, cwd=clinic)
    assert [t["client"] for t in everyone["seats"]] == [7, 8]
    fails("forbidden", "--as", "client:9", "group", "seats", 1, cwd=clinic)
    r = run("--as", "client:7", "group", "seats", 1, cwd=clinic)
    assert r.code == 0, r
    assert "Tue 2026-01-13 10:00-11:00 EAT, scheduled: 2 seats of 3 held" in r.out
    assert "seat 1  client 7  scheduled  KES 1500.00, payment pending" in r.out
    assert "client 8" not in r.out


def test_a_bad_capacity_is_invalid_argument_naming_the_option_and_writes_nothing(clinic):
    db = clinic / "slotbook.db"
    before = dump_rows(db)
    for capacity in ("0", "1001", "three", "-1"):
        e = fails("invalid_argument", "--now", NOW, "group", "open", 42, "--at", GROUP_AT,
                  "--capacity", capacity, cwd=clinic)
        assert e["message"].startswith("--capacity:"), e
        assert f'"{capacity}"' in e["message"]
    e = fails("invalid_argument", "--now", NOW, "group", "open", 42, "--at", "tuesday",
              "--capacity", 3, cwd=clinic)
    assert e["message"].startswith("--at:")
    assert dump_rows(db) == before
    r = run("--json", "group", "open", 42, "--at", GROUP_AT, cwd=clinic)
    assert r.code == EXIT_CODES["usage"] and "--capacity" in r.error()["message"], r


def test_a_seat_in_a_session_that_is_not_a_group_is_invalid_argument(clinic):
    b = book(clinic, 7, "2026-01-12T06:00:00Z")
    e = fails("invalid_argument", "--now", NOW, "group", "seat", b["sessionId"], "--client", 8,
              cwd=clinic)
    assert "not a group session" in e["message"]


# --- the waitlist --------------------------------------------------------------------------------

# Monday 12 January at 10:00 in Nairobi is 07:00Z to 08:00Z; offers are held for 60 minutes.
MONDAY_10 = ("2026-01-12T07:00:00Z", "2026-01-12T08:00:00Z")


def join(cwd, client, *extra, now=NOW):
    return ok("--now", now, "--as", f"client:{client}", "waitlist", "join", 42, "--client",
              client, "--from", "2026-01-12", "--to", "2026-01-12", "--earliest", "10:00",
              "--latest", "10:00", *extra, cwd=cwd)["entry"]


def entries(cwd, client):
    return ok("--as", f"client:{client}", "waitlist", "list", "--client", client,
              cwd=cwd)["entries"]


def test_a_cancellation_offers_the_freed_time_to_the_waitlist_and_accepting_books_it(clinic):
    taken = book(clinic, 7, MONDAY_10[0])
    e = join(clinic, 8)
    # The range is the whole Monday in Nairobi: 21:00Z the evening before to 21:00Z.
    assert (e["id"], e["client"], e["provider"], e["state"]) == (1, 8, 42, "waiting")
    assert (e["from"], e["to"]) == ("2026-01-11T21:00:00Z", "2026-01-12T21:00:00Z")
    assert (e["earliest"], e["latest"], e["sessionType"]) == ("10:00", "10:00", "initial")
    assert e["offer"] is None and e["booked"] is None
    ok("--now", NOW, "--as", "client:7", "cancel", taken["sessionId"], cwd=clinic)
    [offered] = entries(clinic, 8)
    assert offered["state"] == "offered"
    assert offered["offer"] == {"start": MONDAY_10[0], "end": MONDAY_10[1]}
    assert offered["offerExpires"] == "2026-01-10T09:00:00Z"
    # The offered time is held for client 8: nobody else can book it meanwhile.
    e = fails("conflict", "--now", NOW, "book", 42, "--client", 9, "--at", MONDAY_10[0],
              cwd=clinic)
    b = ok("--now", "2026-01-10T08:30:00Z", "--as", "client:8", "waitlist", "accept", 1,
           cwd=clinic)
    assert b == {"sessionId": 2, "bookingReference": "BK-2026-000002",
                 "scheduledAt": MONDAY_10[0], "paymentRequired": True,
                 "amount": {"currency": "KES", "minorUnits": 150000, "text": "KES 1500.00"},
                 "status": "pending_payment", "entry": 1}
    [done] = entries(clinic, 8)
    assert (done["state"], done["booked"]) == ("booked", 2)
    s = ok("status", 2, cwd=clinic)["session"]
    assert (s["client"], s["provider"], s["scheduledAt"]) == (8, 42, MONDAY_10[0])
    fails("conflict", "--now", "2026-01-10T08:30:00Z", "waitlist", "accept", 1, cwd=clinic)


def test_a_declined_offer_goes_to_the_next_in_line(clinic):
    taken = book(clinic, 7, MONDAY_10[0])
    join(clinic, 8)
    join(clinic, 9)
    ok("--now", NOW, "cancel", taken["sessionId"], cwd=clinic)
    assert [e["state"] for e in entries(clinic, 8)] == ["offered"]
    assert [e["state"] for e in entries(clinic, 9)] == ["waiting"]
    left = ok("--now", NOW, "--as", "client:8", "waitlist", "leave", 1, cwd=clinic)["entry"]
    assert left["state"] == "withdrawn"
    [second] = entries(clinic, 9)
    assert second["state"] == "offered" and second["offer"]["start"] == MONDAY_10[0]
    # A closed entry cannot be left twice.
    e = fails("conflict", "--now", NOW, "waitlist", "leave", 1, cwd=clinic)
    assert "withdrawn" in e["message"]


def test_waitlist_leave_takes_a_waiting_client_out_of_line(clinic):
    join(clinic, 8)
    left = ok("--now", NOW, "--as", "client:8", "waitlist", "leave", 1, cwd=clinic)["entry"]
    assert (left["id"], left["state"], left["offer"]) == (1, "withdrawn", None)
    assert [e["state"] for e in entries(clinic, 8)] == ["withdrawn"]
    fails("forbidden", "--now", NOW, "--as", "client:9", "waitlist", "leave", 1, cwd=clinic)


def test_an_offer_not_taken_in_time_lapses_and_passes_to_the_next_in_line(clinic):
    taken = book(clinic, 7, MONDAY_10[0])
    join(clinic, 8)
    join(clinic, 9)
    ok("--now", NOW, "cancel", taken["sessionId"], cwd=clinic)
    # Offered at 08:00Z, held for 60 minutes: still live at 08:59:59Z, gone at 09:00Z.
    assert ok("--now", "2026-01-10T08:59:59Z", "waitlist", "expire", cwd=clinic) == {"lapsed": 0}
    assert ok("--now", "2026-01-10T09:00:00Z", "waitlist", "expire", cwd=clinic) == {"lapsed": 1}
    assert [e["state"] for e in entries(clinic, 8)] == ["lapsed"]
    [second] = entries(clinic, 9)
    assert second["state"] == "offered"
    assert second["offerExpires"] == "2026-01-10T10:00:00Z"
    e = fails("conflict", "--now", "2026-01-10T09:00:00Z", "--as", "client:8", "waitlist",
              "accept", 1, cwd=clinic)
    assert "lapsed" in e["message"]


def test_waitlist_list_speaks_in_the_providers_wall_clock_time(clinic):
    taken = book(clinic, 7, MONDAY_10[0])
    join(clinic, 8)
    ok("--now", NOW, "cancel", taken["sessionId"], cwd=clinic)
    r = run("waitlist", "list", "--client", 8, cwd=clinic)
    assert r.code == 0, r
    assert "entry 1  client 8  provider 42" in r.out
    assert "initial starting 10:00 to 10:00" in r.out
    # 09:00Z, the offer's deadline, is noon in Nairobi.
    assert "offered Mon 2026-01-12 10:00-11:00 EAT, held until Sat 2026-01-10 12:00 EAT" in r.out


def test_bad_waitlist_input_is_refused_naming_the_field_and_changes_nothing(clinic):
    db = clinic / "slotbook.db"
    before = dump_rows(db)
    base = ("--now", NOW, "waitlist", "join", 42, "--client", 8, "--from", "2026-01-12", "--to",
            "2026-01-13")
    for extra, field in ((("--earliest", "25:00"), "--earliest:"),
                         (("--latest", "24:00"), "--latest:"),
                         (("--earliest", "12:00", "--latest", "09:00"), "--latest:"),
                         (("--type", "group"), "--type:"),
                         (("--type", "massage"), "--type:")):
        e = fails("invalid_argument", *base, *extra, cwd=clinic)
        assert e["message"].startswith(field), (extra, e)
    # A range that ends before it starts is refused before the database is written (the provider's
    # zone is read first, so this one opens it, but writes nothing).
    e = fails("invalid_argument", "--now", NOW, "waitlist", "join", 42, "--client", 8, "--from",
              "2026-01-13", "--to", "2026-01-11", cwd=clinic)
    assert e["message"].startswith("--to:")
    e = fails("invalid_argument", "--now", NOW, "waitlist", "accept", "first", cwd=clinic)
    assert e["message"].startswith("ENTRY:")
    assert dump_rows(db) == before
    # An unknown entry reaches the service, which refuses it (and audits only the refusal).
    before = rows_except_audit(db)
    for command in ("accept", "leave"):
        e = fails("not_found", "--now", NOW, "waitlist", command, 99, cwd=clinic)
        assert "entry 99" in e["message"]
    assert rows_except_audit(db) == before
    assert ok("audit", "verify", cwd=clinic)["ok"] is True


# --- help ----------------------------------------------------------------------------------------


def command_names():
    r = run("--help", cwd="/")
    assert r.code == 0, r
    lines = r.out.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [re.split(r"\s{2,}", line.strip())[0] for line in lines]


def test_the_top_level_help_lists_every_command_the_issue_names():
    names = command_names()
    for expected in ("init", "provider add", "provider list", "availability set",
                     "availability show", "slots", "book", "book-series", "confirm-payment",
                     "status", "cancel",
                     "reschedule", "sessions", "reminders run", "holds expire", "audit verify",
                     "health", "analytics", "intake set", "intake show", "rotate-keys", "purge",
                     "group open", "group seat", "group cancel-seat", "group confirm-payment",
                     "group seats", "waitlist join", "waitlist leave", "waitlist accept",
                     "waitlist list", "waitlist expire", "demo"):
        assert expected in names


def test_every_command_answers_help_without_a_database(tmp_path):
    for name in command_names():
        r = run(*name.split(), "--help", cwd=tmp_path)
        assert r.code == 0, (name, r)
        assert r.out.startswith(f"Usage: slotbook {name}"), (name, r.out)
        assert "Global options:" in r.out
        r = run("-h", *name.split(), cwd=tmp_path)
        assert r.code == 0 and r.out.startswith(f"Usage: slotbook {name}"), (name, r)
    assert list(tmp_path.iterdir()) == []


def test_a_groups_help_lists_its_subcommands(tmp_path):
    r = run("provider", "--help", cwd=tmp_path)
    assert r.code == 0
    assert "provider add" in r.out and "provider list" in r.out


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_tells_the_whole_story_and_leaves_nothing_behind(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    r = run("demo", cwd=tmp_path, env={"TMPDIR": str(scratch)})
    assert r.code == 0, r
    assert list(scratch.iterdir()) == [], "the temporary database is removed"
    scratch.rmdir()
    for words in ("Three psychologists, three time zones", "A dozen bookings",
                  "Collisions, on purpose", "client_busy", "refused_late", "by_provider",
                  "cancelled as rescheduled", "The reminder worker runs",
                  "Weekly therapy: a series booked in one go",
                  "4 of 4 sessions booked (all_or_nothing)", "keeping the others",
                  "A group session with three seats", "3 of 3 held", "group_full",
                  "The waitlist", "waitlist_offered", "Jonas accepts",
                  "Amina's series keeps 3 of its 4 weeks", "Analytics",
                  "the chain is intact", "was edited"):
        assert words in r.out, words
    assert list(tmp_path.iterdir()) == []


def test_the_demo_summary_counts_what_it_did(tmp_path):
    s = ok("--now", NOW, "demo", cwd=tmp_path)
    # Saturday the 10th plus three days is Tuesday the 13th; the next Monday is the 19th.
    assert s["monday"] == "2026-01-19"
    assert (s["providers"], s["clients"], s["booked"]) == (3, 12, 12)
    # The collisions, Amina's late cancellation, then Hiro asking for a fourth seat in a group
    # of three.
    assert s["refused"] == ["conflict", "conflict", "conflict", "outside_availability",
                            "outside_availability", "policy_denied", "policy_denied", "conflict"]
    assert (s["series"]["booked"], s["series"]["cancelled"]) == (4, 1)
    assert (s["group"]["capacity"], s["group"]["seats"]) == (3, 3)
    # Jonas (client 110) is offered Dr. Hart's (provider 2) Monday 09:00 of the third week: in
    # London, 2026-02-02 is winter time, so 09:00Z.
    [offer] = s["waitlist"]["offers"]
    assert (offer["kind"], offer["client"], offer["provider"]) == ("waitlist_offered", 110, 2)
    assert offer["start"] == "2026-02-02T09:00:00Z" and offer["session"] is None
    assert offer["waitlistEntry"] == 1
    assert s["waitlist"]["booked"] is True
    assert s["audit"]["ok"] is True
    assert s["afterTampering"]["ok"] is False
    assert s["afterTampering"]["problem"] == "edited"
    # Kamau: Amina, Grace, Imani completed (KES 4500.00), Brian cancelled by the provider,
    # Leila's hold abandoned.
    kamau = s["analytics"]["Dr. Kamau"]
    assert (kamau["total"], kamau["completed"], kamau["cancelled"]) == (4, 3, 1)
    assert kamau["abandonedHolds"] == 1
    assert kamau["revenue"]["minorUnits"] == 450000


def test_the_demo_keeps_its_database_only_where_told_and_never_over_an_existing_file(tmp_path):
    ok("--now", NOW, "--db", "kept.db", "demo", cwd=tmp_path)
    assert (tmp_path / "kept.db").is_file()
    v = run("--json", "--db", "kept.db", "audit", "verify", cwd=tmp_path)
    assert v.code == 1 and v.doc()["problem"] == "edited"  # the demo's tampering is kept too
    fails("conflict", "--db", "kept.db", "demo", cwd=tmp_path)


# --- calendar export -----------------------------------------------------------------------------


def parse_ics(text):
    icalendar = pytest.importorskip("icalendar")
    return [c for c in icalendar.Calendar.from_ical(text).walk() if c.name == "VEVENT"]


def test_export_ics_writes_a_providers_sessions_as_events_other_calendars_read(clinic):
    import datetime as dt
    book(clinic, 7, "2026-01-12T06:00:00Z")  # Monday 09:00 in Nairobi
    book(clinic, 8, "2026-01-13T11:00:00Z")  # Tuesday 14:00
    ok("--now", NOW, "--as", "provider:42", "cancel", 2, cwd=clinic)
    r = run("--now", NOW, "export-ics", "--provider", 42, "--from", "2026-01-12", "--to",
            "2026-01-18", "--domain", "clinic.example", cwd=clinic)
    assert r.code == 0, r
    assert "\r\n" in r.out and "\n" not in r.out.replace("\r\n", "")
    events = sorted(parse_ics(r.out), key=lambda e: e.decoded("dtstart"))
    assert [str(e["uid"]) for e in events] == ["session-1@clinic.example",
                                              "session-2@clinic.example"]
    utc = dt.timezone.utc
    assert events[0].decoded("dtstart") == dt.datetime(2026, 1, 12, 6, tzinfo=utc)
    assert events[0].decoded("dtend") == dt.datetime(2026, 1, 12, 7, tzinfo=utc)
    assert str(events[0]["status"]) == "CONFIRMED"
    assert str(events[1]["status"]) == "CANCELLED"
    assert str(events[0]["summary"]) == "Session with Dr. Wanjiru Kamau"


def test_export_ics_with_tz_writes_wall_clock_times_in_that_zone(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    doc = ok("--now", NOW, "export-ics", 1, "--tz", "Africa/Nairobi", "--domain", "c.example",
             cwd=clinic)
    assert doc["events"] == 1
    assert "DTSTART;TZID=Africa/Nairobi:20260112T090000" in doc["ics"]
    assert "BEGIN:VTIMEZONE" in doc["ics"]


def test_export_ics_leaves_out_notes_and_special_requests(clinic):
    ok("--now", NOW, "book", 42, "--client", 7, "--at", "2026-01-12T06:00:00Z",
       "--requests", "marker-7f3a afraid of lifts", "--notes", "marker-7f3a notes", cwd=clinic)
    doc = ok("--now", NOW, "export-ics", 1, cwd=clinic)
    assert "marker-7f3a" not in doc["ics"]


def test_export_ics_to_a_file_writes_the_whole_calendar(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    doc = ok("--now", NOW, "export-ics", "--provider", 42, "--out", "feed.ics", cwd=clinic)
    assert doc == {"events": 1, "file": "feed.ics", "from": "2025-12-10T08:00:00Z",
                   "to": "2027-01-11T08:00:00Z"}
    assert len(parse_ics((clinic / "feed.ics").read_text())) == 1


def test_export_ics_is_refused_for_someone_elses_session_and_a_bad_domain(clinic):
    book(clinic, 7, "2026-01-12T06:00:00Z")
    fails("forbidden", "--as", "client:9", "export-ics", 1, cwd=clinic)
    e = fails("invalid_argument", "export-ics", 1, "--domain", "not a domain", cwd=clinic)
    assert e["message"].startswith('--domain: "not a domain"')
    r = run("--json", "export-ics", 1, "--provider", 42, cwd=clinic)
    assert r.code == EXIT_CODES["usage"], r


def exdates_of(event):
    """Every EXDATE of a parsed VEVENT as datetimes (icalendar gives one list per property)."""
    found = event.get("exdate")
    if found is None:
        return []
    lists = found if isinstance(found, list) else [found]
    return [d.dt for one in lists for d in one.dts]


def test_export_ics_series_writes_one_recurring_event_without_the_cancelled_occurrence(clinic):
    import datetime as dt
    from dateutil import rrule as du
    b = book_series(clinic)  # sessions 1 to 4 on MONDAYS_10, 10:00 in Nairobi
    assert [o["booking"]["sessionId"] for o in b["occurrences"]] == [1, 2, 3, 4]
    ok("--now", NOW, "cancel", 2, "--reason", "travel", cwd=clinic)  # Monday 19 January
    doc = ok("--now", NOW, "export-ics", "--series", 1, "--domain", "clinic.example", cwd=clinic)
    assert (doc["events"], doc["series"], doc["recurring"], doc["excluded"]) == (1, 1, True, 1)
    [event] = parse_ics(doc["ics"])
    assert str(event["uid"]) == "series-1@clinic.example"
    assert event["rrule"] == {"FREQ": ["WEEKLY"], "COUNT": [4]}
    assert event.decoded("duration") == dt.timedelta(hours=1)
    assert int(event["sequence"]) == 1  # one occurrence was taken out after booking
    # Provider 42 charges and nothing is paid yet: every occurrence left is a hold.
    assert str(event["status"]) == "TENTATIVE"
    utc = dt.timezone.utc
    start = event.decoded("dtstart")
    assert start.astimezone(utc) == dt.datetime(2026, 1, 12, 7, tzinfo=utc)
    assert start.replace(tzinfo=None) == dt.datetime(2026, 1, 12, 10)  # Nairobi wall clock
    # The cancelled second Monday, 19 January 10:00 in Nairobi (UTC+3) = 07:00Z.
    assert [d.astimezone(utc) for d in exdates_of(event)] == [
        dt.datetime(2026, 1, 19, 7, tzinfo=utc)]
    # Expanded by dateutil (RRULE from DTSTART, minus EXDATE): exactly the starts still booked.
    rules = du.rruleset()
    rules.rrule(du.rrulestr(event["rrule"].to_ical().decode(), dtstart=start))
    for d in exdates_of(event):
        rules.exdate(d)
    expanded = [t.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ") for t in rules]
    listed = ok("sessions", "--series", 1, cwd=clinic)["sessions"]
    booked = [s["scheduledAt"] for s in listed if s["status"] != "cancelled"]
    assert expanded == booked == [MONDAYS_10[0], MONDAYS_10[2], MONDAYS_10[3]]
    fails("forbidden", "--as", "client:9", "export-ics", "--series", 1, cwd=clinic)
    fails("not_found", "export-ics", "--series", 2, cwd=clinic)
    r = run("--json", "export-ics", "--series", 1, "--provider", 42, cwd=clinic)
    assert r.code == EXIT_CODES["usage"], r


def test_export_ics_series_without_a_stored_rule_writes_one_event_per_booked_session(clinic):
    book_series(clinic)
    ok("--now", NOW, "cancel", 3, cwd=clinic)
    # A series booked before slotbook stored series rules has no row in the series table.
    con = sqlite3.connect(clinic / "slotbook.db")
    try:
        with con:
            con.execute("DELETE FROM series WHERE id = 1")
    finally:
        con.close()
    doc = ok("--now", NOW, "export-ics", "--series", 1, "--domain", "clinic.example", cwd=clinic)
    assert (doc["events"], doc["recurring"], doc["excluded"]) == (3, False, 0)
    events = parse_ics(doc["ics"])
    assert [str(e["uid"]) for e in events] == [
        f"session-{i}@clinic.example" for i in (1, 2, 4)]
    assert all("rrule" not in e for e in events)


# --- import-ics and busy -------------------------------------------------------------------------


def ics(*events):
    """An iCalendar document holding the given VEVENT bodies (lists of content lines)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for body in events:
        lines += ["BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", *body, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


# Monday 2026-01-12, 10:00-11:00 in Nairobi = 07:00-08:00Z; and a free-time event at 12:00
# Nairobi (09:00Z), which must not block.
DENTIST = ["UID:dentist@example.com", "SUMMARY:marker-5c1e Dentist",
           "DTSTART;TZID=Africa/Nairobi:20260112T100000",
           "DTEND;TZID=Africa/Nairobi:20260112T110000"]
LUNCH_FREE = ["UID:free@example.com", "DTSTART:20260112T090000Z", "DURATION:PT1H",
              "TRANSP:TRANSPARENT"]


def monday_slots(cwd, provider=42):
    slots = ok("--now", NOW, "slots", provider, "--from", "2026-01-12", "--to", "2026-01-12",
               cwd=cwd)["availableSlots"]
    return {s["start"]: s.get("reason", "") for s in slots}


def test_import_ics_stores_busy_time_that_blocks_the_slots_it_covers(clinic):
    (clinic / "work.ics").write_text(ics(DENTIST, LUNCH_FREE), newline="")
    doc = ok("--now", NOW, "--as", "provider:42", "import-ics", 42, "work.ics", "--from",
             "2026-01-12", "--to", "2026-01-18", cwd=clinic)
    # The window is the week in Nairobi: 2026-01-12 00:00 EAT = 2026-01-11T21:00Z.
    assert doc == {"provider": 42, "source": "file:work.ics", "from": "2026-01-11T21:00:00Z",
                   "to": "2026-01-18T21:00:00Z", "stored": 1, "removed": 0, "skipped": [],
                   "clashes": []}
    slots = monday_slots(clinic)
    assert slots["2026-01-12T07:00:00Z"] == "booked"
    assert slots["2026-01-12T09:00:00Z"] == ""
    assert [t for t, reason in slots.items() if reason] == ["2026-01-12T07:00:00Z"]
    listed = ok("--now", NOW, "busy", 42, "--from", "2026-01-12", "--to", "2026-01-12",
                cwd=clinic)["blocks"]
    assert listed == [{"source": "file:work.ics", "uid": "dentist@example.com",
                       "begin": "2026-01-12T07:00:00Z", "end": "2026-01-12T08:00:00Z",
                       "allDay": False, "importedAt": NOW}]


def test_booking_into_imported_busy_time_is_a_conflict_naming_the_calendar(clinic):
    (clinic / "work.ics").write_text(ics(DENTIST), newline="")
    ok("--now", NOW, "import-ics", 42, "work.ics", "--source", "google:work", cwd=clinic)
    e = fails("conflict", "--now", NOW, "book", 42, "--client", 7, "--at",
              "2026-01-12T07:00:00Z", cwd=clinic)
    assert 'external calendar "google:work"' in e["message"]
    assert ok("--now", NOW, "sessions", "--client", 7, cwd=clinic)["sessions"] == []


def test_importing_a_calendar_again_replaces_its_busy_time_and_leaves_other_sources(clinic):
    (clinic / "work.ics").write_text(ics(DENTIST), newline="")
    (clinic / "home.ics").write_text(
        ics(["UID:gym@example.com", "DTSTART:20260112T110000Z", "DTEND:20260112T120000Z"]),
        newline="")
    ok("--now", NOW, "import-ics", 42, "work.ics", cwd=clinic)
    ok("--now", NOW, "import-ics", 42, "home.ics", cwd=clinic)
    # The dentist appointment was deleted in the work calendar.
    (clinic / "work.ics").write_text(ics(LUNCH_FREE), newline="")
    again = ok("--now", NOW, "import-ics", 42, "work.ics", cwd=clinic)
    assert (again["stored"], again["removed"]) == (0, 1)
    slots = monday_slots(clinic)
    assert [t for t, reason in slots.items() if reason] == ["2026-01-12T11:00:00Z"]


def test_a_malformed_ics_file_is_refused_naming_its_line_and_changes_nothing(clinic):
    (clinic / "bad.ics").write_text(ics(DENTIST, ["UID:bad@example.com", "DTSTART:2026-01-13"]),
                                    newline="")
    before = dump_rows(clinic / "slotbook.db")
    e = fails("invalid_argument", "--now", NOW, "import-ics", 42, "bad.ics", cwd=clinic)
    # Lines: VCALENDAR 1-3, the dentist's VEVENT 4-10, then BEGIN:VEVENT 11, DTSTAMP 12, UID 13.
    assert e["message"].startswith('ics line 14: "DTSTART:2026-01-13"'), e
    assert dump_rows(clinic / "slotbook.db") == before
    fails("invalid_argument", "import-ics", 42, "missing.ics", cwd=clinic)
    assert dump_rows(clinic / "slotbook.db") == before


def test_an_event_outside_the_supported_subset_is_refused_unless_skipped(clinic):
    birthday = ["UID:birthday@example.com", "DTSTART;VALUE=DATE:20250113", "RRULE:FREQ=YEARLY"]
    (clinic / "cal.ics").write_text(ics(DENTIST, birthday), newline="")
    before = dump_rows(clinic / "slotbook.db")
    e = fails("invalid_argument", "--now", NOW, "import-ics", 42, "cal.ics", cwd=clinic)
    assert "YEARLY" in e["message"]
    assert dump_rows(clinic / "slotbook.db") == before
    doc = ok("--now", NOW, "import-ics", 42, "cal.ics", "--skip-unsupported", cwd=clinic)
    assert doc["stored"] == 1
    assert [(s["line"], s["uid"]) for s in doc["skipped"]] == [(11, "birthday@example.com")]


def test_import_ics_lists_sessions_already_booked_in_the_new_busy_time(clinic):
    book(clinic, 7, "2026-01-12T07:00:00Z")
    (clinic / "work.ics").write_text(ics(DENTIST), newline="")
    doc = ok("--now", NOW, "import-ics", 42, "work.ics", cwd=clinic)
    assert [(c["id"], c["client"], c["status"]) for c in doc["clashes"]] == [
        (1, 7, "scheduled")]
    r = run("--now", NOW, "import-ics", 42, "work.ics", cwd=clinic)
    assert r.code == 0, r
    assert "Clash: session 1 (BK-2026-000001)" in r.out


def test_exported_sessions_import_as_another_calendars_busy_time(clinic):
    # Provider 42's sessions, exported, become provider 43's busy time (one person, two roles).
    ok("provider", "add", 43, "--name", "Dr. Otieno", cwd=clinic)
    ok("availability", "set", 43, "--file", "schedule.json", cwd=clinic)
    book(clinic, 7, "2026-01-12T06:00:00Z")
    book(clinic, 8, "2026-01-12T11:00:00Z")
    ok("--now", NOW, "export-ics", "--provider", 42, "--out", "feed.ics", cwd=clinic)
    doc = ok("--now", NOW, "import-ics", 43, "feed.ics", "--source", "clinic-42", cwd=clinic)
    assert doc["stored"] == 2
    slots = monday_slots(clinic, 43)
    assert [t for t, reason in slots.items() if reason] == ["2026-01-12T06:00:00Z",
                                                             "2026-01-12T11:00:00Z"]


def test_event_titles_of_an_imported_calendar_never_reach_the_database(clinic):
    (clinic / "work.ics").write_text(ics(DENTIST), newline="")
    ok("--now", NOW, "import-ics", 42, "work.ics", cwd=clinic)
    for f in clinic.glob("slotbook.db*"):
        assert b"marker-5c1e" not in f.read_bytes(), f


def test_only_the_provider_or_an_admin_may_import_or_list_busy_time(clinic):
    (clinic / "work.ics").write_text(ics(DENTIST), newline="")
    # Refusals are audited; nothing else changes.
    before = rows_except_audit(clinic / "slotbook.db")
    fails("forbidden", "--now", NOW, "--as", "client:7", "import-ics", 42, "work.ics", cwd=clinic)
    fails("forbidden", "--now", NOW, "--as", "provider:43", "import-ics", 42, "work.ics",
          cwd=clinic)
    fails("forbidden", "--now", NOW, "--as", "client:7", "busy", 42, cwd=clinic)
    e = fails("invalid_argument", "--now", NOW, "import-ics", 42, "work.ics", "--source", "",
              cwd=clinic)
    assert e["message"].startswith("--source")
    fails("not_found", "--now", NOW, "import-ics", 99, "work.ics", cwd=clinic)
    assert rows_except_audit(clinic / "slotbook.db") == before
