"""Google Calendar: events.list(singleEvents=true) shapes, one org-wide export.

Each meeting appears once (from its organizer's calendar). Recurring series
(1:1s, standups, team weeklies, all-hands, the planted sync) are expanded
into instances with `recurringEventId` and Google's instance id format;
instances that fall on a public holiday come back `cancelled`. One-off
meetings, focus-time blocks and all-day events fill the rest. Times are the
organizer's local time with offset, plus `timeZone`.
Planted: a weekly 60-minute meeting with >= 30 invitees that about half decline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import DAY, SCHEDULES, TIMEZONES, day_to_epoch, iso_ms_z, local_iso
from .ids import as_str, calendar_ids
from .org import Org
from .text import body_of, meeting_titles_of, text_codes
from .writer import Breakage, Record, ToolOutput, chunks

SALT = 3
ALL_HANDS_CAP = 300
PLANTED_INVITEES = 40
# responseStatus profiles: (accepted, tentative, declined, needsAction) probabilities
NORMAL = (0.75, 0.07, 0.08, 0.10)
DECLINY = (0.35, 0.05, 0.50, 0.10)
RESPONSES = ("accepted", "tentative", "declined", "needsAction")
ROOMS = ("Atlas (8)", "Borealis (4)", "Cosmos (12)", "Delta (6)", "Equinox (20)")


@dataclass
class Series:
    organizer: int
    attendees: list[int]
    weekdays: tuple[int, ...]
    period: int  # weeks between occurrences
    minute: int  # local start, minutes after midnight
    duration: int  # minutes
    summary: str
    description: str | None
    profile: tuple[float, ...] = NORMAL
    conference: bool = True
    room: str | None = None
    id: str = ""
    created: int = 0


def _conference(code: str) -> Record:
    return {
        "conferenceId": code,
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": f"https://meet.google.com/{code}",
                "label": f"meet.google.com/{code}",
            }
        ],
    }


def _meet_code(event_id: str) -> str:
    s = event_id[:10]
    return f"{s[:3]}-{s[3:7]}-{s[7:10]}"


def _to_utc(org: Org, tz: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Local wall-clock seconds (as if UTC) -> UTC seconds, DST-aware."""
    off = org.clock.offset(tz, local)
    return local - org.clock.offset(tz, local - off)


def _series(org: Org, rng: np.random.Generator) -> list[Series]:
    out: list[Series] = []
    members = {t.index: t.members.tolist() for t in org.teams}
    # 1:1s: every manager with each report, weekly or fortnightly
    for p in range(org.people):
        m = int(org.manager[p])
        if m < 0:
            continue
        out.append(
            Series(
                m,
                [m, p],
                (int(rng.integers(0, 4)),),
                int(rng.choice([1, 2])),
                int(rng.choice([10 * 60, 11 * 60, 13 * 60 + 30, 14 * 60, 15 * 60])),
                30,
                f"{org.first[m]} / {org.first[p]} 1:1",
                "Agenda in the shared doc" if rng.random() < 0.3 else None,
                conference=True,
            )
        )
    for t in org.teams:
        mem = members[t.index]
        if len(mem) < 3:
            continue
        if t.function in ("Engineering", "Support"):
            days = (0, 1, 2, 3, 4) if rng.random() < 0.6 else (0, 2, 4)
            out.append(Series(t.manager, mem, days, 1, 9 * 60 + 30, 15, f"{t.name} standup", None))
        out.append(
            Series(
                t.manager,
                mem,
                (int(rng.integers(0, 5)),),
                1,
                int(rng.choice([11 * 60, 14 * 60])),
                60,
                f"{t.name} weekly",
                "Wins, blockers, priorities" if rng.random() < 0.7 else None,
                room=ROOMS[t.index % len(ROOMS)] if rng.random() < 0.3 else None,
            )
        )
    # monthly function all-hands (broadcasts when more than 25 invitees)
    for fname in ("Engineering", "Support", "Sales", "Marketing", "Operations"):
        fmem = org.members_of(fname).tolist()
        head = org.teams_of(fname)[0].manager
        invite = [head, *[p for p in fmem if p != head][: ALL_HANDS_CAP - 1]]
        out.append(
            Series(
                head,
                invite,
                (3,),
                4,
                16 * 60,
                45,
                f"{fname} all-hands",
                "Quarterly goals, demos and Q&A",
                profile=(0.6, 0.1, 0.15, 0.15),
            )
        )
    return out


def generate(org: Org, out: ToolOutput) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    clock, start, end = org.clock, org.start, org.end
    W = org.weeks

    series = _series(org, rng)
    # planted: a big weekly sync that about half of the invitees decline
    vp = org.teams_of("Engineering")[0].manager
    # engineers, then the other teams' managers, then anyone, until it is big enough
    pool = [p for p in org.members_of("Engineering").tolist() if p != vp]
    pool += [t.manager for t in org.teams if t.function != "Engineering"]
    taken = {vp, *pool}
    pool += [p for p in range(org.people) if p not in taken]
    invite = [vp, *pool[: PLANTED_INVITEES - 1]]
    planted = Series(
        vp, invite, (2,), 1, 15 * 60, 60, "Product & Engineering sync", None, profile=DECLINY
    )
    series.append(planted)
    ids = calendar_ids(rng, len(series))
    for s, sid in zip(series, as_str(ids), strict=True):
        s.id = sid
        s.created = start - int(rng.integers(7, 200)) * DAY + int(rng.integers(0, DAY))

    # -- expand series into instances (vectorised) -----------------------------------------------
    first_day = day_to_epoch(org.end_date) - 7 * W * DAY  # a Monday, local wall clock
    inst_series, inst_local = [], []
    for k, s in enumerate(series):
        phase = int(rng.integers(0, s.period))
        weeks = np.arange(phase, W, s.period)
        days = np.array(s.weekdays)
        local = (first_day + (weeks[:, None] * 7 + days[None, :]) * DAY + s.minute * 60).ravel()
        inst_series.append(np.full(len(local), k))
        inst_local.append(local)
    i_series = np.concatenate(inst_series)
    i_local = np.concatenate(inst_local)
    s_org = np.array([s.organizer for s in series])
    i_tz = org.tz[s_org[i_series]]
    i_start = _to_utc(org, i_tz, i_local)
    i_dur = np.array([s.duration for s in series])[i_series] * 60
    keep = (i_start >= start) & (i_start + i_dur <= end)
    i_series, i_start, i_tz, i_dur = i_series[keep], i_start[keep], i_tz[keep], i_dur[keep]
    # instances on a holiday (outside the default working calendar) are cancelled
    default_cal = i_tz * len(SCHEDULES)
    i_cancelled = clock.snap(default_cal, i_start) != i_start

    # -- one-off meetings --------------------------------------------------------------------------
    week0 = org.week_starts()
    P = org.people
    counts = rng.poisson(0.35, (P, W)).ravel()
    o_org = np.repeat(np.repeat(np.arange(P), W), counts)
    o_week = np.repeat(np.tile(np.arange(W), P), counts)
    lo = np.maximum(week0[o_week], org.active_from[o_org])
    hi = np.minimum(week0[o_week] + 7 * DAY, org.active_until[o_org])
    o_start = clock.random_in(rng, org.cal[o_org], lo, hi)
    off = clock.offset(org.tz[o_org], o_start)
    o_start -= (o_start + off) % 1800  # on the half hour, local
    o_dur = rng.choice([30, 45, 60], len(o_org), p=[0.5, 0.2, 0.3]) * 60
    ok = (o_start >= np.maximum(lo, start)) & (o_start + o_dur <= np.minimum(hi, end))
    o_org, o_start, o_dur = o_org[ok], o_start[ok], o_dur[ok]
    no = len(o_org)
    o_size = rng.choice([1, 2, 3, 4, 5, 6, 7], no, p=[0.25, 0.25, 0.18, 0.12, 0.1, 0.06, 0.04])
    o_cancel = rng.random(no) < 0.03
    o_focus = rng.random(no) < 0.12  # some blocks are focus time, no attendees
    o_ids = calendar_ids(rng, no)
    o_created = o_start - (np.exp(np.log(3 * DAY) + rng.standard_normal(no))).astype(np.int64)

    # -- all-day events: vacations, conferences, offsites -----------------------------------------------
    a_counts = rng.poisson(1 / 8, (P, W)).ravel()
    a_person = np.repeat(np.repeat(np.arange(P), W), a_counts)
    a_week = np.repeat(np.tile(np.arange(W), P), a_counts)
    a_day = first_day + (a_week * 7 + rng.integers(0, 5, len(a_person))) * DAY
    a_len = np.minimum(rng.geometric(0.45, len(a_person)), 10)
    ok = a_day + a_len * DAY <= day_to_epoch(org.end_date)
    a_person, a_day, a_len = a_person[ok], a_day[ok], a_len[ok]
    na = len(a_person)
    a_ids = calendar_ids(rng, na)
    a_ooo = rng.random(na) < 0.3
    a_created = a_day - rng.integers(3, 60, na) * DAY

    # -- one time line, sorted by start; strings are made one chunk at a time ---------------------------
    kind = np.r_[np.zeros(len(i_series), np.int8), np.ones(no, np.int8), np.full(na, 2, np.int8)]
    ref = np.r_[np.arange(len(i_series)), np.arange(no), np.arange(na)]
    order = np.lexsort(
        (ref, kind, np.r_[i_start, o_start, a_day])
    )  # all-day events sort by their date
    kind, ref = kind[order], ref[order]

    s_created = np.array([s.created for s in series], dtype=np.int64)
    i_upd = np.minimum(
        np.maximum(i_start - rng.integers(0, 5 * DAY, len(i_series)), s_created[i_series] + 60),
        end - 1,
    )
    o_tz = org.tz[o_org]
    o_upd = np.minimum(o_created + rng.integers(60, 2 * DAY, no), end - 1)
    o_title = rng.integers(0, 1 << 20, no)
    o_desc = text_codes(rng, no)
    o_has_desc = rng.random(no) < 0.5
    o_room = rng.random(no) < 0.2
    room_email = {
        r: f"c_18{k:02d}{(k * 7919) % 10**8:08d}@resource.calendar.google.com"
        for k, r in enumerate(ROOMS)
    }
    emails = org.email
    af, au = org.active_from.tolist(), org.active_until.tolist()
    normal_codes = CodeStream(rng, NORMAL)
    profile_codes = {id(s.profile): CodeStream(rng, s.profile) for s in series}
    uniform = FloatStream(rng)
    # planted meeting, over the instances held (not cancelled), as the marts count it
    declines = [0, 0]  # declined, non-organizer responses
    planted_invitees: set[int] = set()

    def series_event(
        r: int, start_s: str, end_s: str, stamp: str, created_s: str, updated_s: str
    ) -> Record | None:
        s = series[int(i_series[r])]
        t0 = int(i_start[r])
        att = [p for p in s.attendees if af[p] <= t0 < au[p]]  # joiners and leavers
        if s.organizer not in att:
            return None
        codes = profile_codes[id(s.profile)].take(len(att))
        attendees = []
        for p, c in zip(att, codes, strict=True):
            if p == s.organizer:
                attendees.append(
                    {
                        "email": emails[p],
                        "organizer": True,
                        "self": True,
                        "responseStatus": "accepted",
                    }
                )
            else:
                attendees.append({"email": emails[p], "responseStatus": RESPONSES[c]})
        if s is planted and not i_cancelled[r]:
            declines[0] += sum(1 for x in attendees if x["responseStatus"] == "declined")
            declines[1] += len(attendees) - 1
            planted_invitees.update(att)
        room_name = (
            f"{TIMEZONES[int(org.tz[s.organizer])].split('/')[1]}-{s.room}" if s.room else None
        )
        if s.room:
            attendees.append(
                {
                    "email": room_email[s.room],
                    "displayName": room_name,
                    "resource": True,
                    "responseStatus": "accepted",
                }
            )
        tz = TIMEZONES[int(i_tz[r])]
        eid = f"{s.id}_{stamp}"  # Google's id for an instance of a recurring event
        rec: Record = {
            "kind": "calendar#event",
            "etag": f'"{3_400_000_000_000_000 + int(i_upd[r]) * 1000}"',
            "id": eid,
            "status": "cancelled" if i_cancelled[r] else "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": created_s,
            "updated": updated_s,
            "summary": s.summary,
        }
        if s.description:
            rec["description"] = s.description
        if room_name:
            rec["location"] = room_name
        rec.update(
            {
                "creator": {"email": emails[s.organizer]},
                "organizer": {"email": emails[s.organizer], "displayName": org.name(s.organizer)},
                "start": {"dateTime": start_s, "timeZone": tz},
                "end": {"dateTime": end_s, "timeZone": tz},
                "recurringEventId": s.id,
                "originalStartTime": {"dateTime": start_s, "timeZone": tz},
                "iCalUID": f"{s.id}@google.com",
                "sequence": 0,
                "attendees": attendees,
            }
        )
        if s.conference:
            code = _meet_code(s.id)
            rec["hangoutLink"] = f"https://meet.google.com/{code}"
            rec["conferenceData"] = _conference(code)
        rec["reminders"] = {"useDefault": True}
        rec["eventType"] = "default"
        return rec

    def oneoff_event(
        r: int,
        eid: str,
        start_s: str,
        end_s: str,
        created_s: str,
        updated_s: str,
        title: str,
        desc: str,
    ) -> Record:
        p = int(o_org[r])
        tz = TIMEZONES[int(o_tz[r])]
        rec: Record = {
            "kind": "calendar#event",
            "etag": f'"{3_300_000_000_000_000 + r}"',
            "id": eid,
            "status": "cancelled" if o_cancel[r] else "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": created_s,
            "updated": updated_s,
        }
        if o_focus[r]:  # a personal block: no attendees
            rec.update(
                {
                    "summary": "Focus time",
                    "creator": {"email": emails[p], "self": True},
                    "organizer": {"email": emails[p], "self": True},
                    "start": {"dateTime": start_s, "timeZone": tz},
                    "end": {"dateTime": end_s, "timeZone": tz},
                    "iCalUID": f"{eid}@google.com",
                    "sequence": 0,
                    "reminders": {"useDefault": False},
                    "eventType": "focusTime",
                }
            )
            return rec
        # invitees: mostly teammates, some from anywhere in the company
        size = int(o_size[r])
        team_mem = org.teams[int(org.team[p])].members
        picks = uniform.take(2 * size)
        t0 = int(o_start[r])
        others: list[int] = []
        for x in range(size):
            if picks[x] < 0.6 and len(team_mem) > 1:
                q = int(team_mem[int(picks[size + x] * len(team_mem))])
            else:
                q = int(picks[size + x] * P)
            if q != p and q not in others and af[q] <= t0 < au[q]:
                others.append(q)
        if not others:
            others = [int(org.manager[p]) if org.manager[p] >= 0 else (p + 1) % P]
        attendees = [
            {"email": emails[p], "organizer": True, "self": True, "responseStatus": "accepted"}
        ]
        attendees += [
            {"email": emails[q], "responseStatus": RESPONSES[c]}
            for q, c in zip(others, normal_codes.take(len(others)), strict=True)
        ]
        if o_room[r]:
            room = ROOMS[r % len(ROOMS)]
            attendees.append(
                {
                    "email": room_email[room],
                    "displayName": room,
                    "resource": True,
                    "responseStatus": "accepted",
                }
            )
        if r % 7 == 0:
            attendees[-1]["optional"] = True
        rec["summary"] = title
        if o_room[r]:
            rec["location"] = ROOMS[r % len(ROOMS)]
        if o_has_desc[r]:
            rec["description"] = desc
            if r % 4 == 0:
                rec["attachments"] = [
                    {
                        "fileUrl": f"https://docs.google.com/document/d/{eid}/edit",
                        "title": f"{title} notes",
                        "mimeType": "application/vnd.google-apps.document",
                        "fileId": eid,
                    }
                ]
        rec.update(
            {
                "creator": {"email": emails[p]},
                "organizer": {"email": emails[p]},
                "start": {"dateTime": start_s, "timeZone": tz},
                "end": {"dateTime": end_s, "timeZone": tz},
                "iCalUID": f"{eid}@google.com",
                "sequence": int(r % 3 == 0),
                "attendees": attendees,
            }
        )
        if r % 5:
            code = _meet_code(eid)
            rec["hangoutLink"] = f"https://meet.google.com/{code}"
            rec["conferenceData"] = _conference(code)
        rec.update({"reminders": {"useDefault": True}, "eventType": "default"})
        return rec

    def allday_event(r: int, eid: str, start_d: str, end_d: str, created_s: str) -> Record:
        p = int(a_person[r])
        ooo = bool(a_ooo[r])
        return {
            "kind": "calendar#event",
            "etag": f'"{3_200_000_000_000_000 + r}"',
            "id": eid,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": created_s,
            "updated": created_s,
            "summary": "Out of office" if ooo else ("Vacation" if r % 3 else "Conference"),
            "creator": {"email": emails[p], "self": True},
            "organizer": {"email": emails[p], "self": True},
            "start": {"date": start_d},
            "end": {"date": end_d},
            "transparency": "transparent",
            "iCalUID": f"{eid}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": False},
            "eventType": "outOfOffice" if ooo else "default",
        }

    def older(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated"] == rec["created"]:
            return None
        rec["updated"] = rec["created"]
        for a in rec.get("attendees", []):
            if not a.get("organizer"):
                a["responseStatus"] = "needsAction"
        return rec

    w = out.open(
        "events.jsonl",
        older=older,
        breakage=Breakage("missing_primary_key", "id"),
        protect=lambda r: r.get("recurringEventId") == planted.id,
    )
    for sl in chunks(len(kind)):
        kd_, rf_ = kind[sl], ref[sl]
        i0, i1, i2 = rf_[kd_ == 0], rf_[kd_ == 1], rf_[kd_ == 2]
        stamps = [
            x.replace("-", "").replace(":", "") + "Z"
            for x in np.datetime_as_string(i_start[i0].astype("datetime64[s]"), unit="s").tolist()
        ]
        it0 = zip(
            i0.tolist(),
            local_iso(clock, i_start[i0], i_tz[i0]),
            local_iso(clock, i_start[i0] + i_dur[i0], i_tz[i0]),
            stamps,
            iso_ms_z(s_created[i_series[i0]]),
            iso_ms_z(i_upd[i0]),
            strict=True,
        )
        it1 = zip(
            i1.tolist(),
            as_str(o_ids[i1]),
            local_iso(clock, o_start[i1], o_tz[i1]),
            local_iso(clock, o_start[i1] + o_dur[i1], o_tz[i1]),
            iso_ms_z(o_created[i1]),
            iso_ms_z(o_upd[i1]),
            meeting_titles_of(o_title[i1]),
            body_of(o_desc[i1]),
            strict=True,
        )
        it2 = zip(
            i2.tolist(),
            as_str(a_ids[i2]),
            np.datetime_as_string(a_day[i2].astype("datetime64[s]"), unit="D").tolist(),
            np.datetime_as_string(
                (a_day[i2] + a_len[i2] * DAY).astype("datetime64[s]"), unit="D"
            ).tolist(),
            iso_ms_z(a_created[i2]),
            strict=True,
        )
        recs = []
        for kd in kd_.tolist():
            if kd == 0:
                rec = series_event(*next(it0))
                if rec is None:
                    continue
            elif kd == 1:
                rec = oneoff_event(*next(it1))
            else:
                rec = allday_event(*next(it2))
            recs.append(rec)
        w.write(recs)

    out.planted["declined_recurring_meeting"] = {
        "recurring_event_id": planted.id,
        "organizer_team": org.teams[int(org.team[vp])].name,
        "invitees": len(planted_invitees),
        "duration_minutes": planted.duration,
        "weekday": "Wed",
        "has_description": False,
        "decline_rate": round(declines[0] / max(declines[1], 1), 3),
        "definition": "invitees: distinct people invited to the instances held; decline_rate: "
        "declined / non-organizer responses over those instances (cancelled ones excluded)",
    }


class CodeStream:
    """Categorical draws (e.g. response statuses) served from pre-drawn blocks,
    so per-event loops pay a list slice instead of a numpy call."""

    def __init__(
        self, rng: np.random.Generator, probs: tuple[float, ...], block: int = 1 << 16
    ) -> None:
        self._rng, self._cum, self._block = rng, np.cumsum(probs), block
        self._codes: list[int] = []
        self._pos = 0

    def take(self, k: int) -> list[int]:
        if self._pos + k > len(self._codes):
            u = self._rng.random(max(self._block, k))
            self._codes = np.minimum(
                np.searchsorted(self._cum, u, side="right"), len(self._cum) - 1
            ).tolist()
            self._pos = 0
        out = self._codes[self._pos : self._pos + k]
        self._pos += k
        return out


class FloatStream:
    """Uniform draws in [0, 1) served from pre-drawn blocks."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self._rng, self._block = rng, block
        self._u: list[float] = []
        self._pos = 0

    def take(self, k: int) -> list[float]:
        if self._pos + k > len(self._u):
            self._u = self._rng.random(max(self._block, k)).tolist()
            self._pos = 0
        out = self._u[self._pos : self._pos + k]
        self._pos += k
        return out
