"""HubSpot CRM: owners, contacts (leads), engagements (v1 shape) and deals (v3).

Leads arrive (web forms, mostly in business hours), an owning rep touches
them (call, email or meeting) after a skewed delay in the rep's business
hours, follows up a few times, and some leads become deals that walk the
default pipeline to closed won or lost. Property values are strings, as
HubSpot returns them. Planted: one sales team slow to touch its leads.
"""

from __future__ import annotations

import numpy as np

from .clock import DAY, NA, SCHEDULES, epoch_ms, iso_ms_z, lognormal_hours
from .ids import distinct_ints
from .org import Org
from .text import CUSTOMER_COMPANIES, FIRST_NAMES, LAST_NAMES, bodies, titles
from .writer import Breakage, Record, ToolOutput

SALT = 6
PORTAL = 4455667
LEADS_PER_REP_WEEK = 5.0
TOUCH_MEDIAN_BIZ_HOURS = 1.1
SLOW_TOUCH_MEDIAN_BIZ_HOURS = 12.0
STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
          "contractsent")
FORECAST = ("PIPELINE", "PIPELINE", "BEST_CASE", "BEST_CASE", "COMMIT")
SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "DIRECT_TRAFFIC", "REFERRALS", "SOCIAL_MEDIA", "EMAIL_MARKETING",
           "OFFLINE")
CALL_STATUS = ("COMPLETED", "COMPLETED", "COMPLETED", "NO_ANSWER", "BUSY")
MEETING_OUTCOME = ("COMPLETED",) * 7 + ("NO_SHOW",) * 2 + ("CANCELED",)


def generate(org: Org, out: ToolOutput) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    clock, start, end = org.clock, org.start, org.end
    teams = org.teams_of("Sales")
    reps = np.concatenate([t.members for t in teams])
    cal = org.cal

    # -- owners ---------------------------------------------------------------------------------
    owner_id = dict(zip(reps.tolist(), distinct_ints(rng, len(reps), 30_000_000, 99_000_000).tolist(), strict=True))
    user_id = dict(zip(reps.tolist(), distinct_ints(rng, len(reps), 9_000_000, 12_000_000).tolist(), strict=True))
    team_hs_id = {t.index: str(5_000_000 + 37 * k) for k, t in enumerate(teams)}
    owner_created = iso_ms_z(np.maximum(org.active_from[reps], start - 500 * DAY))
    w_own = out.open("owners.jsonl")
    w_own.write([{
        "id": str(owner_id[p]), "email": org.email[p], "type": "PERSON", "firstName": org.first[p],
        "lastName": org.last[p], "userId": user_id[p], "createdAt": owner_created[k],
        "updatedAt": owner_created[k], "archived": not bool(org.is_active[p]),
        "teams": [{"id": team_hs_id[int(org.team[p])], "name": org.teams[int(org.team[p])].name, "primary": True}],
    } for k, p in enumerate(reps.tolist())])

    # -- contacts (leads) ---------------------------------------------------------------------------
    week0 = org.week_starts()
    W = org.weeks
    R = len(reps)
    overlap = (np.minimum(org.active_until[reps][:, None], week0[None, :] + 7 * DAY)
               - np.maximum(org.active_from[reps][:, None], week0[None, :]))
    counts = rng.poisson(LEADS_PER_REP_WEEK * np.clip(overlap / (7 * DAY), 0, 1)).ravel()
    owner = np.repeat(np.repeat(reps, W), counts)
    wk = np.repeat(np.tile(np.arange(W), R), counts)
    lo = np.maximum(week0[wk], org.active_from[owner])
    hi = np.minimum(week0[wk] + 7 * DAY, org.active_until[owner])
    team = org.team[owner]
    team_cal = np.array([t.tz_primary * len(SCHEDULES) for t in org.teams])[team]
    created = clock.random_in(rng, team_cal, lo, hi)
    anytime = rng.random(len(owner)) < 0.25
    created[anytime] = lo[anytime] + (rng.random(anytime.sum()) * (hi - lo)[anytime]).astype(np.int64)
    ok = (created >= lo) & (created < hi) & (created < end)
    o = np.flatnonzero(ok)
    o = o[np.argsort(created[o], kind="stable")]
    owner, created, team = owner[o], created[o], team[o]
    n = len(owner)
    slow = team == org.slow_sales_team

    # first touch, then follow-ups
    touched = rng.random(n) >= 0.08
    median = np.where(slow, SLOW_TOUCH_MEDIAN_BIZ_HOURS, TOUCH_MEDIAN_BIZ_HOURS)
    first_touch = clock.add_biz(cal[owner], created, lognormal_hours(rng, median, 1.0, n))
    first_touch = np.maximum(first_touch, created + 60)
    n_follow = np.where(touched, rng.choice(5, n, p=[0.3, 0.3, 0.2, 0.12, 0.08]), 0)
    has_deal = touched & (rng.random(n) < 0.22)

    e_contact = np.concatenate([np.flatnonzero(touched), np.repeat(np.arange(n), n_follow)])
    e_k = np.concatenate([np.zeros(int(touched.sum()), dtype=np.int64),
                          1 + np.arange(int(n_follow.sum())) - np.repeat(np.cumsum(n_follow) - n_follow, n_follow)])
    gap = lognormal_hours(rng, 16, 0.9, len(e_contact)) * e_k  # later follow-ups wait longer
    e_time = np.where(e_k == 0, first_touch[e_contact],
                      clock.add_biz(cal[owner[e_contact]], first_touch[e_contact], gap))
    e_type = rng.choice(np.array(["CALL", "EMAIL", "MEETING"], dtype=object), len(e_contact), p=[0.45, 0.4, 0.15])
    keep = e_time < end
    e_contact, e_k, e_time, e_type = e_contact[keep], e_k[keep], e_time[keep], e_type[keep]
    o = np.argsort(e_time, kind="stable")
    e_contact, e_k, e_time, e_type = e_contact[o], e_k[o], e_time[o], e_type[o]
    touched_by_end = np.zeros(n, dtype=bool)
    touched_by_end[e_contact] = True

    # -- deals: created a while after the first touch, walk the pipeline ------------------------------
    d_contact = np.flatnonzero(has_deal)
    nd = len(d_contact)
    d_created = clock.add_biz(cal[owner[d_contact]], first_touch[d_contact], lognormal_hours(rng, 20, 0.8, nd))
    stage_dur = lognormal_hours(rng, 30, 0.8, nd * 5).reshape(nd, 5)
    lost_at = np.argmax(rng.random((nd, 5)) < 0.15, axis=1)
    never_lost = ~(rng.random((nd, 5)) < 0.15).any(axis=1)
    won = never_lost & (rng.random(nd) < 0.65)
    # number of open stages visited, and the closing stage (won/lost) after them
    n_stages = np.where(never_lost, 5, lost_at + 1)
    stage_biz = clock.to_biz(cal[owner[d_contact]], d_created)[:, None] + np.cumsum(
        np.c_[np.zeros(nd), stage_dur[:, :5]], axis=1)
    stage_time = clock.from_biz(np.repeat(cal[owner[d_contact]], 6), stage_biz.ravel()).reshape(nd, 6)
    stage_time[:, 0] = d_created
    close_time = stage_time[np.arange(nd), n_stages]
    closed_value = np.where(won, "closedwon", "closedlost")
    d_ok = d_created < end
    d_contact, d_created, stage_time, n_stages, close_time, closed_value, won = (
        d_contact[d_ok], d_created[d_ok], stage_time[d_ok], n_stages[d_ok], close_time[d_ok],
        closed_value[d_ok], won[d_ok])
    nd = len(d_contact)
    is_closed = close_time < end
    amount = np.round(lognormal_hours(rng, 12000, 0.9, nd), -2)
    no_amount = rng.random(nd) < 0.1
    deal_id = 9_100_000_000 + np.cumsum(rng.integers(1, 400, nd))
    deal_of_contact = np.full(n, -1, dtype=np.int64)
    deal_of_contact[d_contact] = np.arange(nd)

    # -- lifecycle of contacts ----------------------------------------------------------------------------
    contact_id = 1500 + np.cumsum(rng.integers(1, 4, n))
    lifecycle = np.where(touched_by_end, "salesqualifiedlead", "lead").astype(object)
    lead_status = np.where(touched_by_end, np.where(rng.random(n) < 0.6, "CONNECTED", "ATTEMPTED_TO_CONTACT"),
                           "NEW").astype(object)
    unq = touched_by_end & (rng.random(n) < 0.15)
    lead_status[unq] = np.where(rng.random(int(unq.sum())) < 0.5, "UNQUALIFIED", "BAD_TIMING")
    dc = d_contact
    lifecycle[dc] = np.where(won & is_closed, "customer", "opportunity")
    lead_status[dc] = "OPEN_DEAL"
    last_e = np.full(n, NA, dtype=np.int64)
    if len(e_contact):
        np.maximum.at(last_e, e_contact, e_time)
    c_updated = np.maximum(created, last_e)
    c_updated[dc] = np.maximum(c_updated[dc], np.where(is_closed, close_time, d_created))
    c_updated = np.minimum(c_updated + rng.integers(1, 600, n), end - 1)

    fi = rng.integers(0, len(FIRST_NAMES), n).tolist()
    li = rng.integers(0, len(LAST_NAMES), n).tolist()
    ci = rng.integers(0, len(CUSTOMER_COMPANIES), n).tolist()
    src = rng.integers(0, len(SOURCES), n).tolist()
    created_s, updated_s = iso_ms_z(created), iso_ms_z(c_updated)
    contact_email = [f"{FIRST_NAMES[f].lower()}.{LAST_NAMES[la].lower()}.{cid}@{CUSTOMER_COMPANIES[c]}.example"
                     for f, la, c, cid in zip(fi, li, ci, contact_id.tolist(), strict=True)]

    def older_contact(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updatedAt"] == rec["createdAt"]:
            return None
        rec["updatedAt"] = rec["createdAt"]
        rec["properties"].update(lifecyclestage="lead", hs_lead_status="NEW", lastmodifieddate=rec["createdAt"])
        return rec

    w_c = out.open("contacts.jsonl", older=older_contact, breakage=Breakage("unparsable_timestamp", "createdAt"))
    recs = []
    for i, (cid, ow, f, la, c, s, lc, ls, cr, up) in enumerate(zip(
            contact_id.tolist(), owner.tolist(), fi, li, ci, src, lifecycle.tolist(), lead_status.tolist(),
            created_s, updated_s, strict=True)):
        first, last = FIRST_NAMES[f], LAST_NAMES[la]
        recs.append({
            "id": str(cid),
            "properties": {
                "email": contact_email[i],
                "firstname": first, "lastname": last, "company": CUSTOMER_COMPANIES[c].replace("-", " ").title(),
                "phone": f"+1 415 555 {cid % 10000:04d}", "jobtitle": "Head of Operations" if i % 3 else "CTO",
                "lifecyclestage": lc, "hs_lead_status": ls, "hs_analytics_source": SOURCES[s],
                "hubspot_owner_id": str(owner_id[ow]), "createdate": cr, "lastmodifieddate": up,
                "hs_object_id": str(cid),
            },
            "createdAt": cr,
            "updatedAt": up,
            "archived": False,
        })
        if len(recs) == 20000:
            w_c.write(recs)
            recs = []
    w_c.write(recs)

    # -- engagements (v1 shape, epoch milliseconds) ------------------------------------------------------
    m = len(e_contact)
    eng_id = 30_000_000_000 + np.cumsum(rng.integers(1, 900, m))
    logged = np.where(e_type == "MEETING", e_time - rng.integers(DAY, 5 * DAY, m), e_time + rng.integers(30, 900, m))
    logged = np.minimum(logged, end - 1)
    ts_ms, logged_ms = epoch_ms(e_time), epoch_ms(logged)
    e_deal = deal_of_contact[e_contact]
    e_deal = np.where((e_deal >= 0) & (e_time >= d_created[np.maximum(e_deal, 0)]), e_deal, -1) if nd else np.full(m, -1)
    call_status = rng.integers(0, len(CALL_STATUS), m).tolist()
    outcome = rng.integers(0, len(MEETING_OUTCOME), m).tolist()
    duration = (lognormal_hours(rng, 0.25, 0.7, m) * 3_600_000).astype(np.int64).tolist()
    texts = bodies(rng, m)
    subjects = titles(rng, m)
    w_e = out.open("engagements.jsonl")
    recs = []
    for k, (eid, ci_, typ, tms, lms, di) in enumerate(zip(eng_id.tolist(), e_contact.tolist(), e_type.tolist(),
                                                         ts_ms, logged_ms, e_deal.tolist(), strict=True)):
        ow = int(owner[ci_])
        if typ == "CALL":
            st = CALL_STATUS[call_status[k]]
            meta = {"toNumber": f"+14155550{ci_ % 1000:03d}", "fromNumber": "+14155550100", "status": st,
                    "durationMilliseconds": duration[k] if st == "COMPLETED" else 0, "body": texts[k],
                    "disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7", "title": subjects[k]}
        elif typ == "EMAIL":
            meta = {"from": {"email": org.email[ow], "firstName": org.first[ow], "lastName": org.last[ow]},
                    "to": [{"email": contact_email[ci_]}], "cc": [], "bcc": [],
                    "subject": subjects[k], "html": f"<p>{texts[k]}</p>", "text": texts[k]}
        else:
            meta = {"body": texts[k], "title": subjects[k], "startTime": tms, "endTime": tms + duration[k],
                    "meetingOutcome": MEETING_OUTCOME[outcome[k]], "internalMeetingNotes": texts[k]}
        recs.append({
            "engagement": {"id": eid, "portalId": PORTAL, "active": True, "createdAt": lms,
                           "lastUpdated": max(lms, tms), "createdBy": user_id[ow], "modifiedBy": user_id[ow],
                           "ownerId": owner_id[ow], "type": typ, "timestamp": tms,
                           "teamId": int(team_hs_id[int(org.team[ow])])},
            "associations": {"contactIds": [int(contact_id[ci_])], "companyIds": [],
                             "dealIds": [int(deal_id[di])] if di >= 0 else [], "ownerIds": [],
                             "workflowIds": [], "ticketIds": [], "contentIds": [], "quoteIds": []},
            "attachments": [],
            "scheduledTasks": [],
            "metadata": meta,
        })
        if len(recs) == 20000:
            w_e.write(recs)
            recs = []
    w_e.write(recs)

    # -- deals ------------------------------------------------------------------------------------------------
    stage_s = [iso_ms_z(stage_time[:, k]) for k in range(6)]
    close_s = iso_ms_z(close_time)
    expected_close = iso_ms_z(d_created + 45 * DAY)
    d_created_s = iso_ms_z(d_created)
    deal_name = titles(rng, nd)

    def older_deal(rec: Record, rng_: np.random.Generator) -> Record | None:
        hist = rec["propertiesWithHistory"]["dealstage"]
        if len(hist) < 2:
            return None
        rec["propertiesWithHistory"]["dealstage"] = hist[1:]
        rec["properties"]["dealstage"] = hist[1]["value"]
        rec["updatedAt"] = hist[1]["timestamp"]
        return rec

    w_d = out.open("deals.jsonl", older=older_deal)
    recs = []
    for j in range(nd):
        ci_ = int(d_contact[j])
        ow = int(owner[ci_])
        did = int(deal_id[j])
        hist = []
        for k in range(int(n_stages[j])):
            if stage_time[j, k] >= end:
                break
            hist.append((STAGES[k], stage_s[k][j], k))
        closed = bool(is_closed[j])
        if closed:
            hist.append((str(closed_value[j]), close_s[j], 5))
        stage, stage_at, k_last = hist[-1]
        forecast = ("CLOSED" if stage == "closedwon" else "OMIT") if closed else FORECAST[k_last]
        recs.append({
            "id": str(did),
            "properties": {
                "dealname": f"{CUSTOMER_COMPANIES[ci_ % len(CUSTOMER_COMPANIES)].title()} - {deal_name[j]}",
                "pipeline": "default",
                "dealstage": stage,
                "amount": None if no_amount[j] else f"{amount[j]:.0f}",
                "hs_manual_forecast_category": forecast,
                "hubspot_owner_id": str(owner_id[ow]),
                "closedate": close_s[j] if closed else expected_close[j],
                "createdate": d_created_s[j],
                "hs_lastmodifieddate": stage_at,
                "description": deal_name[j],
                "hs_object_id": str(did),
            },
            "propertiesWithHistory": {"dealstage": [
                {"value": v, "timestamp": t, "sourceType": "CRM_UI", "sourceId": f"userId:{user_id[ow]}",
                 "updatedByUserId": user_id[ow]} for v, t, _k in reversed(hist)]},
            "createdAt": d_created_s[j],
            "updatedAt": stage_at,
            "archived": False,
            "associations": {"contacts": {"results": [{"id": str(contact_id[ci_]), "type": "deal_to_contact"}]}},
        })
        if len(recs) == 20000:
            w_d.write(recs)
            recs = []
    w_d.write(recs)

    # -- planted fact 4: speed to lead per team, from the engagements written ---------------------------
    first_e = np.full(n, NA, dtype=np.int64)
    uniq, pos = np.unique(e_contact, return_index=True)  # e_* is time-sorted
    first_e[uniq] = e_time[pos]
    hours = (first_e - created) / 3600.0
    has = first_e != NA
    out.planted["slow_sales_team"] = {
        "team": org.teams[org.slow_sales_team].name,
        "median_first_touch_hours": round(float(np.median(hours[has & slow])), 2),
        "other_teams_median_first_touch_hours": round(float(np.median(hours[has & ~slow])), 2) if (has & ~slow).any() else None,
        "definition": "contact createdAt -> first engagement timestamp of its owner (CALL/EMAIL/MEETING), calendar hours",
    }
