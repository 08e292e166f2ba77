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
from .text import CUSTOMER_COMPANIES, FIRST_NAMES, LAST_NAMES, body_of, text_codes, title_of
from .writer import Breakage, Record, ToolOutput, chunks

SALT = 6
PORTAL = 4455667
LEADS_PER_REP_WEEK = 5.0
TOUCH_MEDIAN_BIZ_HOURS = 1.1
SLOW_TOUCH_MEDIAN_BIZ_HOURS = 12.0
STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
FORECAST = ("PIPELINE", "PIPELINE", "BEST_CASE", "BEST_CASE", "COMMIT")
SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "DIRECT_TRAFFIC",
    "REFERRALS",
    "SOCIAL_MEDIA",
    "EMAIL_MARKETING",
    "OFFLINE",
)
CALL_STATUS = ("COMPLETED", "COMPLETED", "COMPLETED", "NO_ANSWER", "BUSY")
MEETING_OUTCOME = ("COMPLETED",) * 7 + ("NO_SHOW",) * 2 + ("CANCELED",)


def generate(org: Org, out: ToolOutput) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    clock, start, end = org.clock, org.start, org.end
    teams = org.teams_of("Sales")
    reps = np.concatenate([t.members for t in teams])
    cal = org.cal

    # -- owners ---------------------------------------------------------------------------------
    owner_id = dict(
        zip(
            reps.tolist(),
            distinct_ints(rng, len(reps), 30_000_000, 99_000_000).tolist(),
            strict=True,
        )
    )
    user_id = dict(
        zip(
            reps.tolist(),
            distinct_ints(rng, len(reps), 9_000_000, 12_000_000).tolist(),
            strict=True,
        )
    )
    team_hs_id = {t.index: str(5_000_000 + 37 * k) for k, t in enumerate(teams)}
    owner_created = iso_ms_z(np.maximum(org.active_from[reps], start - 500 * DAY))
    w_own = out.open("owners.jsonl")
    w_own.write(
        [
            {
                "id": str(owner_id[p]),
                "email": org.email[p],
                "firstName": org.first[p],
                "lastName": org.last[p],
                "userId": user_id[p],
                "createdAt": owner_created[k],
                "updatedAt": owner_created[k],
                "archived": not bool(org.is_active[p]),
                "teams": [
                    {
                        "id": team_hs_id[int(org.team[p])],
                        "name": org.teams[int(org.team[p])].name,
                        "primary": True,
                    }
                ],
            }
            for k, p in enumerate(reps.tolist())
        ]
    )

    # -- contacts (leads) ---------------------------------------------------------------------------
    week0 = org.week_starts()
    W = org.weeks
    R = len(reps)
    overlap = np.minimum(org.active_until[reps][:, None], week0[None, :] + 7 * DAY) - np.maximum(
        org.active_from[reps][:, None], week0[None, :]
    )
    counts = rng.poisson(LEADS_PER_REP_WEEK * np.clip(overlap / (7 * DAY), 0, 1)).ravel()
    owner = np.repeat(np.repeat(reps, W), counts)
    wk = np.repeat(np.tile(np.arange(W), R), counts)
    lo = np.maximum(week0[wk], org.active_from[owner])
    hi = np.minimum(week0[wk] + 7 * DAY, org.active_until[owner])
    team = org.team[owner]
    team_cal = np.array([t.tz_primary * len(SCHEDULES) for t in org.teams])[team]
    created = clock.random_in(rng, team_cal, lo, hi)
    anytime = rng.random(len(owner)) < 0.25
    created[anytime] = lo[anytime] + (rng.random(anytime.sum()) * (hi - lo)[anytime]).astype(
        np.int64
    )
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
    e_k = np.concatenate(
        [
            np.zeros(int(touched.sum()), dtype=np.int64),
            1
            + np.arange(int(n_follow.sum()))
            - np.repeat(np.cumsum(n_follow) - n_follow, n_follow),
        ]
    )
    gap = lognormal_hours(rng, 16, 0.9, len(e_contact)) * e_k  # later follow-ups wait longer
    e_time = np.where(
        e_k == 0,
        first_touch[e_contact],
        clock.add_biz(cal[owner[e_contact]], first_touch[e_contact], gap),
    )
    e_type = rng.choice(
        np.array(["CALL", "EMAIL", "MEETING"], dtype=object), len(e_contact), p=[0.45, 0.4, 0.15]
    )
    keep = e_time < end
    e_contact, e_k, e_time, e_type = e_contact[keep], e_k[keep], e_time[keep], e_type[keep]
    o = np.argsort(e_time, kind="stable")
    e_contact, e_k, e_time, e_type = e_contact[o], e_k[o], e_time[o], e_type[o]
    touched_by_end = np.zeros(n, dtype=bool)
    touched_by_end[e_contact] = True

    # -- deals: created a while after the first touch, walk the pipeline ------------------------------
    d_contact = np.flatnonzero(has_deal)
    nd = len(d_contact)
    d_created = clock.add_biz(
        cal[owner[d_contact]], first_touch[d_contact], lognormal_hours(rng, 20, 0.8, nd)
    )
    stage_dur = lognormal_hours(rng, 30, 0.8, nd * 5).reshape(nd, 5)
    lost_at = np.argmax(rng.random((nd, 5)) < 0.15, axis=1)
    never_lost = ~(rng.random((nd, 5)) < 0.15).any(axis=1)
    won = never_lost & (rng.random(nd) < 0.65)
    # number of open stages visited, and the closing stage (won/lost) after them
    n_stages = np.where(never_lost, 5, lost_at + 1)
    stage_biz = clock.to_biz(cal[owner[d_contact]], d_created)[:, None] + np.cumsum(
        np.c_[np.zeros(nd), stage_dur[:, :5]], axis=1
    )
    stage_time = clock.from_biz(np.repeat(cal[owner[d_contact]], 6), stage_biz.ravel()).reshape(
        nd, 6
    )
    stage_time[:, 0] = d_created
    close_time = stage_time[np.arange(nd), n_stages]
    closed_value = np.where(won, "closedwon", "closedlost")
    d_ok = d_created < end
    d_contact, d_created, stage_time, n_stages, close_time, closed_value, won = (
        d_contact[d_ok],
        d_created[d_ok],
        stage_time[d_ok],
        n_stages[d_ok],
        close_time[d_ok],
        closed_value[d_ok],
        won[d_ok],
    )
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
    lead_status = np.where(
        touched_by_end, np.where(rng.random(n) < 0.6, "CONNECTED", "ATTEMPTED_TO_CONTACT"), "NEW"
    ).astype(object)
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

    fi = rng.integers(0, len(FIRST_NAMES), n)
    li = rng.integers(0, len(LAST_NAMES), n)
    ci = rng.integers(0, len(CUSTOMER_COMPANIES), n)
    src = rng.integers(0, len(SOURCES), n)

    def contact_emails(idx: np.ndarray) -> list[str]:
        return [
            f"{FIRST_NAMES[f].lower()}.{LAST_NAMES[la].lower()}.{cid}@{CUSTOMER_COMPANIES[c]}.example"
            for f, la, c, cid in zip(
                fi[idx].tolist(),
                li[idx].tolist(),
                ci[idx].tolist(),
                contact_id[idx].tolist(),
                strict=True,
            )
        ]

    def older_contact(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updatedAt"] == rec["createdAt"]:
            return None
        rec["updatedAt"] = rec["createdAt"]
        rec["properties"].update(
            lifecyclestage="lead", hs_lead_status="NEW", lastmodifieddate=rec["createdAt"]
        )
        return rec

    owner_of = np.zeros(org.people, dtype=np.int64)
    owner_of[reps] = [owner_id[p] for p in reps.tolist()]
    w_c = out.open(
        "contacts.jsonl",
        older=older_contact,
        breakage=Breakage("unparsable_timestamp", "createdAt"),
    )
    for sl in chunks(n):
        idx = np.arange(sl.start, sl.stop)
        recs = []
        deal_ids = np.where(
            deal_of_contact[sl] >= 0, deal_id[np.maximum(deal_of_contact[sl], 0)] if nd else 0, -1
        )
        for cid, ow, f, la, c, so, lc, ls, cr, up, email, dl in zip(
            contact_id[sl].tolist(),
            owner_of[owner[sl]].tolist(),
            fi[sl].tolist(),
            li[sl].tolist(),
            ci[sl].tolist(),
            src[sl].tolist(),
            lifecycle[sl].tolist(),
            lead_status[sl].tolist(),
            iso_ms_z(created[sl]),
            iso_ms_z(c_updated[sl]),
            contact_emails(idx),
            deal_ids.tolist(),
            strict=True,
        ):
            recs.append(
                {
                    "id": str(cid),
                    "properties": {
                        "email": email,
                        "firstname": FIRST_NAMES[f],
                        "lastname": LAST_NAMES[la],
                        "company": CUSTOMER_COMPANIES[c].replace("-", " ").title(),
                        "phone": f"+1 415 555 {cid % 10000:04d}",
                        "jobtitle": "Head of Operations" if cid % 3 else "CTO",
                        "lifecyclestage": lc,
                        "hs_lead_status": ls,
                        "hs_analytics_source": SOURCES[so],
                        "hubspot_owner_id": str(ow),
                        "createdate": cr,
                        "lastmodifieddate": up,
                        "hs_object_id": str(cid),
                    },
                    "createdAt": cr,
                    "updatedAt": up,
                    "archived": False,
                    "propertiesWithHistory": {
                        "lifecyclestage": [
                            {"value": lc, "timestamp": up, "sourceType": "CRM_UI"},
                            {"value": "lead", "timestamp": cr, "sourceType": "FORM"},
                        ][: 1 if lc == "lead" else 2]
                    },
                    "associations": (
                        {"deals": {"results": [{"id": str(dl), "type": "contact_to_deal"}]}}
                        if dl >= 0
                        else {}
                    ),
                }
            )
        w_c.write(recs)

    # -- engagements (v1 shape, epoch milliseconds) ------------------------------------------------------
    m = len(e_contact)
    eng_id = 30_000_000_000 + np.cumsum(rng.integers(1, 900, m))
    # meetings are booked days ahead; calls and emails are logged right after
    logged = np.where(
        e_type == "MEETING",
        e_time - rng.integers(DAY, 5 * DAY, m),
        e_time + rng.integers(30, 900, m),
    )
    logged = np.minimum(logged, end - 1)
    e_deal = deal_of_contact[e_contact]
    if nd:
        e_deal = np.where((e_deal >= 0) & (e_time >= d_created[np.maximum(e_deal, 0)]), e_deal, -1)
    e_deal_id = np.where(e_deal >= 0, deal_id[np.maximum(e_deal, 0)] if nd else 0, -1)
    call_status = rng.integers(0, len(CALL_STATUS), m)
    outcome = rng.integers(0, len(MEETING_OUTCOME), m)
    duration = (lognormal_hours(rng, 0.25, 0.7, m) * 3_600_000).astype(np.int64)
    text_code = text_codes(rng, m)
    team_id_of = np.zeros(org.people, dtype=np.int64)
    team_id_of[reps] = [int(team_hs_id[int(org.team[p])]) for p in reps.tolist()]
    w_e = out.open("engagements.jsonl")
    for sl in chunks(m):
        ci_ = e_contact[sl]
        ow_p = owner[ci_]
        cols = zip(
            eng_id[sl].tolist(),
            contact_id[ci_].tolist(),
            ow_p.tolist(),
            e_type[sl].tolist(),
            epoch_ms(e_time[sl]),
            epoch_ms(logged[sl]),
            e_deal_id[sl].tolist(),
            call_status[sl].tolist(),
            outcome[sl].tolist(),
            duration[sl].tolist(),
            body_of(text_code[sl]),
            title_of(text_code[sl] // 7),
            contact_emails(ci_),
            strict=True,
        )
        recs = []
        for eid, cid, ow, typ, tms, lms, did, cs, oc, dur, text, subject, email in cols:
            if typ == "CALL":
                st = CALL_STATUS[cs]
                meta = {
                    "toNumber": f"+14155550{cid % 1000:03d}",
                    "fromNumber": "+14155550100",
                    "status": st,
                    "durationMilliseconds": dur if st == "COMPLETED" else 0,
                    "body": text,
                    "disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
                    "title": subject,
                }
            elif typ == "EMAIL":
                meta = {
                    "from": {
                        "email": org.email[ow],
                        "firstName": org.first[ow],
                        "lastName": org.last[ow],
                    },
                    "to": [{"email": email}],
                    "cc": [],
                    "bcc": [],
                    "subject": subject,
                    "html": f"<p>{text}</p>",
                    "text": text,
                }
            else:
                meta = {
                    "body": text,
                    "title": subject,
                    "startTime": tms,
                    "endTime": tms + dur,
                    "meetingOutcome": MEETING_OUTCOME[oc],
                    "internalMeetingNotes": text,
                }
            uid = user_id[ow]
            recs.append(
                {
                    "engagement": {
                        "id": eid,
                        "portalId": PORTAL,
                        "active": True,
                        "createdAt": lms,
                        "lastUpdated": max(lms, tms),
                        "createdBy": uid,
                        "modifiedBy": uid,
                        "ownerId": owner_id[ow],
                        "type": typ,
                        "timestamp": tms,
                        "teamId": int(team_id_of[ow]),
                    },
                    "associations": {
                        "contactIds": [cid],
                        "companyIds": [],
                        "dealIds": [did] if did >= 0 else [],
                        "ownerIds": [],
                        "workflowIds": [],
                        "ticketIds": [],
                        "contentIds": [],
                        "quoteIds": [],
                    },
                    "attachments": [],
                    "scheduledTasks": [],
                    "metadata": meta,
                }
            )
        w_e.write(recs)

    # -- deals ------------------------------------------------------------------------------------------------
    deal_name = text_codes(rng, nd)

    def older_deal(rec: Record, rng_: np.random.Generator) -> Record | None:
        hist = rec["propertiesWithHistory"]["dealstage"]
        if len(hist) < 2:
            return None
        rec["propertiesWithHistory"]["dealstage"] = hist[1:]
        rec["properties"]["dealstage"] = hist[1]["value"]
        rec["updatedAt"] = hist[1]["timestamp"]
        return rec

    w_d = out.open("deals.jsonl", older=older_deal)
    for sl in chunks(nd):
        stage_s = [iso_ms_z(stage_time[sl, k]) for k in range(6)]
        cols = zip(
            range(sl.stop - sl.start),
            deal_id[sl].tolist(),
            d_contact[sl].tolist(),
            owner[d_contact[sl]].tolist(),
            contact_id[d_contact[sl]].tolist(),
            n_stages[sl].tolist(),
            (stage_time[sl] < end).tolist(),
            is_closed[sl].tolist(),
            closed_value[sl].tolist(),
            no_amount[sl].tolist(),
            amount[sl].tolist(),
            iso_ms_z(close_time[sl]),
            iso_ms_z(d_created[sl] + 45 * DAY),
            iso_ms_z(d_created[sl]),
            title_of(deal_name[sl]),
            strict=True,
        )
        recs = []
        for (
            j,
            did,
            ci_,
            ow,
            cid,
            ns,
            happened,
            closed,
            closed_v,
            no_amt,
            amt,
            close_s,
            expected_s,
            created_s,
            name,
        ) in cols:
            hist = [(STAGES[k], stage_s[k][j], k) for k in range(ns) if happened[k]]
            if closed:
                hist.append((closed_v, close_s, 5))
            stage, stage_at, k_last = hist[-1]
            forecast = (
                ("CLOSED" if stage == "closedwon" else "OMIT") if closed else FORECAST[k_last]
            )
            uid = user_id[ow]
            recs.append(
                {
                    "id": str(did),
                    "properties": {
                        "dealname": f"{CUSTOMER_COMPANIES[ci_ % len(CUSTOMER_COMPANIES)].title()} - {name}",
                        "pipeline": "default",
                        "dealstage": stage,
                        "amount": None if no_amt else f"{amt:.0f}",
                        "hs_manual_forecast_category": forecast,
                        "hubspot_owner_id": str(owner_id[ow]),
                        "closedate": close_s if closed else expected_s,
                        "createdate": created_s,
                        "hs_lastmodifieddate": stage_at,
                        "description": name,
                        "hs_object_id": str(did),
                    },
                    # HubSpot lists a property's history newest first
                    "propertiesWithHistory": {
                        "dealstage": [
                            {
                                "value": v,
                                "timestamp": t,
                                "sourceType": "CRM_UI",
                                "sourceId": f"userId:{uid}",
                                "updatedByUserId": uid,
                            }
                            for v, t, _k in reversed(hist)
                        ]
                    },
                    "createdAt": created_s,
                    "updatedAt": stage_at,
                    "archived": False,
                    "associations": {
                        "contacts": {"results": [{"id": str(cid), "type": "deal_to_contact"}]}
                    },
                }
            )
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
        "other_teams_median_first_touch_hours": round(float(np.median(hours[has & ~slow])), 2)
        if (has & ~slow).any()
        else None,
        "definition": "contact createdAt -> first engagement timestamp of its owner (CALL/EMAIL/MEETING), calendar hours",
    }
