"""ICS (iCalendar, RFC 5545) exports read as Google Calendar events.

Many teams can only export `.ics` files (Outlook, Apple Calendar, Thunderbird,
a Google "export"). An export folder of `.ics` files (no `events.jsonl`) is
read as the events the policy expects, in `events.list(singleEvents=true)`
shapes, so the same policy lands the same columns:

- `VEVENT`s: `UID` -> `id` and `iCalUID`; `STATUS` (`CANCELLED` ->
  `cancelled`, `TENTATIVE` -> `tentative`, else `confirmed`; a calendar with
  `METHOD:CANCEL` cancels its events); `CREATED`; `LAST-MODIFIED` (else
  `DTSTAMP`, else `CREATED`) -> `updated`; `ORGANIZER` -> `organizer.email`;
  `ATTENDEE` -> `attendees[]` (`PARTSTAT` -> `responseStatus`:
  `ACCEPTED`/`DECLINED`/`TENTATIVE`/`NEEDS-ACTION` -> `accepted`/`declined`/
  `tentative`/`needsAction`, `DELEGATED` -> `declined` (the invitee handed it
  on); `ROLE=OPT-PARTICIPANT`/`NON-PARTICIPANT` -> `optional`;
  `CUTYPE=RESOURCE`/`ROOM` -> `resource`; the organizer's own entry ->
  `organizer`); `TRANSP:TRANSPARENT` -> `transparency: transparent`;
  `X-MICROSOFT-CDO-BUSYSTATUS:OOF` -> `eventType: outOfOffice`; a Meet,
  Teams or Zoom link (`X-GOOGLE-CONFERENCE`,
  `X-MICROSOFT-SKYPETEAMSMEETINGURL`, or in `LOCATION`, `URL`,
  `DESCRIPTION`) -> `conferenceData.conferenceId`. `SUMMARY`, `DESCRIPTION`
  and `LOCATION` are read (the policy drops them; only "has a description"
  lands).
- Times: `DTSTART`/`DTEND` (or `DURATION`) in UTC (`...Z`: `dateTime` in
  UTC, no `timeZone`), with `TZID` (an IANA name, a Windows time zone id such
  as "W. Europe Standard Time" mapped by CLDR's windowsZones table, or a
  `VTIMEZONE` naming its location; `dateTime` in local time with its offset,
  `timeZone` the IANA name), floating (read in `floating_tz`, UTC by
  default), or dates (all-day: `start.date`, `end.date`; no `DTEND`: one day).
- Recurrence: a series (`RRULE`, `RDATE`) is expanded into its instances as
  Google's `singleEvents=true` does: `id` `<UID>_<original start,
  YYYYMMDDTHHMMSSZ in UTC>` (`<UID>_<YYYYMMDD>` for all-day),
  `recurringEventId` the UID, `originalStartTime`; an `EXDATE` instance is
  `cancelled` (as Google lists a deleted instance with `showDeleted`); a
  `VEVENT` with `RECURRENCE-ID` replaces its instance. A series without an
  end is expanded up to `until` (default: 180 days from now), at most
  `MAX_INSTANCES` instances per series.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from outcomes.errors import OutcomesError

MAX_INSTANCES = 10_000
HORIZON = dt.timedelta(days=180)
UTC = dt.UTC

# CLDR windowsZones.xml, territory "001" (the zone Windows means by each id).
WINDOWS_ZONES = {
    "Dateline Standard Time": "Etc/GMT+12",
    "UTC-11": "Etc/GMT+11",
    "Aleutian Standard Time": "America/Adak",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Alaskan Standard Time": "America/Anchorage",
    "Pacific Standard Time (Mexico)": "America/Tijuana",
    "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time (Mexico)": "America/Mazatlan",
    "Mountain Standard Time": "America/Denver",
    "Central America Standard Time": "America/Guatemala",
    "Central Standard Time": "America/Chicago",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina",
    "SA Pacific Standard Time": "America/Bogota",
    "Eastern Standard Time (Mexico)": "America/Cancun",
    "Eastern Standard Time": "America/New_York",
    "US Eastern Standard Time": "America/Indianapolis",
    "Cuba Standard Time": "America/Havana",
    "Haiti Standard Time": "America/Port-au-Prince",
    "Venezuela Standard Time": "America/Caracas",
    "Atlantic Standard Time": "America/Halifax",
    "SA Western Standard Time": "America/La_Paz",
    "Pacific SA Standard Time": "America/Santiago",
    "Paraguay Standard Time": "America/Asuncion",
    "Newfoundland Standard Time": "America/St_Johns",
    "E. South America Standard Time": "America/Sao_Paulo",
    "Argentina Standard Time": "America/Buenos_Aires",
    "SA Eastern Standard Time": "America/Cayenne",
    "Greenland Standard Time": "America/Godthab",
    "Montevideo Standard Time": "America/Montevideo",
    "UTC-02": "Etc/GMT+2",
    "Azores Standard Time": "Atlantic/Azores",
    "Cape Verde Standard Time": "Atlantic/Cape_Verde",
    "UTC": "Etc/UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Morocco Standard Time": "Africa/Casablanca",
    "Sao Tome Standard Time": "Africa/Sao_Tome",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "GTB Standard Time": "Europe/Bucharest",
    "E. Europe Standard Time": "Europe/Chisinau",
    "Egypt Standard Time": "Africa/Cairo",
    "South Africa Standard Time": "Africa/Johannesburg",
    "FLE Standard Time": "Europe/Kiev",
    "Israel Standard Time": "Asia/Jerusalem",
    "Jordan Standard Time": "Asia/Amman",
    "Middle East Standard Time": "Asia/Beirut",
    "Syria Standard Time": "Asia/Damascus",
    "West Bank Standard Time": "Asia/Hebron",
    "Namibia Standard Time": "Africa/Windhoek",
    "Kaliningrad Standard Time": "Europe/Kaliningrad",
    "Turkey Standard Time": "Europe/Istanbul",
    "Arabic Standard Time": "Asia/Baghdad",
    "Arab Standard Time": "Asia/Riyadh",
    "Belarus Standard Time": "Europe/Minsk",
    "Russian Standard Time": "Europe/Moscow",
    "Volgograd Standard Time": "Europe/Volgograd",
    "E. Africa Standard Time": "Africa/Nairobi",
    "Iran Standard Time": "Asia/Tehran",
    "Arabian Standard Time": "Asia/Dubai",
    "Russia Time Zone 3": "Europe/Samara",
    "Saratov Standard Time": "Europe/Saratov",
    "Azerbaijan Standard Time": "Asia/Baku",
    "Georgian Standard Time": "Asia/Tbilisi",
    "Caucasus Standard Time": "Asia/Yerevan",
    "Mauritius Standard Time": "Indian/Mauritius",
    "Afghanistan Standard Time": "Asia/Kabul",
    "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
    "Pakistan Standard Time": "Asia/Karachi",
    "West Asia Standard Time": "Asia/Tashkent",
    "India Standard Time": "Asia/Calcutta",
    "Sri Lanka Standard Time": "Asia/Colombo",
    "Nepal Standard Time": "Asia/Katmandu",
    "Central Asia Standard Time": "Asia/Bishkek",
    "Bangladesh Standard Time": "Asia/Dhaka",
    "Myanmar Standard Time": "Asia/Rangoon",
    "SE Asia Standard Time": "Asia/Bangkok",
    "N. Central Asia Standard Time": "Asia/Novosibirsk",
    "North Asia Standard Time": "Asia/Krasnoyarsk",
    "China Standard Time": "Asia/Shanghai",
    "Singapore Standard Time": "Asia/Singapore",
    "W. Australia Standard Time": "Australia/Perth",
    "Taipei Standard Time": "Asia/Taipei",
    "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
    "Tokyo Standard Time": "Asia/Tokyo",
    "Korea Standard Time": "Asia/Seoul",
    "Yakutsk Standard Time": "Asia/Yakutsk",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Central Standard Time": "Australia/Darwin",
    "E. Australia Standard Time": "Australia/Brisbane",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "Tasmania Standard Time": "Australia/Hobart",
    "West Pacific Standard Time": "Pacific/Port_Moresby",
    "Vladivostok Standard Time": "Asia/Vladivostok",
    "Magadan Standard Time": "Asia/Magadan",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Chatham Islands Standard Time": "Pacific/Chatham",
    "Fiji Standard Time": "Pacific/Fiji",
    "Tonga Standard Time": "Pacific/Tongatapu",
    "Samoa Standard Time": "Pacific/Apia",
    "Line Islands Standard Time": "Pacific/Kiritimati",
}

PARTSTAT = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "NEEDS-ACTION": "needsAction",
    "DELEGATED": "declined",
}
STATUS = {"CANCELLED": "cancelled", "TENTATIVE": "tentative", "CONFIRMED": "confirmed"}
MEETING_LINK = re.compile(
    r"https://(?:meet\.google\.com/[a-z\-]+|teams\.microsoft\.com/l/meetup-join/\S+"
    r"|[\w.-]*zoom\.us/j/\d+)",
    re.IGNORECASE,
)
DURATION = re.compile(
    r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE
)
UPDATED_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"


class IcsError(OutcomesError):
    """An ICS file we cannot read (its path and line said)."""


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> Prop | None:
        for prop in self.props:
            if prop.name == name:
                return prop
        return None

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]

    def value(self, name: str) -> str | None:
        prop = self.get(name)
        return prop.value if prop else None


# -- the syntax: unfolding, parameters, components ---------------------------------


def unfold(text: str) -> list[str]:
    """Content lines: a line starting with a space or a tab continues the one before."""
    lines: list[str] = []
    for line in re.split(r"\r\n|\n|\r", text):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        elif line.strip():
            lines.append(line)
    return lines


def parse_line(line: str) -> Prop:
    """`NAME;PARAM=value;PARAM="quoted:value":value` (a quoted part may hold ; : ,)."""
    i, n = 0, len(line)
    parts: list[str] = []
    current = []
    quoted = False
    while i < n:
        ch = line[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in ";:":
            parts.append("".join(current))
            current = []
            if ch == ":":
                return _prop(parts, line[i + 1 :])
        else:
            current.append(ch)
        i += 1
    raise IcsError(f"no ':' in the content line {line[:40]!r}")


def _prop(parts: list[str], value: str) -> Prop:
    params: dict[str, str] = {}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        params[key.upper()] = val
    return Prop(parts[0].upper(), params, value)


def parse(text: str) -> list[Component]:
    """The top-level components (VCALENDARs) of an iCalendar text."""
    root = Component("ROOT")
    stack = [root]
    for line in unfold(text):
        prop = parse_line(line)
        if prop.name == "BEGIN":
            child = Component(prop.value.upper())
            stack[-1].children.append(child)
            stack.append(child)
        elif prop.name == "END":
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].props.append(prop)
    return root.children


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


# -- time ----------------------------------------------------------------------------


def zone(name: str | None, vtimezones: dict[str, Component] | None = None) -> dt.tzinfo | None:
    """A TZID as a time zone: IANA, Windows (CLDR), a VTIMEZONE's location; None if unknown."""
    if not name:
        return None
    name = name.strip().strip('"')
    candidates = [name, WINDOWS_ZONES.get(name, "")]
    # Mozilla/Lotus style prefixes: "/mozilla.org/20070129_1/Europe/Berlin"
    pieces = name.strip("/").split("/")
    candidates += ["/".join(pieces[-2:]), "/".join(pieces[-3:])]
    vtz = (vtimezones or {}).get(name)
    if vtz is not None:
        candidates.append(vtz.value("X-LIC-LOCATION") or "")
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if vtz is not None:  # a VTIMEZONE without a known name: its standard offset
        for child in vtz.children:
            if child.name == "STANDARD" and child.value("TZOFFSETTO"):
                return _fixed(child.value("TZOFFSETTO") or "+0000")
    return None


def _fixed(offset: str) -> dt.timezone:
    sign = -1 if offset.startswith("-") else 1
    digits = offset.lstrip("+-")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


@dataclass(frozen=True)
class When:
    """A DTSTART-like value: a date (all-day) or an aware datetime."""

    value: dt.datetime | dt.date
    zone_name: str | None = None  # the IANA name when the time had a TZID

    @property
    def all_day(self) -> bool:
        return not isinstance(self.value, dt.datetime)

    def utc(self) -> dt.datetime:
        if isinstance(self.value, dt.datetime):
            return self.value.astimezone(UTC)
        return dt.datetime(self.value.year, self.value.month, self.value.day, tzinfo=UTC)

    def google(self) -> dict[str, str]:
        if isinstance(self.value, dt.datetime):
            out = {"dateTime": _rfc3339(self.value)}
            if self.zone_name:
                out["timeZone"] = self.zone_name
            return out
        return {"date": self.value.isoformat()}

    def stamp(self) -> str:
        """Google's suffix of an instance id."""
        if isinstance(self.value, dt.datetime):
            return self.utc().strftime("%Y%m%dT%H%M%SZ")
        return self.value.strftime("%Y%m%d")


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is UTC:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="seconds")


class Reader:
    """Values of one VCALENDAR, with its time zones and the floating zone."""

    def __init__(self, calendar: Component, floating: dt.tzinfo) -> None:
        self.vtimezones = {
            c.value("TZID") or "": c for c in calendar.children if c.name == "VTIMEZONE"
        }
        self.floating = floating

    def when(self, prop: Prop | None, value: str | None = None) -> When | None:
        if prop is None:
            return None
        text = (value if value is not None else prop.value).strip()
        tzid = prop.params.get("TZID")
        return self.parse_when(text, tzid, prop.params.get("VALUE", "").upper() == "DATE")

    def parse_when(self, text: str, tzid: str | None, is_date: bool = False) -> When:
        if is_date or re.fullmatch(r"\d{8}", text):
            return When(dt.datetime.strptime(text[:8], "%Y%m%d").date())
        try:
            naive = dt.datetime.strptime(text.rstrip("Zz")[:15], "%Y%m%dT%H%M%S")
        except ValueError:
            raise IcsError(f"not an iCalendar date-time: {text!r}") from None
        if text.upper().endswith("Z"):
            return When(naive.replace(tzinfo=UTC))
        tz = zone(tzid, self.vtimezones) if tzid else None
        if tz is not None:
            name = getattr(tz, "key", None)
            return When(naive.replace(tzinfo=tz), name)
        return When(naive.replace(tzinfo=self.floating))

    def whens(self, props: Iterable[Prop]) -> list[When]:
        out = []
        for prop in props:
            if prop.params.get("VALUE", "").upper() == "PERIOD":
                values = [v.split("/")[0] for v in prop.value.split(",")]
            else:
                values = prop.value.split(",")
            out += [self.when(prop, v) for v in values if v.strip()]  # type: ignore[misc]
        return out


def duration(text: str) -> dt.timedelta:
    match = DURATION.match(text.strip())
    if not match:
        raise IcsError(f"not an iCalendar duration: {text!r}")
    sign, weeks, days, hours, minutes, seconds = match.groups()
    delta = dt.timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
    )
    return -delta if sign == "-" else delta


def _utc_text(value: str) -> str:
    when = dt.datetime.strptime(value.rstrip("Zz")[:15], "%Y%m%dT%H%M%S")
    return when.replace(tzinfo=UTC).strftime(UPDATED_FORMAT)


# -- events ----------------------------------------------------------------------------


def _email(value: str) -> str:
    return re.sub(r"^mailto:", "", value.strip(), flags=re.IGNORECASE).lower()


def _event(reader: Reader, ev: Component, cancel_all: bool) -> dict[str, Any]:
    """One VEVENT as a Google event (without recurrence expansion)."""
    uid = (ev.value("UID") or "").strip()
    rec: dict[str, Any] = {"kind": "calendar#event"}
    if uid:
        rec["id"] = uid
    status = STATUS.get((ev.value("STATUS") or "").upper(), "confirmed")
    rec["status"] = "cancelled" if cancel_all else status
    created = ev.value("CREATED")
    if created:
        rec["created"] = _utc_text(created)
    updated = ev.value("LAST-MODIFIED") or ev.value("DTSTAMP") or created
    if updated:
        rec["updated"] = _utc_text(updated)
    for name, key in (("SUMMARY", "summary"), ("DESCRIPTION", "description")):
        text = ev.value(name)
        if text and unescape(text).strip():
            rec[key] = unescape(text)
    location = ev.value("LOCATION")
    if location:
        rec["location"] = unescape(location)
    organizer = ev.get("ORGANIZER")
    organizer_email = _email(organizer.value) if organizer else None
    if organizer_email:
        rec["organizer"] = {"email": organizer_email}
    start = reader.when(ev.get("DTSTART"))
    if start is None:
        raise IcsError(f"VEVENT {uid or '(no UID)'} has no DTSTART")
    rec["start"] = start.google()
    rec["_start"] = start
    end = reader.when(ev.get("DTEND"))
    if end is None:
        if ev.value("DURATION"):
            end = _shift(start, duration(ev.value("DURATION") or "PT0S"))
        else:
            end = _shift(start, dt.timedelta(days=1 if start.all_day else 0))
    rec["end"] = end.google()
    rec["_length"] = end.utc() - start.utc() if not start.all_day else end.value - start.value  # type: ignore[operator]
    if (ev.value("TRANSP") or "").upper() == "TRANSPARENT":
        rec["transparency"] = "transparent"
    if uid:
        rec["iCalUID"] = uid
    rec["sequence"] = int(ev.value("SEQUENCE") or 0)
    attendees = []
    for prop in ev.all("ATTENDEE"):
        email = _email(prop.value)
        if not email:
            continue
        attendee: dict[str, Any] = {"email": email}
        if email == organizer_email:
            attendee["organizer"] = True
        if prop.params.get("CUTYPE", "").upper() in ("RESOURCE", "ROOM"):
            attendee["resource"] = True
        if prop.params.get("ROLE", "").upper() in ("OPT-PARTICIPANT", "NON-PARTICIPANT"):
            attendee["optional"] = True
        attendee["responseStatus"] = PARTSTAT.get(
            prop.params.get("PARTSTAT", "NEEDS-ACTION").upper(), "needsAction"
        )
        attendees.append(attendee)
    if attendees:
        rec["attendees"] = attendees
    link = ev.value("X-GOOGLE-CONFERENCE") or ev.value("X-MICROSOFT-SKYPETEAMSMEETINGURL")
    if not link:
        for name in ("LOCATION", "URL", "DESCRIPTION"):
            found = MEETING_LINK.search(unescape(ev.value(name) or ""))
            if found:
                link = found.group(0)
                break
    if link:
        rec["conferenceData"] = {"conferenceId": link.strip()}
    busy = (ev.value("X-MICROSOFT-CDO-BUSYSTATUS") or "").upper()
    rec["eventType"] = "outOfOffice" if busy == "OOF" else "default"
    return rec


def _shift(when: When, delta: dt.timedelta) -> When:
    if isinstance(when.value, dt.datetime):
        moment = when.value + delta  # wall clock: a 1-hour meeting stays 1 hour in local time
        return When(moment, when.zone_name)
    return When(when.value + dt.timedelta(days=delta.days), None)


def _instance(
    series: dict[str, Any], at: When, override: dict[str, Any] | None, cancelled: bool
) -> dict[str, Any]:
    base = dict(override or series)
    uid = series["id"]
    base["id"] = f"{uid}_{at.stamp()}"
    base["recurringEventId"] = uid
    base["originalStartTime"] = at.google()
    if override is None:
        base["start"] = at.google()
        base["end"] = _end_of(at, series["_length"]).google()
    if cancelled:
        base["status"] = "cancelled"
    return base


def _end_of(start: When, length: dt.timedelta) -> When:
    if isinstance(start.value, dt.datetime):
        return When(start.value + length, start.zone_name)
    return When(start.value + length, None)


def _occurrences(reader: Reader, ev: Component, start: When, horizon: dt.datetime) -> list[When]:
    rules = ev.all("RRULE")
    found: dict[dt.datetime, When] = {start.utc(): start}
    if rules:
        base: dt.datetime = (
            start.value
            if isinstance(start.value, dt.datetime)
            else dt.datetime.combine(start.value, dt.time())
        )
        for prop in rules:
            parts = [p for p in prop.value.split(";") if p]
            until_text = next((p[6:] for p in parts if p.upper().startswith("UNTIL=")), None)
            kept = ";".join(p for p in parts if not p.upper().startswith("UNTIL="))
            until = _until(until_text, base.tzinfo or reader.floating)
            rule = rrulestr(f"RRULE:{kept}", dtstart=base)
            for count, moment in enumerate(rule):
                when = When(moment, start.zone_name) if not start.all_day else When(moment.date())
                instant = when.utc()
                if (until is not None and instant > until) or instant > horizon:
                    break
                if count >= MAX_INSTANCES:
                    break
                found.setdefault(instant, when)
    for when in reader.whens(ev.all("RDATE")):
        if when.utc() <= horizon:
            found.setdefault(when.utc(), when)
    return [found[k] for k in sorted(found)]


def _until(text: str | None, tz: dt.tzinfo) -> dt.datetime | None:
    """A rule's UNTIL as a UTC instant: UTC (`Z`), local (DTSTART's zone), or a
    date (its whole day)."""
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        day = dt.datetime.strptime(text, "%Y%m%d") + dt.timedelta(days=1, seconds=-1)
        return day.replace(tzinfo=tz).astimezone(UTC)
    moment = dt.datetime.strptime(text.rstrip("Zz")[:15], "%Y%m%dT%H%M%S")
    if text.upper().endswith("Z"):
        return moment.replace(tzinfo=UTC)
    return moment.replace(tzinfo=tz).astimezone(UTC)


def calendar_records(
    text: str, until: dt.datetime | None = None, floating_tz: str = "UTC"
) -> Iterator[dict[str, Any]]:
    """The events of an iCalendar text, expanded like `singleEvents=true`."""
    horizon = until or dt.datetime.now(UTC) + HORIZON
    if horizon.tzinfo is None:
        horizon = horizon.replace(tzinfo=UTC)
    floating = ZoneInfo(floating_tz)
    for calendar in parse(text):
        if calendar.name != "VCALENDAR":
            continue
        reader = Reader(calendar, floating)
        cancel_all = (calendar.value("METHOD") or "").upper() == "CANCEL"
        masters: list[tuple[Component, dict[str, Any]]] = []
        overrides: dict[tuple[str, dt.datetime], dict[str, Any]] = {}
        for ev in calendar.children:
            if ev.name != "VEVENT":
                continue
            rec = _event(reader, ev, cancel_all)
            recurrence_id = ev.get("RECURRENCE-ID")
            if recurrence_id is not None and rec.get("id"):
                original = reader.when(recurrence_id)
                assert original is not None
                rec["_original"] = original
                overrides[(rec["id"], original.utc())] = rec
            else:
                masters.append((ev, rec))
        used: set[tuple[str, dt.datetime]] = set()
        for ev, rec in masters:
            if not rec.get("id") or not (ev.get("RRULE") or ev.get("RDATE")):
                yield _clean(rec)
                continue
            excluded = {w.utc() for w in reader.whens(ev.all("EXDATE"))}
            for at in _occurrences(reader, ev, rec["_start"], horizon):
                key = (rec["id"], at.utc())
                override = overrides.get(key)
                if override is not None:
                    used.add(key)
                yield _clean(_instance(rec, at, override, at.utc() in excluded))
        for key, rec in overrides.items():  # an instance moved in from outside the series
            if key not in used:
                yield _clean(_instance({**rec, "id": key[0]}, rec["_original"], rec, False))


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def ics_to_records(
    path: Path, until: dt.datetime | None = None, floating_tz: str = "UTC"
) -> Iterator[dict[str, Any]]:
    """The events of an `.ics` file in `events.jsonl` shapes (see the module's doc)."""
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    try:
        yield from calendar_records(text, until, floating_tz)
    except IcsError as exc:
        raise IcsError(f"{Path(path).name}: {exc}") from None
