"""What is delivered, and why not (docs/nudges.md#what-is-sent-and-when).

`plan` is a pure function of the candidates (models/nudges/nudge_candidates),
the clock, the delivery log so far, the settings and the opt-ins. In order,
for each candidate:

1. a nudge to a person goes only to the owner of the item, and only if they
   opted in (`outcomes nudges opt-in`); otherwise it is not delivered and not
   logged;
2. a recipient without a configured channel gets nothing (shown in preview);
3. deduplicated: the same recipient, subject and reason was delivered within
   the rule's window (`repeat_after_hours`);
4. held: it is outside the recipient's working hours, on a non-working day
   or a holiday, in the recipient's own time zone: held until the next
   working window opens;
5. capped: the recipient already had its messages of the (local) day
   (`max_per_day`), most severe and oldest first;
6. otherwise sent: a team that chose `mode: digest` gets one message a day
   with all of its nudges; a recipient whose nudges were held gets them
   folded into one digest when the window opens; else one message each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Statuses of the delivery log. `sending` is written before a request goes
# out and becomes `sent` or `failed` after: an interrupted send stays
# `sending` and counts as delivered, so a rerun never sends it twice.
DELIVERED = frozenset({"sent", "sending"})


def stable_id(*parts: object) -> str:
    text = "|".join("<null>" if p is None else str(p) for p in parts)
    return hashlib.md5(text.encode()).hexdigest()


@dataclass(frozen=True)
class Schedule:
    """A recipient's working week in their own time zone."""

    time_zone: str = "UTC"
    work_days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def parse(cls, time_zone: str, work_days: str, start: str, end: str, holidays=()) -> Schedule:
        return cls(
            time_zone=time_zone or "UTC",
            work_days=tuple(d for d in (work_days or "").split("|") if d),
            start=dt.time.fromisoformat(start or "09:00"),
            end=dt.time.fromisoformat(end or "17:00"),
            holidays=frozenset(holidays),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local(self, when: dt.datetime) -> dt.datetime:
        """`when` (naive UTC) in the recipient's time zone."""
        return when.replace(tzinfo=dt.UTC).astimezone(self.zone)

    def local_date(self, when: dt.datetime) -> dt.date:
        return self.local(when).date()

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's working interval in naive UTC, or None on a day off."""
        if WEEKDAYS[day.weekday()] not in self.work_days or day in self.holidays:
            return None
        if self.end <= self.start:
            return None
        start = dt.datetime.combine(day, self.start, self.zone).astimezone(dt.UTC)
        end = dt.datetime.combine(day, self.end, self.zone).astimezone(dt.UTC)
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    def is_working(self, when: dt.datetime) -> bool:
        window = self._window(self.local_date(when))
        return window is not None and window[0] <= when < window[1]

    def next_window_start(self, when: dt.datetime) -> dt.datetime | None:
        """The start of the next working interval after `when` (naive UTC)."""
        day = self.local_date(when)
        for offset in range(0, 370):
            window = self._window(day + dt.timedelta(days=offset))
            if window is not None and window[0] > when:
                return window[0]
        return None


@dataclass(frozen=True)
class Candidate:
    nudge_candidate_id: str
    rule_id: str
    recipient_type: str  # team | person
    recipient_team_id: str
    recipient_person_id: str | None
    subject_type: str
    subject_id: str
    source_system: str | None
    subject_ref: str | None
    reason_code: str
    reason: str
    severity: str
    wait_hours: float | None
    threshold: float | None
    threshold_unit: str | None
    first_seen_at: dt.datetime | None
    repeat_after_hours: int
    schedule: Schedule = field(default_factory=Schedule)

    @property
    def recipient_key(self) -> str:
        if self.recipient_type == "person":
            return f"person:{self.recipient_person_id}"
        return f"team:{self.recipient_team_id}"


@dataclass(frozen=True)
class LogEntry:
    """One row of nudges.delivery_log, as the policy needs it."""

    delivery_id: str
    nudge_candidate_id: str
    recipient_key: str
    status: str
    decided_at: dt.datetime
    message_id: str | None = None
    is_digest: bool = False
    local_date: dt.date | None = None


@dataclass(frozen=True)
class Channel:
    """Where one recipient's nudges go (outcomes.yml `nudges:`)."""

    name: str
    kind: str  # slack | teams | webhook
    mode: str = "stream"  # stream | digest
    max_per_day: int = 10


@dataclass(frozen=True)
class Settings:
    channels: dict[str, Channel] = field(default_factory=dict)  # by team_id
    direct: Channel | None = None  # the opted-in owners' direct messages

    def channel_for(self, candidate: Candidate) -> Channel | None:
        if candidate.recipient_type == "person":
            return self.direct
        return self.channels.get(candidate.recipient_team_id)


@dataclass
class Decision:
    candidate: Candidate
    status: str  # send | held | capped | deduplicated | not_opted_in | no_channel
    why: str
    channel: Channel | None = None
    hold_until: dt.datetime | None = None
    message_id: str | None = None
    is_digest: bool = False
    delivery_id: str = ""
    logged: bool = True  # False: already in the log (a rerun), or never logged


def _sort_key(candidate: Candidate) -> tuple:
    return (
        SEVERITY_ORDER.get(candidate.severity, 9),
        candidate.first_seen_at or dt.datetime.max,
        candidate.nudge_candidate_id,
    )


def plan(
    candidates: list[Candidate],
    now: dt.datetime,
    history: list[LogEntry],
    settings: Settings,
    opted_in: frozenset[str],
) -> list[Decision]:
    """The decision for every candidate at `now` (naive UTC); see the module doc."""
    known_ids = {e.delivery_id for e in history}
    delivered: dict[str, LogEntry] = {}
    held_before: set[str] = set()
    for entry in sorted(history, key=lambda e: e.decided_at):
        if entry.status in DELIVERED:
            delivered[entry.nudge_candidate_id] = entry
        elif entry.status == "held":
            held_before.add(entry.nudge_candidate_id)

    decisions: list[Decision] = []
    ready: dict[str, list[Decision]] = defaultdict(list)
    for candidate in sorted(candidates, key=_sort_key):
        if candidate.recipient_type == "person" and candidate.recipient_person_id not in opted_in:
            decisions.append(
                Decision(candidate, "not_opted_in", "the owner has not opted in", logged=False)
            )
            continue
        channel = settings.channel_for(candidate)
        if channel is None:
            decisions.append(
                Decision(candidate, "no_channel", "no channel configured", logged=False)
            )
            continue
        last = delivered.get(candidate.nudge_candidate_id)
        window = dt.timedelta(hours=candidate.repeat_after_hours)
        if last is not None and now - last.decided_at < window:
            decisions.append(
                Decision(
                    candidate,
                    "deduplicated",
                    f"already delivered at {last.decided_at:%Y-%m-%d %H:%M} UTC; "
                    f"not repeated within {candidate.repeat_after_hours} h",
                    channel,
                    delivery_id=stable_id(
                        candidate.nudge_candidate_id, "deduplicated", last.delivery_id
                    ),
                )
            )
            continue
        schedule = candidate.schedule
        if not schedule.is_working(now):
            until = schedule.next_window_start(now)
            local = schedule.local(now)
            decisions.append(
                Decision(
                    candidate,
                    "held",
                    f"quiet hours: {local:%a %H:%M} in {schedule.time_zone}, outside working "
                    "hours or a non-working day",
                    channel,
                    hold_until=until,
                    delivery_id=stable_id(candidate.nudge_candidate_id, "held", until),
                )
            )
            continue
        ready[candidate.recipient_key].append(Decision(candidate, "send", "", channel))

    for recipient, pending in ready.items():
        channel = pending[0].channel
        schedule = pending[0].candidate.schedule
        today = schedule.local_date(now)
        todays = [
            e
            for e in history
            if e.recipient_key == recipient and e.status in DELIVERED and e.local_date == today
        ]
        used = len({e.message_id or e.delivery_id for e in todays})
        digest_sent_today = any(e.is_digest for e in todays)
        if channel.mode == "digest":
            if digest_sent_today:
                until = schedule.next_window_start(now)
                for d in pending:
                    d.status, d.hold_until = "held", until
                    d.why = "the team's daily digest was already sent today: in the next one"
                    d.delivery_id = stable_id(d.candidate.nudge_candidate_id, "held", until)
                decisions.extend(pending)
                continue
            messages = [pending]
        else:
            folded = [d for d in pending if d.candidate.nudge_candidate_id in held_before]
            rest = [d for d in pending if d.candidate.nudge_candidate_id not in held_before]
            messages = ([folded] if len(folded) > 1 else [[d] for d in folded]) + [
                [d] for d in rest
            ]
        for message in messages:
            if used >= channel.max_per_day:
                for d in message:
                    d.status = "capped"
                    d.why = f"{channel.max_per_day} messages a day reached for this recipient"
                    d.delivery_id = stable_id(d.candidate.nudge_candidate_id, "capped", today)
                decisions.extend(message)
                continue
            used += 1
            digest = len(message) > 1 or channel.mode == "digest"
            message_id = stable_id(
                recipient, now, *[d.candidate.nudge_candidate_id for d in message]
            )
            for d in message:
                d.message_id, d.is_digest = message_id, digest
                d.why = (
                    "daily digest"
                    if channel.mode == "digest"
                    else (
                        "held nudges folded into one digest" if digest else "within working hours"
                    )
                )
                d.delivery_id = stable_id(d.candidate.nudge_candidate_id, "sent", now)
            decisions.extend(message)
    for d in decisions:
        if d.logged and d.delivery_id in known_ids:
            d.logged = False
    return decisions
