"""Jira Cloud: users, issues (with links) and changelogs (REST v3 shapes).

Every team has a project. An issue walks a workflow drawn as up to eight
transition "slots" (To Do -> In Progress -> (Blocked -> In Progress) ->
In Review -> Done, then possibly a reopen and a second pass); each slot's
duration is drawn in the assignee's business hours, so the whole workflow
of every issue is computed with a handful of numpy operations.
Production bugs of engineering teams are linked ("is caused by") to a story
that was done before the bug was filed: the escaped defects.
"""

from __future__ import annotations

import uuid

import numpy as np

from .clock import DAY, NA, TIMEZONES, jira_ts, local_date, lognormal_hours
from .ids import group_rank, increasing_ids
from .org import FUNCTION_NAMES, Org
from .text import body_of, text_codes, title_of
from .writer import Breakage, Record, ToolOutput, chunks

SALT = 2
BASE = "https://acme.atlassian.net"
AUTOMATION_ID = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"

# function -> (issues per person-week, P(Story), P(Task), P(Bug), P(review step))
RATES = {
    "Engineering": (0.9, 0.45, 0.30, 0.25, 0.85),
    "Support": (0.3, 0.05, 0.85, 0.10, 0.20),
    "Sales": (0.25, 0.05, 0.90, 0.05, 0.20),
    "Marketing": (1.0, 0.15, 0.80, 0.05, 0.50),
    "Operations": (0.8, 0.10, 0.85, 0.05, 0.30),
    "People": (0.9, 0.10, 0.85, 0.05, 0.30),
}
WORK_TYPES = {
    "Engineering": ("feature", "maintenance", "reliability"),
    "Marketing": ("content", "content", "campaign", "event", "design"),
    "Operations": ("process", "finance", "vendor"),
    "People": ("hiring", "onboarding", "policy"),
    "Support": ("knowledge-base", "escalation"),
    "Sales": ("deal-desk", "enablement"),
}
TYPES = ("Story", "Task", "Bug")
TYPE_IDS = ("10001", "10002", "10004")
STATUS = {  # name: (id, category id, category key, category name)
    "To Do": ("10000", 2, "new", "To Do"),
    "In Progress": ("3", 4, "indeterminate", "In Progress"),
    "Blocked": ("10100", 4, "indeterminate", "In Progress"),
    "In Review": ("10101", 4, "indeterminate", "In Progress"),
    "Done": ("10001", 3, "done", "Done"),
    "Won't Do": ("10102", 3, "done", "Done"),
}
STATUS_NAMES = tuple(STATUS)
TODO, PROG, BLOCK, REVIEW, DONE, WONT = range(6)
PRIORITIES = (("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest"))
SIZES = ("XS", "S", "M", "L", "XL")
SIZE_FACTOR = np.array([0.4, 0.7, 1.0, 1.8, 3.0])
SLOW_APPROVAL_FACTOR = 5.0
# Cross-team handoffs: a share of assigned issues is handed over by someone of another team
# (the "from" of an assignee change); the planted team takes five times as long to act on them.
HANDOFF_SHARE = 0.12
SLOW_HANDOFF_FACTOR = 5.0
POINTS = np.array([1, 2, 3, 5, 8, 13])
POINT_FACTOR = np.array([0.5, 0.8, 1.0, 1.6, 2.5, 4.0])
LABELS = ("backend", "frontend", "customer", "q-goal", "tech-debt", "quick-win", "compliance")
N_SLOTS = 8


def _project_keys(names: list[str]) -> list[str]:
    keys, seen = [], set()
    for name in names:
        words = [w for w in name.replace("&", " ").split() if w]
        digits = "".join(w for w in words if w.isdigit())
        letters = [w for w in words if not w.isdigit()]
        key = "".join(w[0] for w in letters).upper() if len(letters) > 1 else letters[0][:4].upper()
        key = "".join(c for c in key if c.isalnum()) + digits
        while key in seen:
            key += "X"
        seen.add(key)
        keys.append(key)
    return keys


def _slow_approval_team(org: Org) -> int:
    """The marketing team whose approvals are planted slow: the largest, the first of equals.

    Chosen without a random draw, so adding it left every other demo value as it was.
    """
    teams = org.teams_of("Marketing")
    if not teams:
        return -1
    return max(teams, key=lambda t: (len(t.members), -t.index)).index


def _slow_handoff_team(org: Org) -> int:
    """The operations team slow to act on work handed over to it: the largest, the first of
    equals (no random draw)."""
    teams = org.teams_of("Operations")
    if not teams:
        return -1
    return max(teams, key=lambda t: (len(t.members), -t.index)).index


def _handoff_senders(
    org: Org, hrng: np.random.Generator, team: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """For each issue, a person of another team, active at `at`, who hands it over (-1: none)."""
    sender = np.full(len(team), -1, dtype=np.int64)
    todo = np.arange(len(team))
    for _ in range(20):  # redraw the ones that fell in the issue's own team or were not active
        if not len(todo):
            break
        pick = hrng.integers(0, org.people, len(todo))
        ok = (
            (org.team[pick] != team[todo])
            & (org.active_from[pick] <= at[todo])
            & (at[todo] < org.active_until[pick])
        )
        sender[todo[ok]] = pick[ok]
        todo = todo[~ok]
    return sender


def _adf(text: str) -> Record:
    """Atlassian Document Format, as Jira v3 returns rich text."""
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def generate(org: Org, out: ToolOutput) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    clock, end = org.clock, org.end
    P = org.people

    # -- users ---------------------------------------------------------------------------
    account = [f"712020:{uuid.UUID(bytes=rng.bytes(16), version=4)}" for _ in range(P)]

    def user_ref(p: int) -> Record:
        return {
            "self": f"{BASE}/rest/api/3/user?accountId={account[p]}",
            "accountId": account[p],
            "displayName": org.name(p),
            "active": bool(org.is_active[p]),
            "timeZone": TIMEZONES[int(org.tz[p])],
            "accountType": "atlassian",
        }

    refs = [user_ref(p) for p in range(P)]
    automation = {
        "self": f"{BASE}/rest/api/3/user?accountId={AUTOMATION_ID}",
        "accountId": AUTOMATION_ID,
        "displayName": "Automation for Jira",
        "active": True,
        "timeZone": "UTC",
        "accountType": "app",
    }
    w_users = out.open("users.jsonl")
    w_users.write(
        [
            {
                **refs[p],
                "emailAddress": org.email[p],
                "avatarUrls": {
                    "48x48": f"https://avatar-management.example/{account[p][7:15]}.png"
                },
                "locale": "en_US",
            }
            for p in range(P)
        ]
        + [
            {
                **automation,
                "avatarUrls": {"48x48": "https://avatar-management.example/app.png"},
                "locale": "en_US",
            }
        ]
    )

    # -- issues: who, when, what kind --------------------------------------------------------
    fname = [FUNCTION_NAMES[int(f)] for f in org.function.tolist()]
    rate = np.array([RATES[f][0] for f in fname]) * rng.uniform(0.7, 1.3, P)
    week0 = org.week_starts()
    W = org.weeks
    overlap = np.minimum(org.active_until[:, None], week0[None, :] + 7 * DAY) - np.maximum(
        org.active_from[:, None], week0[None, :]
    )
    counts = rng.poisson(rate[:, None] * np.clip(overlap / (7 * DAY), 0, 1)).ravel()
    person = np.repeat(np.repeat(np.arange(P), W), counts)
    week = np.repeat(np.tile(np.arange(W), P), counts)
    cal = org.cal
    lo = np.maximum(week0[week], org.active_from[person])
    hi = np.minimum(week0[week] + 7 * DAY, org.active_until[person])
    created = clock.random_in(rng, cal[person], lo, hi)
    ok = (created >= lo) & (created < hi) & (created < end)
    person, created = person[ok], created[ok]
    order = np.argsort(created, kind="stable")
    person, created = person[order], created[order]
    n = len(person)
    team = org.team[person]
    func = org.function[person]

    probs = np.array([RATES[f][1:4] for f in FUNCTION_NAMES])
    u = rng.random(n)
    cum = np.cumsum(probs[func], axis=1)
    itype = (u[:, None] >= cum).sum(axis=1).clip(max=2)
    review_p = np.array([RATES[f][4] for f in FUNCTION_NAMES])[func]
    is_eng = func == FUNCTION_NAMES.index("Engineering")

    team_manager = np.array([t.manager for t in org.teams], dtype=np.int64)
    u = rng.random(n)
    team_size = np.array([len(t.members) for t in org.teams])[team]
    team_first = np.array([int(t.members[0]) for t in org.teams])[team]
    reporter = np.where(
        u < 0.5,
        person,
        np.where(
            u < 0.85, team_manager[team], team_first + (rng.random(n) * team_size).astype(np.int64)
        ),
    )
    assigned = rng.random(n) >= 0.08
    assignee = np.where(assigned, person, -1)

    # size: story points on engineering stories/tasks, a size label elsewhere (some of both missing)
    points_idx = rng.choice(6, n, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
    size_idx = rng.choice(5, n, p=[0.15, 0.3, 0.3, 0.17, 0.08])
    has_points = is_eng & (itype < 2) & (rng.random(n) < 0.6)
    has_size = ~has_points & (rng.random(n) < 0.5)
    factor = np.where(
        has_points, POINT_FACTOR[points_idx], np.where(has_size, SIZE_FACTOR[size_idx], 1.0)
    )

    # -- workflow slots --------------------------------------------------------------------
    wontdo = (rng.random(n) < 0.05) | (~assigned & (rng.random(n) < 0.3))
    stuck = ~assigned & ~wontdo  # unassigned work waits in To Do
    blocked = rng.random(n) < 0.15
    review = rng.random(n) < review_p
    reopen = rng.random(n) < 0.06
    d_todo = lognormal_hours(rng, 10, 1.2, n)
    d_work = lognormal_hours(rng, 10, 0.9, n) * factor
    dur = np.zeros((n, N_SLOTS))
    exists = np.zeros((n, N_SLOTS), dtype=bool)
    go = ~wontdo & ~stuck
    dur[:, 0] = d_todo
    exists[:, 0] = ~stuck
    exists[:, 1] = exists[:, 2] = go & blocked
    dur[:, 1] = 0.4 * d_work
    dur[:, 2] = lognormal_hours(rng, 8, 1.0, n)
    remaining = np.where(blocked, 0.6 * d_work, d_work)
    exists[:, 3] = go & review
    dur[:, 3] = remaining
    exists[:, 4] = go
    dur[:, 4] = np.where(review, lognormal_hours(rng, 3, 1.0, n), remaining)
    exists[:, 5] = go & reopen
    dur[:, 5] = lognormal_hours(rng, 12, 1.0, n)
    rework = lognormal_hours(rng, 4, 0.8, n)
    exists[:, 6] = go & reopen & review
    dur[:, 6] = rework
    exists[:, 7] = go & reopen
    dur[:, 7] = np.where(review, lognormal_hours(rng, 2, 1.0, n), rework)
    dur[~exists] = 0.0
    # planted: one marketing team's approvals (its In Review -> Done steps) take five times as
    # long; scaled after every draw, so no other random value changes
    slow_approval = _slow_approval_team(org)
    slow = (team == slow_approval) & review
    dur[slow, 4] *= SLOW_APPROVAL_FACTOR
    dur[slow, 7] *= SLOW_APPROVAL_FACTOR
    # planted: handoffs, drawn from their own generator so that every draw above and below stays
    # as it was; the slow team's handed-over issues wait five times as long in To Do
    hrng = np.random.default_rng([org.seed, SALT, 1])
    handed = go & (hrng.random(n) < HANDOFF_SHARE)
    # the handoff comes early in the To Do wait (its first fifth): triaged, then handed over
    handoff_share_of_wait = 0.2 * hrng.random(n)
    slow_handoff = _slow_handoff_team(org)
    dur[handed & (team == slow_handoff), 0] *= SLOW_HANDOFF_FACTOR
    biz0 = clock.to_biz(cal[person], created)
    slot_biz = biz0[:, None] + np.cumsum(dur, axis=1)
    slot_time = clock.from_biz(np.repeat(cal[person], N_SLOTS), slot_biz.ravel()).reshape(
        n, N_SLOTS
    )
    slot_time = np.maximum(slot_time, created[:, None] + 60)
    exists &= slot_time < end
    # a slot only happens if all earlier existing slots happened (times are monotone)
    # from/to status of each slot, as indexes into STATUS_NAMES
    from_m = np.tile(
        np.array([TODO, PROG, BLOCK, PROG, REVIEW, DONE, PROG, REVIEW], dtype=np.int8), (n, 1)
    )
    to_m = np.tile(
        np.array([PROG, BLOCK, PROG, REVIEW, DONE, PROG, REVIEW, DONE], dtype=np.int8), (n, 1)
    )
    from_m[~review, 4] = PROG
    from_m[~review, 7] = PROG
    to_m[wontdo, 0] = WONT

    # final state = target of the last slot that happened
    last_slot = np.where(exists.any(axis=1), N_SLOTS - 1 - np.argmax(exists[:, ::-1], axis=1), -1)
    status_i = np.where(last_slot >= 0, to_m[np.arange(n), np.maximum(last_slot, 0)], TODO)
    status = np.array(STATUS_NAMES, dtype=object)[status_i]
    final_time = np.where(last_slot >= 0, slot_time[np.arange(n), np.maximum(last_slot, 0)], NA)
    resolved = np.isin(status, ["Done", "Won't Do"])
    resolutiondate = np.where(resolved, final_time, NA)

    # -- production bugs caused by shipped stories -----------------------------------------
    done_story = (itype == 0) & (status == "Done") & is_eng
    env_pick = rng.random(n)
    is_bug = itype == 2
    prod_bug = is_bug & is_eng & (env_pick < 0.5)
    env_value = np.where(
        prod_bug, "production", np.where(is_bug & (env_pick < 0.8), "staging", None)
    )
    cause = np.full(n, -1, dtype=np.int64)
    ds = np.flatnonzero(done_story)
    ds = ds[np.lexsort((final_time[ds], team[ds]))]
    ds_team, ds_time = team[ds], final_time[ds]
    lo_i = np.searchsorted(ds_team, team, side="left")
    hi_i = np.searchsorted(ds_team, team, side="right")
    for i in np.flatnonzero(prod_bug).tolist():
        a, b = int(lo_i[i]), int(hi_i[i])
        k = a + int(np.searchsorted(ds_time[a:b], created[i]))  # stories done before the bug
        if k > a:
            cause[i] = ds[a + int(rng.integers(0, k - a))]
        else:
            env_value[i] = "staging"  # nothing shipped yet to blame
    prod_bug = env_value == "production"

    # -- non-status edits (summary/description/assignee/priority) ----------------------------
    first_change = np.where(exists[:, 0], slot_time[:, 0], np.minimum(created + 3 * DAY, end - 1))
    e_issue, e_field = [], []
    for field, p in (
        ("summary", 0.15),
        ("description", 0.10),
        ("assignee", 0.08),
        ("priority", 0.05),
    ):
        sel = np.flatnonzero(rng.random(n) < p)
        e_issue.append(sel)
        e_field.append(np.full(len(sel), field, dtype=object))
    e_issue = np.concatenate(e_issue)
    e_field = np.concatenate(e_field)
    e_time = created[e_issue] + (
        rng.random(len(e_issue)) * np.maximum(first_change[e_issue] - created[e_issue], 60)
    ).astype(np.int64)
    keep = e_time < end
    e_issue, e_field, e_time = e_issue[keep], e_field[keep], e_time[keep]

    # -- ids, keys, timestamps -----------------------------------------------------------------
    issue_id = increasing_ids(rng, created, 10000, 3)
    keys = _project_keys([t.name for t in org.teams])
    key_num = 1 + group_rank(team)
    tz_actor = np.where(assignee >= 0, org.tz[np.maximum(assignee, 0)], org.tz[reporter])
    priority = rng.choice(5, n, p=[0.05, 0.2, 0.5, 0.2, 0.05])
    due = np.where(
        rng.random(n) < 0.4,
        clock.add_biz(cal[person], created, lognormal_hours(rng, 50, 0.6, n)),
        NA,
    )
    summary = text_codes(rng, n)
    desc = text_codes(rng, n)
    has_desc = rng.random(n) < 0.7
    work_type_pick = rng.random(n)
    label_pick = rng.integers(0, len(LABELS) + 3, (n, 2))

    # changelog rows: status slots + edits, sorted by issue then time
    sl_issue, sl_slot = np.nonzero(exists)
    h_issue = np.concatenate([sl_issue, e_issue])
    h_time = np.concatenate([slot_time[sl_issue, sl_slot], e_time])
    h_slot = np.concatenate([sl_slot, np.full(len(e_issue), -1)])
    h_field = np.concatenate([np.full(len(sl_issue), "status", dtype=object), e_field])
    o = np.lexsort((h_time, h_issue))
    h_issue, h_time, h_slot, h_field = h_issue[o], h_time[o], h_slot[o], h_field[o]
    h_id = increasing_ids(rng, h_time, 100000, 4)
    # authors: the assignee; the automation app closes some reviewed engineering work
    by_auto = (h_slot == 4) & review[h_issue] & is_eng[h_issue] & (rng.random(len(h_issue)) < 0.2)
    by_mgr = (h_slot == 0) & wontdo[h_issue]
    h_author = np.where(
        by_mgr,
        team_manager[team[h_issue]],
        np.where(assignee[h_issue] >= 0, assignee[h_issue], reporter[h_issue]),
    )
    h_author = np.where(by_auto, -2, h_author)
    h_tz = np.where(h_author >= 0, org.tz[np.maximum(h_author, 0)], org.teams[0].tz_primary)
    h_tz = np.where(
        h_author == -2, np.array([t.tz_primary for t in org.teams])[team[h_issue]], h_tz
    )

    # the handoffs replace the handed issues' own assignee edits (all from their reporter)
    h_prev = reporter[h_issue]
    handoff_at = created + (handoff_share_of_wait * (first_change - created)).astype(np.int64)
    sender = _handoff_senders(org, hrng, team, handoff_at)
    handed &= (sender >= 0) & (handoff_at < end)
    keep_h = ~(handed[h_issue] & (h_field == "assignee"))
    h_issue, h_time, h_slot, h_field, h_id, h_author, h_tz, h_prev = (
        a[keep_h] for a in (h_issue, h_time, h_slot, h_field, h_id, h_author, h_tz, h_prev)
    )
    ho = np.flatnonzero(handed)
    ho = ho[np.argsort(handoff_at[ho], kind="stable")]
    h_issue = np.concatenate([h_issue, ho])
    h_time = np.concatenate([h_time, handoff_at[ho]])
    h_slot = np.concatenate([h_slot, np.full(len(ho), -1)])
    h_field = np.concatenate([h_field, np.full(len(ho), "assignee", dtype=object)])
    h_id = np.concatenate([h_id, int(h_id.max(initial=100000)) + 1 + np.arange(len(ho))])
    h_author = np.concatenate([h_author, sender[ho]])  # the sender hands it over
    h_tz = np.concatenate([h_tz, org.tz[sender[ho]]])
    h_prev = np.concatenate([h_prev, sender[ho]])
    o = np.lexsort((h_time, h_issue))
    h_issue, h_time, h_slot, h_field, h_id, h_author, h_tz, h_prev = (
        a[o] for a in (h_issue, h_time, h_slot, h_field, h_id, h_author, h_tz, h_prev)
    )

    n_hist = np.bincount(h_issue, minlength=n).tolist()
    updated = np.maximum(created, final_time)
    if len(h_time):
        last_h = np.full(n, NA, dtype=np.int64)
        np.maximum.at(last_h, h_issue, h_time)
        updated = np.maximum(updated, last_h)
    updated = np.minimum(updated + rng.integers(0, 120, n), end - 1)

    # -- issue links (both sides carry the link, as in Jira) -----------------------------------
    links: dict[int, list[Record]] = {}
    link_ids = increasing_ids(rng, np.arange(int((cause >= 0).sum())), 20000, 5)
    causes_type = {
        "id": "10003",
        "name": "Causes",
        "inward": "is caused by",
        "outward": "causes",
        "self": f"{BASE}/rest/api/3/issueLinkType/10003",
    }

    def brief(i: int) -> Record:
        return {
            "id": str(issue_id[i]),
            "key": f"{keys[int(team[i])]}-{key_num[i]}",
            "self": f"{BASE}/rest/api/3/issue/{issue_id[i]}",
            "fields": {
                "summary": title_of(summary[[i]])[0],
                "status": {"name": str(status[i])},
                "issuetype": {"name": TYPES[int(itype[i])]},
            },
        }

    for k, bug in enumerate(np.flatnonzero(cause >= 0).tolist()):
        story = int(cause[bug])
        lid = str(link_ids[k])
        links.setdefault(bug, []).append(
            {
                "id": lid,
                "self": f"{BASE}/rest/api/3/issueLink/{lid}",
                "type": causes_type,
                "inwardIssue": brief(story),
            }
        )
        links.setdefault(story, []).append(
            {
                "id": lid,
                "self": f"{BASE}/rest/api/3/issueLink/{lid}",
                "type": causes_type,
                "outwardIssue": brief(bug),
            }
        )

    # -- write issues --------------------------------------------------------------------------
    projects = [
        {
            "id": str(10000 + t.index),
            "key": keys[t.index],
            "name": t.name,
            "projectTypeKey": "software" if t.function == "Engineering" else "business",
            "self": f"{BASE}/rest/api/3/project/{10000 + t.index}",
        }
        for t in org.teams
    ]
    type_refs = [
        {"id": TYPE_IDS[k], "name": TYPES[k], "subtask": False, "hierarchyLevel": 0}
        for k in range(3)
    ]
    status_refs = {
        name: {
            "id": sid,
            "name": name,
            "self": f"{BASE}/rest/api/3/status/{sid}",
            "statusCategory": {"id": cid, "key": ckey, "name": cname},
        }
        for name, (sid, cid, ckey, cname) in STATUS.items()
    }
    resolution_refs = {
        "Done": {"id": "10000", "name": "Done"},
        "Won't Do": {"id": "10001", "name": "Won't Do"},
    }
    priority_refs = [
        {"id": pid, "name": name, "self": f"{BASE}/rest/api/3/priority/{pid}"}
        for pid, name in PRIORITIES
    ]
    size_refs = [
        {
            "self": f"{BASE}/rest/api/3/customFieldOption/{10200 + k}",
            "value": v,
            "id": str(10200 + k),
        }
        for k, v in enumerate(SIZES)
    ]
    env_refs = {
        v: {
            "self": f"{BASE}/rest/api/3/customFieldOption/{10300 + k}",
            "value": v,
            "id": str(10300 + k),
        }
        for k, v in enumerate(("production", "staging"))
    }
    wt_refs = {
        f: [
            {
                "self": f"{BASE}/rest/api/3/customFieldOption/{10400 + 10 * k + j}",
                "value": v,
                "id": str(10400 + 10 * k + j),
            }
            for j, v in enumerate(vals)
        ]
        for k, (f, vals) in enumerate(WORK_TYPES.items())
    }

    def older(rec: Record, rng_: np.random.Generator) -> Record | None:
        f = rec["fields"]
        if f["updated"] == f["created"]:
            return None
        f["updated"] = f["created"]
        if f["status"]["name"] != "To Do":
            f.update(status=status_refs["In Progress"], resolution=None, resolutiondate=None)
        return rec

    w = out.open(
        "issues.jsonl", older=older, breakage=Breakage("unparsable_timestamp", "fields.created")
    )
    for sl in chunks(n):
        tz = tz_actor[sl]
        cols = zip(
            range(sl.start, sl.stop),
            issue_id[sl].tolist(),
            team[sl].tolist(),
            key_num[sl].tolist(),
            itype[sl].tolist(),
            status[sl].tolist(),
            priority[sl].tolist(),
            assignee[sl].tolist(),
            reporter[sl].tolist(),
            has_points[sl].tolist(),
            points_idx[sl].tolist(),
            has_size[sl].tolist(),
            size_idx[sl].tolist(),
            func[sl].tolist(),
            work_type_pick[sl].tolist(),
            env_value[sl].tolist(),
            has_desc[sl].tolist(),
            (due[sl] != NA).tolist(),
            local_date(clock, np.where(due[sl] == NA, created[sl], due[sl]), tz),
            jira_ts(clock, created[sl], tz),
            jira_ts(clock, updated[sl], tz),
            jira_ts(clock, resolutiondate[sl], tz),
            label_pick[sl].tolist(),
            title_of(summary[sl]),
            body_of(desc[sl]),
            strict=True,
        )
        recs = []
        for (
            i,
            iid,
            t,
            kn,
            it,
            st,
            pr,
            asg,
            rep,
            hp,
            pi,
            hs,
            si,
            f,
            wtp,
            env,
            hd,
            hdue,
            due_d,
            cr_s,
            up_s,
            rs_s,
            lp,
            summ,
            body,
        ) in cols:
            types = WORK_TYPES[FUNCTION_NAMES[f]]
            wt = (
                wt_refs[FUNCTION_NAMES[f]][int(wtp * len(types))] if (f != 0 or wtp < 0.3) else None
            )
            recs.append(
                {
                    "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
                    "id": str(iid),
                    "self": f"{BASE}/rest/api/3/issue/{iid}",
                    "key": f"{keys[t]}-{kn}",
                    "renderedFields": {"description": f"<p>{body}</p>" if hd else None},
                    "changelog": {
                        "startAt": 0,
                        "maxResults": 0,
                        "total": n_hist[i],
                        "histories": [],
                    },
                    "fields": {
                        "summary": summ,
                        "description": _adf(body) if hd else None,
                        "issuetype": type_refs[it],
                        "project": projects[t],
                        "status": status_refs[st],
                        "resolution": resolution_refs.get(st),
                        "resolutiondate": rs_s,
                        "priority": priority_refs[pr],
                        "assignee": refs[asg] if asg >= 0 else None,
                        "reporter": refs[rep],
                        "creator": refs[rep],
                        "labels": sorted({LABELS[x] for x in lp if x < len(LABELS)}),
                        "customfield_10016": float(POINTS[pi]) if hp else None,
                        "customfield_10050": size_refs[si] if hs else None,
                        "customfield_10060": wt,
                        "customfield_10070": env_refs[env] if env else None,
                        "duedate": due_d if hdue else None,
                        "created": cr_s,
                        "updated": up_s,
                        "issuelinks": links.get(i, []),
                        "watches": {"watchCount": 1 + (iid % 3), "isWatching": False},
                    },
                }
            )
        w.write(recs)

    # -- write changelogs ------------------------------------------------------------------------
    status_ids = {name: v[0] for name, v in STATUS.items()}
    prio_of = {p[1]: p[0] for p in PRIORITIES}
    edit_code = text_codes(rng, len(h_issue))
    w_ch = out.open("changelogs.jsonl")
    for sl in chunks(len(h_issue)):
        i_ = h_issue[sl]
        slot_ = np.maximum(h_slot[sl], 0)
        cols = zip(
            h_id[sl].tolist(),
            issue_id[i_].tolist(),
            h_slot[sl].tolist(),
            h_field[sl].tolist(),
            h_author[sl].tolist(),
            jira_ts(clock, h_time[sl], h_tz[sl]),
            title_of(edit_code[sl]),
            from_m[i_, slot_].tolist(),
            to_m[i_, slot_].tolist(),
            title_of(summary[i_]),
            body_of(desc[i_]),
            h_prev[sl].tolist(),
            np.where(assignee[i_] >= 0, assignee[i_], person[i_]).tolist(),
            priority[i_].tolist(),
            strict=True,
        )
        recs = []
        for hid, iid, slot, field, author, ts, txt, fi, ti, summ, body, prev, now, prio in cols:
            if slot >= 0:
                a, b = STATUS_NAMES[fi], STATUS_NAMES[ti]
                items = [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "from": status_ids[a],
                        "fromString": a,
                        "to": status_ids[b],
                        "toString": b,
                    }
                ]
                if b in ("Done", "Won't Do"):
                    items.append(
                        {
                            "field": "resolution",
                            "fieldtype": "jira",
                            "fieldId": "resolution",
                            "from": None,
                            "fromString": None,
                            "to": resolution_refs[b]["id"],
                            "toString": b,
                        }
                    )
                elif a == "Done":
                    items.append(
                        {
                            "field": "resolution",
                            "fieldtype": "jira",
                            "fieldId": "resolution",
                            "from": "10000",
                            "fromString": "Done",
                            "to": None,
                            "toString": None,
                        }
                    )
            elif field == "summary":
                items = [
                    {
                        "field": "summary",
                        "fieldtype": "jira",
                        "fieldId": "summary",
                        "from": None,
                        "fromString": summ,
                        "to": None,
                        "toString": txt,
                    }
                ]
            elif field == "description":
                items = [
                    {
                        "field": "description",
                        "fieldtype": "jira",
                        "fieldId": "description",
                        "from": None,
                        "fromString": body,
                        "to": None,
                        "toString": f"{body} {txt}.",
                    }
                ]
            elif field == "assignee":
                items = [
                    {
                        "field": "assignee",
                        "fieldtype": "jira",
                        "fieldId": "assignee",
                        "from": account[prev],
                        "fromString": org.name(prev),
                        "to": account[now],
                        "toString": org.name(now),
                    }
                ]
            else:
                old = PRIORITIES[2][1]
                new = PRIORITIES[prio][1]
                if new == old:
                    new = "High"
                items = [
                    {
                        "field": "priority",
                        "fieldtype": "jira",
                        "fieldId": "priority",
                        "from": prio_of[old],
                        "fromString": old,
                        "to": prio_of[new],
                        "toString": new,
                    }
                ]
            rec = {
                "id": str(hid),
                "issueId": str(iid),
                "author": automation if author == -2 else refs[author],
                "created": ts,
                "items": items,
            }
            if author == -2:
                rec["historyMetadata"] = {
                    "type": "jira-automation",
                    "description": "Rule: close issue when PR merged",
                    "actor": {"id": AUTOMATION_ID, "displayName": "Automation for Jira"},
                }
            recs.append(rec)
        w_ch.write(recs)

    # -- planted fact: approval latency, In Review -> Done of each decided review --------------
    decided = review & exists[:, 4]
    hours = (slot_time[:, 4] - slot_time[:, 3]) / 3600.0
    slow, other = decided & (team == slow_approval), decided & (team != slow_approval)
    if slow.any() and other.any():
        out.planted["slow_approval_team"] = {
            "team": org.teams[slow_approval].name,
            "approval_median_hours": round(float(np.median(hours[slow])), 2),
            "other_teams_approval_median_hours": round(float(np.median(hours[other])), 2),
            "definition": "In Review -> Done of each reviewed issue, calendar hours",
        }

    # -- planted fact: handoff time, handed over -> first change by the receiving team ----------
    acted = (
        handed[h_issue]
        & (h_time > handoff_at[h_issue])
        & (h_author >= 0)
        & (org.team[np.maximum(h_author, 0)] == team[h_issue])
    )
    never = np.iinfo(np.int64).max
    first_action = np.full(n, never, dtype=np.int64)
    np.minimum.at(first_action, h_issue[acted], h_time[acted])
    answered = handed & (first_action != never)
    wait = (first_action - handoff_at) / 3600.0
    slow, other = answered & (team == slow_handoff), answered & (team != slow_handoff)
    if slow.any() and other.any():
        out.planted["slow_handoff_team"] = {
            "team": org.teams[slow_handoff].name,
            "handoffs": int(handed.sum()),
            "handoff_median_hours": round(float(np.median(wait[slow])), 2),
            "other_teams_handoff_median_hours": round(float(np.median(wait[other])), 2),
            "definition": "an assignee change from a person of another team -> the next change "
            "by a member of the issue's team, calendar hours",
        }

    out.planted["escaped_defects"] = {
        "production_bugs_linked": int((cause >= 0).sum()),
        "link_type": "Causes (bug 'is caused by' story)",
        "environment_field": "customfield_10070",
    }
