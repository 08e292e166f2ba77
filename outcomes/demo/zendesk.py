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
from .text import CUSTOMER_COMPANIES, FIRST_NAMES, LAST_NAMES, bodies, titles
from .writer import Breakage, Record, ToolOutput

SALT = 5
BASE = "https://acme.zendesk.com/api/v2"
TICKETS_PER_AGENT_WEEK = 4.0
OVERLOAD_VOLUME = 3.0
OVERLOAD_SLOWDOWN = 4.0
SYSTEM = -1  # Zendesk's author id for automatic changes

# step kinds, in the order they can happen
CREATE, NOTE, FIRST, CUST, AGENT, SOLVE, REOPEN, SOLVE2, CLOSE = range(9)


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
    agent_uid = dict(zip(agents.tolist(), distinct_ints(rng, len(agents), 370_000_000_000, 371_000_000_000).tolist(), strict=True))
    admins = {t.manager for t in teams}

    week0 = org.week_starts()
    W = org.weeks
    hot_weeks = overloaded_weeks(W)
    hot_team = org.overloaded_support_team

    # tickets per (team, week)
    t_team, t_week, t_created = [], [], []
    for t in teams:
        active = ((org.active_from[t.members][:, None] < week0[None, :] + 7 * DAY)
                  & (org.active_until[t.members][:, None] > week0[None, :])).sum(axis=0)
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
    t_step[note, NOTE] = created[note] + ((t_step[note, FIRST] - created[note]) * rng.random(note.sum())).astype(np.int64)
    one_touch = rng.random(n) < 0.3
    first_status = np.where(one_touch, "solved", np.where(rng.random(n) < 0.6, "pending", "open"))
    talk = ~one_touch & (rng.random(n) < 0.55)
    t_step[talk, CUST] = t_step[talk, FIRST] + (lognormal_hours(rng, 5, 1.0, talk.sum()) * 3600).astype(np.int64)
    t_step[talk, AGENT] = clock.add_biz(a_cal[talk], t_step[talk, CUST],
                                        lognormal_hours(rng, 2, 1.0, talk.sum()) * slow[talk])
    agent_status = np.where(rng.random(n) < 0.85, "pending", "hold")
    solve = ~one_touch
    before_solve = np.where(talk, t_step[:, AGENT], t_step[:, FIRST])
    t_step[solve, SOLVE] = clock.add_biz(a_cal[solve], before_solve[solve],
                                         lognormal_hours(rng, 3, 1.0, solve.sum()) * slow[solve])
    solve_comment = rng.random(n) < 0.7
    reopen = rng.random(n) < 0.06
    solved_at = np.where(one_touch, t_step[:, FIRST], t_step[:, SOLVE])
    t_step[reopen, REOPEN] = solved_at[reopen] + (lognormal_hours(rng, 20, 1.0, reopen.sum()) * 3600).astype(np.int64)
    t_step[reopen, SOLVE2] = clock.add_biz(a_cal[reopen], t_step[reopen, REOPEN], lognormal_hours(rng, 3, 1.0, reopen.sum()))
    last_solve = np.where(reopen, t_step[:, SOLVE2], solved_at)
    t_step[:, CLOSE] = last_solve + 4 * DAY + rng.integers(0, 6 * 3600, n)
    # only what happened before the export exists; the chain is monotone in time
    happened = (t_step != NA) & (t_step < end)
    cut = np.cumprod(happened | (t_step == NA), axis=1).astype(bool)
    happened &= cut

    # status after each step and the final status
    status_after = np.empty((n, 9), dtype=object)
    status_after[:, CREATE] = "new"
    status_after[:, NOTE] = None
    status_after[:, FIRST] = first_status
    status_after[:, CUST] = "open"
    status_after[:, AGENT] = agent_status
    status_after[:, SOLVE] = "solved"
    status_after[:, REOPEN] = "open"
    status_after[:, SOLVE2] = "solved"
    status_after[:, CLOSE] = "closed"
    last = 8 - np.argmax((happened & (status_after != None))[:, ::-1], axis=1)  # noqa: E711
    final_status = status_after[np.arange(n), last]
    updated = np.max(np.where(happened, t_step, 0), axis=1)

    # -- satisfaction ratings on ~30% of solved tickets -----------------------------------------
    was_solved = happened[:, FIRST] & one_touch | happened[:, SOLVE]
    rated = was_solved & (rng.random(n) < 0.3)
    rating_at = last_solve + (lognormal_hours(rng, 10, 1.0, n) * 3600).astype(np.int64)
    rated &= rating_at < end
    good = rng.random(n) < np.where(hot, 0.55, 0.87)
    has_comment = rng.random(n) < 0.35
    updated = np.where(rated, np.maximum(updated, rating_at), updated)
    updated = np.minimum(updated + rng.integers(1, 60, n), end - 1)

    # -- ids and text -----------------------------------------------------------------------------
    ticket_id = 48_000 + np.arange(n) + np.cumsum(rng.integers(0, 3, n))
    priority = rng.choice(np.array(["low", "normal", "high", "urgent", None], dtype=object), n,
                          p=[0.15, 0.5, 0.2, 0.05, 0.1])
    ttype = rng.choice(np.array(["question", "incident", "problem", "task", None], dtype=object), n,
                       p=[0.45, 0.25, 0.05, 0.05, 0.2])
    channel = rng.choice(np.array(["email", "web", "chat", "api", "voice"], dtype=object), n,
                         p=[0.45, 0.3, 0.15, 0.05, 0.05])
    due = np.where(ttype == "task", clock.add_biz(a_cal, created, lognormal_hours(rng, 24, 0.5, n)), NA)
    subject = titles(rng, n)
    descr = bodies(rng, n)
    tag_pick = rng.integers(0, 6, (n, 2))
    tag_words = ("billing", "login", "export", "bug", "how-to", "vip")

    # customers
    cf = rng.integers(0, len(FIRST_NAMES), n_cust).tolist()
    cl = rng.integers(0, len(LAST_NAMES), n_cust).tolist()
    cc = rng.integers(0, len(CUSTOMER_COMPANIES), n_cust).tolist()
    cust_name = [f"{FIRST_NAMES[a]} {LAST_NAMES[b]}" for a, b in zip(cf, cl, strict=True)]
    cust_email = [f"{FIRST_NAMES[a].lower()}.{LAST_NAMES[b].lower()}{k}@{CUSTOMER_COMPANIES[c]}.example"
                  for k, (a, b, c) in enumerate(zip(cf, cl, cc, strict=True))]

    w_users = out.open("users.jsonl")
    agent_created = iso_z(np.maximum(org.active_from[agents], start - 400 * DAY))
    recs = []
    for k, p in enumerate(agents.tolist()):
        uid = agent_uid[p]
        recs.append({
            "url": f"{BASE}/users/{uid}.json", "id": uid, "name": org.name(p), "email": org.email[p],
            "role": "admin" if p in admins else "agent", "default_group_id": group_id[int(org.team[p])],
            "phone": None, "photo": None, "time_zone": TIMEZONES[int(org.tz[p])], "locale": "en-US",
            "organization_id": None, "signature": f"Best, {org.first[p]}", "details": "", "notes": "",
            "tags": [], "active": bool(org.is_active[p]), "suspended": False,
            "created_at": agent_created[k], "updated_at": agent_created[k],
        })
    cust_created = iso_z(start - rng.integers(DAY, 700 * DAY, n_cust))
    org_ids = 390_000_000 + np.array(cc) * 17
    for k in range(n_cust):
        uid = int(cust_uid[k])
        recs.append({
            "url": f"{BASE}/users/{uid}.json", "id": uid, "name": cust_name[k], "email": cust_email[k],
            "role": "end-user", "default_group_id": None, "phone": f"+44 20 7946 {k % 10000:04d}",
            "photo": None, "time_zone": "London", "locale": "en-GB", "organization_id": int(org_ids[k]),
            "signature": None, "details": "", "notes": "Prefers email.", "tags": [], "active": True,
            "suspended": False, "created_at": cust_created[k], "updated_at": cust_created[k],
        })
    w_users.write(recs)

    # -- tickets ----------------------------------------------------------------------------------
    created_s, updated_s, due_s = iso_z(created), iso_z(updated), iso_z(due)
    rating_id = distinct_ints(rng, n, 25_000_000_000, 26_000_000_000)
    rating_comment = bodies(rng, n)

    def older_ticket(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"] or rec["status"] == "new":
            return None
        rec.update(status="open", updated_at=rec["created_at"], satisfaction_rating=None)
        return rec

    w_t = out.open("tickets.jsonl", older=older_ticket,
                   breakage=Breakage("unparsable_timestamp", "created_at"))
    recs = []
    cols = zip(ticket_id.tolist(), team.tolist(), agent.tolist(), requester.tolist(), final_status.tolist(),
               priority.tolist(), ttype.tolist(), channel.tolist(), happened[:, FIRST].tolist(),
               rated.tolist(), good.tolist(), has_comment.tolist(), rating_id.tolist(),
               tag_pick.tolist(), created_s, updated_s, due_s, subject, descr, strict=True)
    for i, (tid, t, a, rq, st, pr, ty, ch, assigned, rt, gd, hc, rid, tp, cr_s, up_s, du_s, subj,
            desc) in enumerate(cols):
        rq_id = int(cust_uid[rq])
        submitter = agent_uid[a] if ch == "voice" else rq_id
        recs.append({
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
            "submitter_id": submitter,
            "assignee_id": agent_uid[a] if assigned else None,
            "organization_id": int(org_ids[rq]),
            "group_id": group_id[t],
            "collaborator_ids": [],
            "follower_ids": [],
            "email_cc_ids": [],
            "due_at": du_s,
            "tags": sorted({tag_words[x] for x in tp}),
            "custom_fields": [{"id": 360_001, "value": "plan_pro" if tid % 3 else "plan_basic"}],
            "satisfaction_rating": ({"id": rid, "score": "good" if gd else "bad",
                                     "comment": rating_comment[i] if hc else None} if rt
                                    else {"score": "unoffered"}),
            "sharing_agreement_ids": [],
            "is_public": True,
        })
        if len(recs) == 20000:
            w_t.write(recs)
            recs = []
    w_t.write(recs)

    # -- satisfaction ratings ----------------------------------------------------------------------
    def older_rating(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec.update(score="offered", comment=None, updated_at=rec["created_at"])
        return rec

    ri = np.flatnonzero(rated)
    ri = ri[np.argsort(rating_at[ri], kind="stable")]
    offered_s = iso_z(last_solve[ri] + 60)
    rated_s = iso_z(rating_at[ri])
    w_r = out.open("satisfaction_ratings.jsonl", older=older_rating)
    recs = []
    for k, i in enumerate(ri.tolist()):
        rid = int(rating_id[i])
        recs.append({
            "url": f"{BASE}/satisfaction_ratings/{rid}.json",
            "id": rid,
            "assignee_id": agent_uid[int(agent[i])],
            "group_id": group_id[int(team[i])],
            "requester_id": int(cust_uid[requester[i]]),
            "ticket_id": int(ticket_id[i]),
            "score": "good" if good[i] else "bad",
            "created_at": offered_s[k],
            "updated_at": rated_s[k],
            "comment": rating_comment[i] if has_comment[i] else None,
            "reason": "No reason provided" if good[i] else "The issue took too long to resolve",
            "reason_id": 0 if good[i] else 7,
        })
    w_r.write(recs)

    # -- audits: one per step that happened ---------------------------------------------------------
    au_ticket, au_step = np.nonzero(happened)
    au_time = t_step[au_ticket, au_step]
    o = np.lexsort((au_time, au_ticket))
    au_ticket, au_step, au_time = au_ticket[o], au_step[o], au_time[o]
    m = len(au_ticket)
    audit_id = 19_000_000_000_000 + np.cumsum(rng.integers(1, 50, m)) * 1000
    au_time_s = iso_z(au_time)
    comment_text = bodies(rng, m)
    prio_change = rng.random(n) < 0.1
    # status before each audit: the status after the previous status-changing step
    prev_status = np.empty(m, dtype=object)
    cur = None
    st_after = status_after.tolist()
    for k, (i, s) in enumerate(zip(au_ticket.tolist(), au_step.tolist(), strict=True)):
        if s == CREATE:
            cur = None
        prev_status[k] = cur
        if st_after[i][s] is not None:
            cur = st_after[i][s]
    w_a = out.open("ticket_audits.jsonl")
    recs = []
    uid_of = agent_uid
    tid_l, agent_l, req_l, prio_l, ch_l = (ticket_id.tolist(), agent.tolist(), requester.tolist(),
                                           priority.tolist(), channel.tolist())
    solve_comment_l, prio_change_l = solve_comment.tolist(), prio_change.tolist()
    for k, (i, s, aid, ts, prev) in enumerate(zip(au_ticket.tolist(), au_step.tolist(), audit_id.tolist(),
                                                 au_time_s, prev_status.tolist(), strict=True)):
        ag = uid_of[agent_l[i]]
        cust = int(cust_uid[req_l[i]])
        new = st_after[i][s]
        eid = aid + 1
        events: list[Record] = []
        if s == CREATE:
            author = ag if ch_l[i] == "voice" else cust
            events.append({"id": eid, "type": "Comment", "author_id": cust, "body": descr[i],
                           "html_body": f"<p>{descr[i]}</p>", "plain_body": descr[i], "public": True,
                           "attachments": [], "audit_id": aid})
            events.append({"id": eid + 1, "type": "Create", "value": "new", "field_name": "status"})
            events.append({"id": eid + 2, "type": "Create", "value": prio_l[i], "field_name": "priority"})
            events.append({"id": eid + 3, "type": "Create", "value": str(group_id[int(team[i])]), "field_name": "group_id"})
        elif s == CLOSE:
            author = SYSTEM
            events.append({"id": eid, "type": "Change", "value": "closed", "field_name": "status",
                           "previous_value": prev})
        else:
            customer_step = s in (CUST, REOPEN)
            author = cust if customer_step else ag
            public = s != NOTE
            if s != SOLVE or solve_comment_l[i]:
                events.append({"id": eid, "type": "Comment", "author_id": author, "body": comment_text[k],
                               "html_body": f"<p>{comment_text[k]}</p>", "plain_body": comment_text[k],
                               "public": public, "attachments": [], "audit_id": aid})
            if new is not None and new != prev:
                events.append({"id": eid + 1, "type": "Change", "value": new, "field_name": "status",
                               "previous_value": prev})
            if s == FIRST:
                events.append({"id": eid + 2, "type": "Change", "value": str(ag), "field_name": "assignee_id",
                               "previous_value": None})
                if prio_change_l[i] and prio_l[i] not in ("high", "urgent"):
                    events.append({"id": eid + 3, "type": "Change", "value": "high", "field_name": "priority",
                                   "previous_value": prio_l[i]})
            if public and not customer_step:
                events.append({"id": eid + 4, "type": "Notification", "via": {"channel": "rule"},
                               "subject": f"[Acme] Re: {subject[i]}", "body": comment_text[k],
                               "recipients": [cust]})
        recs.append({
            "id": aid,
            "ticket_id": tid_l[i],
            "created_at": ts,
            "author_id": author,
            "metadata": {"system": {"client": "Mozilla/5.0", "ip_address": f"203.0.113.{aid % 250}",
                                    "location": "Unknown"}, "custom": {}},
            "via": {"channel": "web" if author != SYSTEM else "rule", "source": {"from": {}, "to": {}, "rel": None}},
            "events": events,
        })
        if len(recs) == 20000:
            w_a.write(recs)
            recs = []
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
        "weeks": [str(np.datetime64(int(week0[w]), "s").astype("datetime64[D]")) for w in hot_weeks],
        "volume_ratio": round(float(per_week[hot_mask].mean() / max(other_weeks.mean(), 1e-9)), 2) if len(other_weeks) else None,
        "first_reply_median_hours_overloaded": round(float(np.median(first_reply_h[own & hot & replied])), 2),
        "first_reply_median_hours_other_weeks": (round(float(np.median(first_reply_h[own & ~hot & replied])), 2)
                                                 if (own & ~hot & replied).any() else None),
        "definition": "created -> first public agent comment, calendar hours; weeks are ISO week starts",
    }
