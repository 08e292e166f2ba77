"""ICS exports (Outlook, Apple) read as Google Calendar events: hand-written
files whose records are computed by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from outcomes.config import SourceConfig
from pipelines.calendar.ics import WINDOWS_ZONES, IcsError, calendar_records, ics_to_records
from pipelines.common.load import load_source
from tests.api.conftest import LOADED_AT, NOW, SALT

UNTIL = dt.datetime(2026, 12, 31, tzinfo=dt.UTC)

# Outlook: a Windows time zone id, its VTIMEZONE, a folded line, quoted CN with a comma.
OUTLOOK = (
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
    "VERSION:2.0\r\n"
    "METHOD:PUBLISH\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:W. Europe Standard Time\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:16011028T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    'ORGANIZER;CN="Lind, Anna":mailto:Anna.Lind@Example.com\r\n'
    'ATTENDEE;CN="Lind, Anna";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:anna.lind@example.com\r\n'
    "ATTENDEE;CN=Bo Berg;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;RSVP=TRUE:mailto:bo@example.com\r\n"
    "ATTENDEE;CN=Cy;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:cy@example.com\r\n"
    "ATTENDEE;CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Room 4:mailto:room4@ex\r\n"
    " ample.com\r\n"
    "DESCRIPTION:Agenda: roadmap\\, hiring\\nJoin: https://teams.microsoft.com/l/meetup-join/19%3am\r\n"
    " eeting_abc\r\n"
    "UID:040000008200E00074C5B7101A82E00800000000\r\n"
    "SUMMARY;LANGUAGE=en-US:Roadmap review\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20261013T143000\r\n"
    "DTEND;TZID=W. Europe Standard Time:20261013T150000\r\n"
    "CLASS:PUBLIC\r\n"
    "PRIORITY:5\r\n"
    "DTSTAMP:20261001T080000Z\r\n"
    "CREATED:20260930T101500Z\r\n"
    "LAST-MODIFIED:20261002T091000Z\r\n"
    "SEQUENCE:2\r\n"
    "TRANSP:OPAQUE\r\n"
    "STATUS:CONFIRMED\r\n"
    "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)

OUTLOOK_EVENT = {
    "kind": "calendar#event",
    "id": "040000008200E00074C5B7101A82E00800000000",
    "status": "confirmed",
    "created": "2026-09-30T10:15:00.000Z",
    "updated": "2026-10-02T09:10:00.000Z",
    "summary": "Roadmap review",
    "description": "Agenda: roadmap, hiring\nJoin: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc",
    "organizer": {"email": "anna.lind@example.com"},
    "start": {"dateTime": "2026-10-13T14:30:00+02:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2026-10-13T15:00:00+02:00", "timeZone": "Europe/Berlin"},
    "iCalUID": "040000008200E00074C5B7101A82E00800000000",
    "sequence": 2,
    "attendees": [
        {"email": "anna.lind@example.com", "organizer": True, "responseStatus": "accepted"},
        {"email": "bo@example.com", "responseStatus": "declined"},
        {"email": "cy@example.com", "optional": True, "responseStatus": "needsAction"},
        {
            "email": "room4@example.com",
            "resource": True,
            "optional": True,
            "responseStatus": "accepted",
        },
    ],
    "conferenceData": {
        "conferenceId": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"
    },
    "eventType": "default",
}

# A weekly series across the US end of summer time (1 Nov 2026), one instance
# deleted (EXDATE), one moved an hour later (RECURRENCE-ID) with a new answer.
SERIES = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//macOS 15.0//EN
BEGIN:VEVENT
UID:weekly-1@example.com
DTSTAMP:20261001T000000Z
LAST-MODIFIED:20261005T120000Z
DTSTART;TZID=Pacific Standard Time:20261020T090000
DTEND;TZID=Pacific Standard Time:20261020T093000
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU
EXDATE;TZID=Pacific Standard Time:20261027T090000
ORGANIZER:mailto:pat@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:pat@example.com
ATTENDEE;PARTSTAT=TENTATIVE:mailto:quinn@example.com
LOCATION:https://meet.google.com/abc-defg-hij
SUMMARY:1:1
END:VEVENT
BEGIN:VEVENT
UID:weekly-1@example.com
RECURRENCE-ID;TZID=Pacific Standard Time:20261103T090000
DTSTAMP:20261001T000000Z
LAST-MODIFIED:20261030T170000Z
DTSTART;TZID=Pacific Standard Time:20261103T100000
DTEND;TZID=Pacific Standard Time:20261103T103000
ORGANIZER:mailto:pat@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:pat@example.com
ATTENDEE;PARTSTAT=DECLINED:mailto:quinn@example.com
SUMMARY:1:1 (moved)
END:VEVENT
END:VCALENDAR
"""


def _series_instance(stamp, start, end, status="confirmed", **more):
    attendees = [
        {"email": "pat@example.com", "organizer": True, "responseStatus": "accepted"},
        {"email": "quinn@example.com", "responseStatus": "tentative"},
    ]
    record = {
        "kind": "calendar#event",
        "id": f"weekly-1@example.com_{stamp}",
        "status": status,
        "updated": "2026-10-05T12:00:00.000Z",
        "summary": "1:1",
        "location": "https://meet.google.com/abc-defg-hij",
        "organizer": {"email": "pat@example.com"},
        "start": {"dateTime": start, "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": end, "timeZone": "America/Los_Angeles"},
        "iCalUID": "weekly-1@example.com",
        "sequence": 0,
        "attendees": attendees,
        "conferenceData": {"conferenceId": "https://meet.google.com/abc-defg-hij"},
        "eventType": "default",
        "recurringEventId": "weekly-1@example.com",
        "originalStartTime": {"dateTime": start, "timeZone": "America/Los_Angeles"},
    }
    record.update(more)
    return record


def test_an_outlook_event_with_a_windows_time_zone():
    assert list(calendar_records(OUTLOOK, UNTIL)) == [OUTLOOK_EVENT]


def test_a_series_is_expanded_like_single_events():
    records = list(calendar_records(SERIES, UNTIL))
    moved = {
        "kind": "calendar#event",
        "id": "weekly-1@example.com_20261103T170000Z",
        "status": "confirmed",
        "updated": "2026-10-30T17:00:00.000Z",
        "summary": "1:1 (moved)",
        "organizer": {"email": "pat@example.com"},
        "start": {"dateTime": "2026-11-03T10:00:00-08:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-11-03T10:30:00-08:00", "timeZone": "America/Los_Angeles"},
        "iCalUID": "weekly-1@example.com",
        "sequence": 0,
        "attendees": [
            {"email": "pat@example.com", "organizer": True, "responseStatus": "accepted"},
            {"email": "quinn@example.com", "responseStatus": "declined"},
        ],
        "eventType": "default",
        "recurringEventId": "weekly-1@example.com",
        "originalStartTime": {
            "dateTime": "2026-11-03T09:00:00-08:00",
            "timeZone": "America/Los_Angeles",
        },
    }
    assert records == [
        _series_instance(
            "20261020T160000Z", "2026-10-20T09:00:00-07:00", "2026-10-20T09:30:00-07:00"
        ),
        _series_instance(
            "20261027T160000Z",
            "2026-10-27T09:00:00-07:00",
            "2026-10-27T09:30:00-07:00",
            status="cancelled",
        ),
        moved,
        _series_instance(
            "20261110T170000Z", "2026-11-10T09:00:00-08:00", "2026-11-10T09:30:00-08:00"
        ),
    ]


OTHERS = """BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:utc-cancelled
DTSTAMP:20261014T120000Z
DTSTART:20261015T080000Z
DTEND:20261015T090000Z
STATUS:CANCELLED
ORGANIZER:mailto:x@example.com
END:VEVENT
BEGIN:VEVENT
UID:floating
DTSTAMP:20261014T120000Z
DTSTART:20261016T100000
DURATION:PT45M
END:VEVENT
BEGIN:VEVENT
UID:ooo
DTSTAMP:20261014T120000Z
DTSTART;VALUE=DATE:20261102
TRANSP:TRANSPARENT
X-MICROSOFT-CDO-BUSYSTATUS:OOF
END:VEVENT
BEGIN:VEVENT
UID:london
DTSTAMP:20261014T120000Z
DTSTART;TZID=/mozilla.org/20070129_1/Europe/London:20261030T093000
DTEND;TZID="Europe/London":20261030T100000
END:VEVENT
BEGIN:VEVENT
UID:standup
DTSTAMP:20261014T120000Z
DTSTART;TZID=Tokyo Standard Time:20261228T091500
DTEND;TZID=Tokyo Standard Time:20261228T093000
RRULE:FREQ=DAILY;INTERVAL=1
END:VEVENT
BEGIN:VEVENT
UID:until-local
DTSTAMP:20261014T120000Z
DTSTART;TZID=Europe/Paris:20261201T180000
DTEND;TZID=Europe/Paris:20261201T190000
RRULE:FREQ=WEEKLY;UNTIL=20261215T170000Z
END:VEVENT
END:VCALENDAR
"""


def test_utc_floating_all_day_and_prefixed_zones():
    records = {r["id"]: r for r in calendar_records(OTHERS, UNTIL)}
    cancelled = records["utc-cancelled"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["start"] == {"dateTime": "2026-10-15T08:00:00Z"}
    assert cancelled["updated"] == "2026-10-14T12:00:00.000Z" and "attendees" not in cancelled
    assert records["floating"]["start"] == {"dateTime": "2026-10-16T10:00:00+00:00"}
    assert records["floating"]["end"] == {"dateTime": "2026-10-16T10:45:00+00:00"}
    ooo = records["ooo"]
    assert ooo["start"] == {"date": "2026-11-02"} and ooo["end"] == {"date": "2026-11-03"}
    assert ooo["transparency"] == "transparent" and ooo["eventType"] == "outOfOffice"
    london = records["london"]  # GMT on 30 October 2026 (summer time ended on the 25th)
    assert london["start"] == {"dateTime": "2026-10-30T09:30:00+00:00", "timeZone": "Europe/London"}
    # a daily series without an end: up to `until` (28, 29, 30 December; the 31st starts after 00:00 UTC)
    standups = sorted(k for k in records if k.startswith("standup_"))
    assert standups == [
        "standup_20261228T001500Z",
        "standup_20261229T001500Z",
        "standup_20261230T001500Z",
    ]
    assert records["standup_20261228T001500Z"]["start"] == {
        "dateTime": "2026-12-28T09:15:00+09:00",
        "timeZone": "Asia/Tokyo",
    }
    # UNTIL 15 Dec 17:00 UTC = 18:00 Paris: the 15th is the last instance
    assert sorted(k for k in records if k.startswith("until-local_")) == [
        "until-local_20261201T170000Z",
        "until-local_20261208T170000Z",
        "until-local_20261215T170000Z",
    ]


def test_floating_times_in_a_chosen_zone():
    records = {r["id"]: r for r in calendar_records(OTHERS, UNTIL, floating_tz="Europe/Berlin")}
    assert records["floating"]["start"] == {"dateTime": "2026-10-16T10:00:00+02:00"}


def test_a_cancelled_calendar_cancels_its_events():
    text = OUTLOOK.replace("METHOD:PUBLISH", "METHOD:CANCEL")
    assert [r["status"] for r in calendar_records(text, UNTIL)] == ["cancelled"]


def test_every_windows_zone_is_a_known_iana_zone():
    from zoneinfo import ZoneInfo

    assert len(WINDOWS_ZONES) >= 50
    for name in WINDOWS_ZONES.values():
        ZoneInfo(name)
    try:  # when tzlocal (CLDR's table) is installed, ours agrees with it
        from tzlocal.windows_tz import win_tz
    except ImportError:
        return
    assert {k: v for k, v in WINDOWS_ZONES.items() if k in win_tz} == {
        k: win_tz[k] for k in WINDOWS_ZONES if k in win_tz
    }


def test_a_broken_file_names_itself(tmp_path):
    path = tmp_path / "broken.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nno colon here\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    with pytest.raises(IcsError, match=r"broken\.ics"):
        list(ics_to_records(path))


def test_an_ics_export_folder_loads_as_the_policy_reads_it(tmp_path):
    exports = tmp_path / "calendar"
    exports.mkdir()
    (exports / "anna.ics").write_text(OUTLOOK)
    (exports / "pat.ics").write_bytes(SERIES.replace("\n", "\r\n").encode())
    warehouse = tmp_path / "wh.duckdb"
    load = load_source(SourceConfig("calendar", exports), warehouse, SALT, LOADED_AT, now=NOW)
    assert load.published
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        events = con.execute(
            "select event_id, event_status, recurring_event_id, has_agenda, has_conference, "
            "start_at, end_at, start_time_zone, attendee_count, updated_at "
            "from raw_calendar.events order by start_at"
        ).fetchall()
        answers = con.execute(
            "select event_id, response_status, is_organizer, is_resource, is_optional "
            "from raw_calendar.event_attendees order by event_id, response_status"
        ).fetchall()
    finally:
        con.close()
    uid = "040000008200E00074C5B7101A82E00800000000"
    assert events == [
        (
            uid,
            "confirmed",
            None,
            True,
            True,
            dt.datetime(2026, 10, 13, 12, 30),
            dt.datetime(2026, 10, 13, 13, 0),
            "Europe/Berlin",
            4,
            dt.datetime(2026, 10, 2, 9, 10),
        ),
        *[
            (
                f"weekly-1@example.com_{stamp}",
                status,
                "weekly-1@example.com",
                False,
                conference,
                start,
                start + dt.timedelta(minutes=30),
                "America/Los_Angeles",
                2,
                updated,
            )
            for stamp, status, conference, start, updated in [
                (
                    "20261020T160000Z",
                    "confirmed",
                    True,
                    dt.datetime(2026, 10, 20, 16),
                    dt.datetime(2026, 10, 5, 12),
                ),
                (
                    "20261027T160000Z",
                    "cancelled",
                    True,
                    dt.datetime(2026, 10, 27, 16),
                    dt.datetime(2026, 10, 5, 12),
                ),
                (
                    "20261103T170000Z",
                    "confirmed",
                    False,
                    dt.datetime(2026, 11, 3, 18),
                    dt.datetime(2026, 10, 30, 17),
                ),
                (
                    "20261110T170000Z",
                    "confirmed",
                    True,
                    dt.datetime(2026, 11, 10, 17),
                    dt.datetime(2026, 10, 5, 12),
                ),
            ]
        ],
    ]
    assert answers[:4] == [
        (uid, "accepted", True, None, None),
        (uid, "accepted", None, True, True),
        (uid, "declined", None, None, None),
        (uid, "needsAction", None, None, True),
    ]
    assert ("weekly-1@example.com_20261103T170000Z", "declined", None, None, None) in answers
    assert len(answers) == 4 + 4 * 2
    written = b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".ics"
    )
    assert b"Roadmap review" not in written and b"hiring" not in written


def test_a_jsonl_export_wins_over_ics(tmp_path):
    exports = Path(tmp_path)
    (exports / "x.ics").write_text(OUTLOOK)
    (exports / "events.jsonl").write_text("")
    from pipelines.common.policy import load_policy
    from pipelines.common.source import converted_files

    table = load_policy("calendar").tables[0]
    assert converted_files("calendar", table, exports) == []
    (exports / "events.jsonl").unlink()
    assert converted_files("calendar", table, exports) == [exports / "x.ics"]
