"""Zendesk Support: agents and customers, tickets, audits and CSAT (API shapes).

Each support team is a Zendesk group. A ticket's life is a short chain of
steps (create, first reply, customer reply, agent reply, solve, reopen,
solve again, auto-close), each drawn as a skewed delay in the agent's
business hours or the customer's calendar time, and written as audits with
Create/Change/Comment/Notification events like the real audit log.
Planted: one group overloaded for 4 consecutive weeks (3x tickets, first
replies much slower).
"""

from __future__ import annotations

import numpy as np

from .clock import DAY, NA, SCHEDULES, TIMEZONES, iso_z, lognormal_hours
from .ids import distinct_ints
from .org import Org
from .text import CUSTOMER_COMPANIES, FIRST_NAMES, LAST_NAMES, body_of, text_codes, title_of
from .writer import Breakage, Record, ToolOutput, chunks

SALT = 5
BASE = "https://acme.zendesk.com/api/v2"
TICKETS_PER_AGENT_WEEK = 4.0
OVERLOAD_VOLUME = 3.0
OVERLOAD_SLOWDOWN = 4.0
SYSTEM = -1  # Zendesk's author id for automatic changes
SLA_POLICY_ID = 360_000_200_001
# The demo's SLA policy: first reply targets per priority, in calendar hours
# (the same as seeds/kpis/sla_targets.csv, which the KPIs read).
FIRST_REPLY_TARGET_HOURS = {"urgent": 1, "high": 4, "normal": 8, "low": 24}

# step kinds, in the order they can happen
CREATE, NOTE, FIRST, CUST, AGENT, SOLVE, REOPEN, SOLVE2, CLOSE = range(9)
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
NEW, OPEN, PENDING, HOLD, SOLVED, CLOSED = range(6)


def overloaded_weeks(weeks: int) -> list[int]:
    """Four consecutive weeks in the middle of the window."""
    first = max(0, weeks // 2 - 2)
    return list(range(first, min(weeks, first + 4)))


def generate(org: Org, out: ToolOutput) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    clock, start, end = org.clock, org.start, org.end
    teams = org.teams_of("Support")
    cal = org.cal

    # -- users: agents (with their group) and end users ----------------------------------------
    agents = np.concatenate([t.members for t in teams])
    group_id = {t.index: 360_000_100_000 + 1000 * k for k, t in enumerate(teams)}
    agent_uid = dict(
        zip(
            agents.tolist(),
            distinct_ints(rng, len(agents), 370_000_000_000, 371_000_000_000).tolist(),
            strict=True,
        )
    )
    admins = {t.manager for t in teams}

    week0 = org.week_starts()
    W = org.weeks
    hot_weeks = overloaded_weeks(W)
    hot_team = org.overloaded_support_team

    # tickets per (team, week)
    t_team, t_week, t_created = [], [], []
    for t in teams:
        active = (
            (org.active_from[t.members][:, None] < week0[None, :] + 7 * DAY)
            & (org.active_until[t.members][:, None] > week0[None, :])
        ).sum(axis=0)
        lam = TICKETS_PER_AGENT_WEEK * active.astype(float)
        if t.index == hot_team:
            lam[hot_weeks] *= OVERLOAD_VOLUME
        c = rng.poisson(lam)
        wk = np.repeat(np.arange(W), c)
        # customers write mostly in the team's business hours, some any time
        prim = t.tz_primary * len(SCHEDULES)
        tt = clock.random_in(rng, np.full(len(wk), prim), week0[wk], week0[wk] + 7 * DAY)
        anytime = rng.random(len(wk)) < 0.3
        tt[anytime] = week0[wk[anytime]] + rng.integers(0, 7 * DAY, anytime.sum())
        t_team.append(np.full(len(wk), t.index))
        t_week.append(wk)
        t_created.append(tt)
    team = np.concatenate(t_team)
    week = np.concatenate(t_week)
    created = np.concatenate(t_created)
    ok = created < end
    o = np.flatnonzero(ok)
    o = o[np.argsort(created[o], kind="stable")]
    team, week, created = team[o], week[o], created[o]
    n = len(created)
    hot = (team == hot_team) & np.isin(week, hot_weeks)

    # agent handling each ticket: a member of the team active at the time
    agent = np.empty(n, dtype=np.int64)
    pick = rng.random(n)
    for t in teams:
        sel = np.flatnonzero(team == t.index)
        m = t.members
        idx = (pick[sel] * len(m)).astype(np.int64)
        a = m[idx]
        # someone who left or has not joined yet passes it to the team lead
        gone = (org.active_from[a] > created[sel]) | (org.active_until[a] <= created[sel])
        agent[sel] = np.where(gone, t.manager, a)
    a_cal = cal[agent]

    n_cust = max(40, n // 3)
    cust_uid = distinct_ints(rng, n_cust, 380_000_000_000, 399_000_000_000)
    requester = rng.integers(0, n_cust, n)

    # -- the step chain ---------------------------------------------------------------------------
    slow = np.where(hot, OVERLOAD_SLOWDOWN, 1.0)
    t_step = np.full((n, 9), NA, dtype=np.int64)
    t_step[:, CREATE] = created
    t_step[:, FIRST] = clock.add_biz(a_cal, created, lognormal_hours(rng, 1.5, 1.0, n) * slow)
    note = rng.random(n) < 0.15
    t_step[note, NOTE] = created[note] + (
        (t_step[note, FIRST] - created[note]) * rng.random(note.sum())
    ).astype(np.int64)
    one_touch = rng.random(n) < 0.3
    talk = ~one_touch & (rng.random(n) < 0.55)
    t_step[talk, CUST] = t_step[talk, FIRST] + (
        lognormal_hours(rng, 5, 1.0, talk.sum()) * 3600
    ).astype(np.int64)
    t_step[talk, AGENT] = clock.add_biz(
        a_cal[talk], t_step[talk, CUST], lognormal_hours(rng, 2, 1.0, talk.sum()) * slow[talk]
    )
    solve = ~one_touch
    before_solve = np.where(talk, t_step[:, AGENT], t_step[:, FIRST])
    t_step[solve, SOLVE] = clock.add_biz(
        a_cal[solve], before_solve[solve], lognormal_hours(rng, 3, 1.0, solve.sum()) * slow[solve]
    )
    solve_comment = rng.random(n) < 0.7
    reopen = rng.random(n) < 0.06
    solved_at = np.where(one_touch, t_step[:, FIRST], t_step[:, SOLVE])
    t_step[reopen, REOPEN] = solved_at[reopen] + (
        lognormal_hours(rng, 20, 1.0, reopen.sum()) * 3600
    ).astype(np.int64)
    t_step[reopen, SOLVE2] = clock.add_biz(
        a_cal[reopen], t_step[reopen, REOPEN], lognormal_hours(rng, 3, 1.0, reopen.sum())
    )
    last_solve = np.where(reopen, t_step[:, SOLVE2], solved_at)
    t_step[:, CLOSE] = last_solve + 4 * DAY + rng.integers(0, 6 * 3600, n)
    # only what happened before the export exists; the chain is monotone in time
    happened = (t_step != NA) & (t_step < end)
    cut = np.cumprod(happened | (t_step == NA), axis=1).astype(bool)
    happened &= cut

    # status after each step (index into STATUSES, -1 = no change) and the final status
    status_after = np.tile(
        np.array([NEW, -1, PENDING, OPEN, PENDING, SOLVED, OPEN, SOLVED, CLOSED]), (n, 1)
    )
    status_after[:, FIRST] = np.where(
        one_touch, SOLVED, np.where(rng.random(n) < 0.6, PENDING, OPEN)
    )
    status_after[:, AGENT] = np.where(rng.random(n) < 0.85, PENDING, HOLD)
    changes = happened & (status_after >= 0)
    last = 8 - np.argmax(changes[:, ::-1], axis=1)
    final_status = np.array(STATUSES, dtype=object)[status_after[np.arange(n), last]]
    updated = np.max(np.where(happened, t_step, 0), axis=1)

    # -- satisfaction ratings on ~30% of solved tickets -----------------------------------------
    was_solved = (happened[:, FIRST] & one_touch) | happened[:, SOLVE]
    rated = was_solved & (rng.random(n) < 0.3)
    rating_at = last_solve + 120 + (lognormal_hours(rng, 10, 1.0, n) * 3600).astype(np.int64)
    rated &= rating_at < end
    good = rng.random(n) < np.where(hot, 0.55, 0.87)
    has_comment = rng.random(n) < 0.35
    updated = np.where(rated, np.maximum(updated, rating_at), updated)
    updated = np.minimum(updated + rng.integers(1, 60, n), end - 1)

    # -- ids and text -----------------------------------------------------------------------------
    ticket_id = 48_000 + np.arange(n) + np.cumsum(rng.integers(0, 3, n))
    priority = rng.choice(
        np.array(["low", "normal", "high", "urgent", None], dtype=object),
        n,
        p=[0.15, 0.5, 0.2, 0.05, 0.1],
    )
    ttype = rng.choice(
        np.array(["question", "incident", "problem", "task", None], dtype=object),
        n,
        p=[0.45, 0.25, 0.05, 0.05, 0.2],
    )
    channel = rng.choice(
        np.array(["email", "web", "chat", "api", "voice"], dtype=object),
        n,
        p=[0.45, 0.3, 0.15, 0.05, 0.05],
    )
    due = np.where(
        ttype == "task", clock.add_biz(a_cal, created, lognormal_hours(rng, 24, 0.5, n)), NA
    )
    subject = text_codes(rng, n)
    descr = text_codes(rng, n)
    rating_text = text_codes(rng, n)
    tag_pick = rng.integers(0, 6, (n, 2))
    tag_words = ("billing", "login", "export", "bug", "how-to", "vip")
    agent_uid_of = np.zeros(org.people, dtype=np.int64)
    agent_uid_of[agents] = [agent_uid[p] for p in agents.tolist()]

    # -- users: agents, then the customers (end users) ----------------------------------------------
    cf = rng.integers(0, len(FIRST_NAMES), n_cust)
    cl = rng.integers(0, len(LAST_NAMES), n_cust)
    cc = rng.integers(0, len(CUSTOMER_COMPANIES), n_cust)
    cust_org = 390_000_000 + cc * 17
    w_users = out.open("users.jsonl")
    agent_created = iso_z(np.maximum(org.active_from[agents], start - 400 * DAY))
    w_users.write(
        [
            {
                "url": f"{BASE}/users/{agent_uid[p]}.json",
                "id": agent_uid[p],
                "name": org.name(p),
                "email": org.email[p],
                "role": "admin" if p in admins else "agent",
                "default_group_id": group_id[int(org.team[p])],
                "phone": None,
                "photo": None,
                "time_zone": TIMEZONES[int(org.tz[p])],
                "locale": "en-US",
                "organization_id": None,
                "signature": f"Best, {org.first[p]}",
                "details": "",
                "notes": "",
                "tags": [],
                "created_at": agent_created[k],
                "updated_at": agent_created[k],
            }
            for k, p in enumerate(agents.tolist())
        ]
    )
    cust_created = start - rng.integers(DAY, 700 * DAY, n_cust)
    for sl in chunks(n_cust):
        recs = []
        for k, uid, a, b, c, oid, cr in zip(
            range(sl.start, sl.stop),
            cust_uid[sl].tolist(),
            cf[sl].tolist(),
            cl[sl].tolist(),
            cc[sl].tolist(),
            cust_org[sl].tolist(),
            iso_z(cust_created[sl]),
            strict=True,
        ):
            first, last = FIRST_NAMES[a], LAST_NAMES[b]
            recs.append(
                {
                    "url": f"{BASE}/users/{uid}.json",
                    "id": uid,
                    "name": f"{first} {last}",
                    "email": f"{first.lower()}.{last.lower()}{k}@{CUSTOMER_COMPANIES[c]}.example",
                    "role": "end-user",
                    "default_group_id": None,
                    "phone": f"+44 20 7946 {k % 10000:04d}",
                    "photo": None,
                    "time_zone": "London",
                    "locale": "en-GB",
                    "organization_id": oid,
                    "signature": None,
                    "details": "",
                    "notes": "Prefers email.",
                    "tags": [],
                    "created_at": cr,
                    "updated_at": cr,
                }
            )
        w_users.write(recs)

    # -- tickets ----------------------------------------------------------------------------------
    rating_id = distinct_ints(rng, n, 25_000_000_000, 26_000_000_000)

    def older_ticket(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"] or rec["status"] == "new":
            return None
        rec.update(status="open", updated_at=rec["created_at"], satisfaction_rating=None)
        return rec

    w_t = out.open(
        "tickets.jsonl", older=older_ticket, breakage=Breakage("unparsable_timestamp", "created_at")
    )
    for sl in chunks(n):
        rq = requester[sl]
        cols = zip(
            ticket_id[sl].tolist(),
            team[sl].tolist(),
            agent_uid_of[agent[sl]].tolist(),
            cust_uid[rq].tolist(),
            cust_org[rq].tolist(),
            final_status[sl].tolist(),
            priority[sl].tolist(),
            ttype[sl].tolist(),
            channel[sl].tolist(),
            happened[sl, FIRST].tolist(),
            rated[sl].tolist(),
            good[sl].tolist(),
            has_comment[sl].tolist(),
            rating_id[sl].tolist(),
            tag_pick[sl].tolist(),
            iso_z(created[sl]),
            iso_z(updated[sl]),
            iso_z(due[sl]),
            title_of(subject[sl]),
            body_of(descr[sl]),
            body_of(rating_text[sl]),
            strict=True,
        )
        recs = []
        for (
            tid,
            t,
            ag,
            rq_id,
            oid,
            st,
            pr,
            ty,
            ch,
            assigned,
            rt,
            gd,
            hc,
            rid,
            tp,
            cr_s,
            up_s,
            du_s,
            subj,
            desc,
            rcom,
        ) in cols:
            recs.append(
                {
                    "url": f"{BASE}/tickets/{tid}.json",
                    "id": tid,
                    "external_id": None,
                    "via": {"channel": ch, "source": {"from": {}, "to": {}, "rel": None}},
                    "created_at": cr_s,
                    "updated_at": up_s,
                    "type": ty,
                    "subject": subj,
                    "raw_subject": subj,
                    "description": desc,
                    "priority": pr,
                    "status": st,
                    "recipient": "support@acme.example",
                    "requester_id": rq_id,
                    "submitter_id": ag
                    if ch == "voice"
                    else rq_id,  # phone tickets are logged by the agent
                    "assignee_id": ag if assigned else None,
                    "organization_id": oid,
                    "group_id": group_id[t],
                    "collaborator_ids": [],
                    "follower_ids": [],
                    "email_cc_ids": [],
                    "due_at": du_s,
                    "tags": sorted({tag_words[x] for x in tp}),
                    "custom_fields": [
                        {"id": 360_001, "value": "plan_pro" if tid % 3 else "plan_basic"}
                    ],
                    "satisfaction_rating": (
                        {
                            "id": rid,
                            "score": "good" if gd else "bad",
                            "comment": rcom if hc else None,
                        }
                        if rt
                        else {"score": "unoffered"}
                    ),
                    "sharing_agreement_ids": [],
                }
            )
        w_t.write(recs)

    # -- satisfaction ratings ----------------------------------------------------------------------
    def older_rating(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec.update(score="offered", comment=None, updated_at=rec["created_at"])
        return rec

    ri = np.flatnonzero(rated)
    ri = ri[np.argsort(rating_at[ri], kind="stable")]
    w_r = out.open("satisfaction_ratings.jsonl", older=older_rating)
    for sl in chunks(len(ri)):
        i = ri[sl]
        recs = []
        for rid, ag, t, rq_id, tid, gd, hc, offered, rated_s, text in zip(
            rating_id[i].tolist(),
            agent_uid_of[agent[i]].tolist(),
            team[i].tolist(),
            cust_uid[requester[i]].tolist(),
            ticket_id[i].tolist(),
            good[i].tolist(),
            has_comment[i].tolist(),
            iso_z(last_solve[i] + 60),
            iso_z(rating_at[i]),
            body_of(rating_text[i]),
            strict=True,
        ):
            recs.append(
                {
                    "url": f"{BASE}/satisfaction_ratings/{rid}.json",
                    "id": rid,
                    "assignee_id": ag,
                    "group_id": group_id[t],
                    "requester_id": rq_id,
                    "ticket_id": tid,
                    "score": "good" if gd else "bad",
                    "created_at": offered,
                    "updated_at": rated_s,
                    "comment": text if hc else None,
                    "reason": "No reason provided" if gd else "The issue took too long to resolve",
                    "reason_id": 0 if gd else 7,
                }
            )
        w_r.write(recs)

    # -- audits: one per step that happened ---------------------------------------------------------
    au_ticket, au_step = np.nonzero(happened)  # row-major: by ticket, steps in time order
    m = len(au_ticket)
    audit_id = 19_000_000_000_000 + np.cumsum(rng.integers(1, 50, m)) * 1000
    comment_code = text_codes(rng, m)
    prio_change = rng.random(n) < 0.1
    # status before each audit = status set by the latest earlier status change of the ticket
    au_status = status_after[au_ticket, au_step]
    setter = np.where(au_status >= 0, np.arange(m), -1)
    latest = np.maximum.accumulate(setter) if m else setter
    prev_idx = np.r_[-1, latest[:-1]] if m else latest
    same_ticket = (prev_idx >= 0) & (au_ticket[np.maximum(prev_idx, 0)] == au_ticket)
    prev_status = np.where(same_ticket, au_status[np.maximum(prev_idx, 0)], -1)
    names = (*STATUSES, None)  # index -1 -> None
    w_a = out.open("ticket_audits.jsonl")
    for sl in chunks(m):
        i = au_ticket[sl]
        cols = zip(
            au_step[sl].tolist(),
            audit_id[sl].tolist(),
            iso_z(t_step[i, au_step[sl]]),
            prev_status[sl].tolist(),
            au_status[sl].tolist(),
            ticket_id[i].tolist(),
            agent_uid_of[agent[i]].tolist(),
            cust_uid[requester[i]].tolist(),
            priority[i].tolist(),
            channel[i].tolist(),
            team[i].tolist(),
            solve_comment[i].tolist(),
            prio_change[i].tolist(),
            body_of(comment_code[sl]),
            body_of(descr[i]),
            title_of(subject[i]),
            strict=True,
        )
        recs = []
        for (
            s,
            aid,
            ts,
            prev_i,
            new_i,
            tid,
            ag,
            cust,
            prio,
            ch,
            t,
            solve_c,
            prio_c,
            text,
            desc,
            subj,
        ) in cols:
            prev, new = names[prev_i], names[new_i]
            eid = aid + 1
            events: list[Record] = []
            if s == CREATE:
                author = ag if ch == "voice" else cust
                events.append(
                    {
                        "id": eid,
                        "type": "Comment",
                        "author_id": cust,
                        "body": desc,
                        "html_body": f"<p>{desc}</p>",
                        "plain_body": desc,
                        "public": True,
                        "attachments": [],
                        "audit_id": aid,
                    }
                )
                events.append(
                    {"id": eid + 1, "type": "Create", "value": "new", "field_name": "status"}
                )
                events.append(
                    {"id": eid + 2, "type": "Create", "value": prio, "field_name": "priority"}
                )
                events.append(
                    {
                        "id": eid + 3,
                        "type": "Create",
                        "value": str(group_id[t]),
                        "field_name": "group_id",
                    }
                )
            elif s == CLOSE:
                author = SYSTEM
                events.append(
                    {
                        "id": eid,
                        "type": "Change",
                        "value": "closed",
                        "field_name": "status",
                        "previous_value": prev,
                    }
                )
            else:
                customer_step = s in (CUST, REOPEN)
                author = cust if customer_step else ag
                public = s != NOTE
                if s != SOLVE or solve_c:
                    events.append(
                        {
                            "id": eid,
                            "type": "Comment",
                            "author_id": author,
                            "body": text,
                            "html_body": f"<p>{text}</p>",
                            "plain_body": text,
                            "public": public,
                            "attachments": [],
                            "audit_id": aid,
                        }
                    )
                if new is not None and new != prev:
                    events.append(
                        {
                            "id": eid + 1,
                            "type": "Change",
                            "value": new,
                            "field_name": "status",
                            "previous_value": prev,
                        }
                    )
                if s == FIRST:
                    events.append(
                        {
                            "id": eid + 2,
                            "type": "Change",
                            "value": str(ag),
                            "field_name": "assignee_id",
                            "previous_value": None,
                        }
                    )
                    if prio_c and prio not in ("high", "urgent"):
                        events.append(
                            {
                                "id": eid + 3,
                                "type": "Change",
                                "value": "high",
                                "field_name": "priority",
                                "previous_value": prio,
                            }
                        )
                if public and not customer_step:
                    events.append(
                        {
                            "id": eid + 4,
                            "type": "Notification",
                            "via": {"channel": "rule"},
                            "subject": f"[Acme] Re: {subj}",
                            "body": text,
                            "recipients": [cust],
                        }
                    )
            recs.append(
                {
                    "id": aid,
                    "ticket_id": tid,
                    "created_at": ts,
                    "author_id": author,
                    "metadata": {
                        "system": {
                            "client": "Mozilla/5.0",
                            "ip_address": f"203.0.113.{aid % 250}",
                            "location": "Unknown",
                        },
                        "custom": {},
                    },
                    "via": {
                        "channel": "rule" if author == SYSTEM else "web",
                        "source": {"from": {}, "to": {}, "rel": None},
                    },
                    "events": events,
                }
            )
        w_a.write(recs)

    # -- planted fact 3: the overloaded queue, measured on what was written ------------------------
    own = team == hot_team
    first_reply_h = (t_step[:, FIRST] - created) / 3600.0
    replied = happened[:, FIRST]
    per_week = np.bincount(week[own], minlength=W)
    hot_mask = np.isin(np.arange(W), hot_weeks)
    other_weeks = per_week[~hot_mask]
    out.planted["overloaded_support_queue"] = {
        "team": org.teams[hot_team].name,
        "group_id": group_id[hot_team],
        "weeks": [
            str(np.datetime64(int(week0[w]), "s").astype("datetime64[D]")) for w in hot_weeks
        ],
        "volume_ratio": round(float(per_week[hot_mask].mean() / max(other_weeks.mean(), 1e-9)), 2)
        if len(other_weeks)
        else None,
        "first_reply_median_hours_overloaded": round(
            float(np.median(first_reply_h[own & hot & replied])), 2
        ),
        "first_reply_median_hours_other_weeks": (
            round(float(np.median(first_reply_h[own & ~hot & replied])), 2)
            if (own & ~hot & replied).any()
            else None
        ),
        "definition": "created -> first public agent comment, calendar hours; weeks are ISO week starts",
    }
    _groups_and_sla(org, out, group_id)
    _metric_events(
        out, ticket_id, created, priority, ttype, prio_change, happened[:, FIRST], t_step[:, FIRST]
    )


def _groups_and_sla(org: Org, out: ToolOutput, group_id: dict[int, int]) -> None:
    """A group per support team (GET /api/v2/groups) and one SLA policy with a
    first reply target per priority (GET /api/v2/slas/policies). Drawn from no
    random stream, and opened last, so every other file stays as it was."""
    created = iso_z(np.array([org.start - 400 * DAY]))[0]
    teams = org.teams_of("Support")
    out.open("groups.jsonl").write(
        [
            {
                "url": f"{BASE}/groups/{group_id[t.index]}.json",
                "id": group_id[t.index],
                "is_public": True,
                "name": t.name,
                "description": f"Tickets for {t.name}; escalate to the team lead on call",
                "default": k == 0,
                "deleted": False,
                "created_at": created,
                "updated_at": created,
            }
            for k, t in enumerate(teams)
        ]
    )
    out.open("sla_policies.jsonl").write(
        [
            {
                "url": f"{BASE}/slas/policies/{SLA_POLICY_ID}.json",
                "id": SLA_POLICY_ID,
                "title": "Standard support",
                "description": "First reply promised to every customer, by priority",
                "position": 1,
                "filter": {
                    "all": [{"field": "type", "operator": "is_not", "value": "task"}],
                    "any": [],
                },
                "policy_metrics": [
                    {
                        "priority": priority,
                        "metric": "first_reply_time",
                        "target": hours * 60,
                        "business_hours": False,
                    }
                    for priority, hours in FIRST_REPLY_TARGET_HOURS.items()
                ],
                "created_at": created,
                "updated_at": created,
            }
        ]
    )


METRIC_EVENT_BASE = 390_000_000_000


def _metric_events(
    out: ToolOutput,
    ticket_id: np.ndarray,
    created: np.ndarray,
    priority: np.ndarray,
    ttype: np.ndarray,
    prio_change: np.ndarray,
    replied: np.ndarray,
    replied_at: np.ndarray,
) -> None:
    """The apply_sla events of the demo's SLA policy
    (GET /api/v2/incremental/ticket_metric_events), derived from the tickets:
    the policy applies its first reply target (metric reply_time, instance 1)
    to every ticket with a priority that is not a task (its filter) when the
    ticket is created, and again at the priority change of its first reply
    audit, as Zendesk re-applies a policy whose target changes. So each
    ticket's last apply_sla is the target the matched policy gives at the
    priority in force. Oldest first, like the export. Drawn from no random
    stream, and opened last, so every other file stays as it was."""
    events: list[tuple[int, int, int, str]] = []  # (time, ticket, order, priority)
    for k, (tid, at, prio, kind, change, did_reply, reply_at) in enumerate(
        zip(
            ticket_id.tolist(),
            created.tolist(),
            priority.tolist(),
            ttype.tolist(),
            prio_change.tolist(),
            replied.tolist(),
            replied_at.tolist(),
            strict=True,
        )
    ):
        if kind == "task":
            continue
        if prio is not None:
            events.append((at, tid, 2 * k, prio))
        if did_reply and change and prio not in ("high", "urgent"):
            events.append((reply_at, tid, 2 * k + 1, "high"))
    events.sort()
    stamps = iso_z(np.array([e[0] for e in events], dtype=np.int64)) if events else []
    out.open("ticket_metric_events.jsonl").write(
        [
            {
                "id": METRIC_EVENT_BASE + n,
                "ticket_id": tid,
                "metric": "reply_time",
                "instance_id": 1,
                "type": "apply_sla",
                "time": stamp,
                "sla": {
                    "target": FIRST_REPLY_TARGET_HOURS[prio] * 60,
                    "target_in_seconds": FIRST_REPLY_TARGET_HOURS[prio] * 3600,
                    "business_hours": False,
                    "policy": {
                        "id": SLA_POLICY_ID,
                        "title": "Standard support",
                        "description": "First reply promised to every customer, by priority",
                    },
                },
            }
            for n, ((_, tid, _, prio), stamp) in enumerate(zip(events, stamps, strict=True))
        ]
    )
