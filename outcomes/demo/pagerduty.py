"""PagerDuty: on-call users and incidents per engineering service (REST v2 shapes).

A service is named like its repository (`acme/payments-api` -> `payments-api`).
About half of the incidents follow a production deployment of the same
service; only some of those name it in `custom_fields` (explicit link), so
the warehouse has to attribute the rest by time. Planted: one incident that
starts 30-120 min after one specific deployment finished, never linked.
Each incident's log (trigger, assign, escalate when the acknowledgement took
longer than the 30 min timeout, acknowledge, resolve) agrees with its
acknowledged and resolved times.
"""

from __future__ import annotations

import numpy as np

from .clock import DAY, NA, TIMEZONES, iso_z, lognormal_hours
from .github import Deployments
from .ids import pagerduty_ids
from .org import DOMAIN, Org
from .text import bodies
from .writer import Record, ToolOutput

SALT = 4
ACK_TIMEOUT = 30 * 60  # the escalation policy's acknowledgement timeout (seconds)
API = "https://api.pagerduty.com"
WEB = "https://acme.pagerduty.com"
SYMPTOMS = (
    "High error rate on",
    "Elevated latency on",
    "Health check failing for",
    "Queue backlog growing in",
    "5xx spike on",
    "Memory pressure on",
    "Disk almost full on",
    "Timeouts calling",
)


def _ref(kind: str, pid: str, summary: str, path: str) -> Record:
    return {
        "id": pid,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{API}/{path}/{pid}",
        "html_url": f"{WEB}/{path}/{pid}",
    }


def generate(org: Org, out: ToolOutput, deps: Deployments) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    start, end = org.start, org.end

    # -- users: engineers are on call; support leads follow incidents ---------------------
    eng = org.members_of("Engineering")
    leads = np.array([t.manager for t in org.teams_of("Support")], dtype=np.int64)
    members = np.concatenate([eng, leads])
    ids = pagerduty_ids(rng, len(members) + len(deps.repos) + len(org.teams) + 1)
    user_id = dict(zip(members.tolist(), ids[: len(members)], strict=True))
    service_id = ids[len(members) : len(members) + len(deps.repos)]
    policy_id = ids[len(members) + len(deps.repos) :]
    eng_managers = {t.manager for t in org.teams_of("Engineering")}
    lead_set = set(leads.tolist())
    w_users = out.open("users.jsonl")
    user_refs: dict[int, Record] = {}
    recs = []
    for p in members.tolist():
        uid = user_id[p]
        role = "admin" if p in eng_managers else ("limited_user" if p in lead_set else "user")
        ref = _ref("user", uid, org.name(p), "users")
        user_refs[p] = ref
        recs.append(
            {
                "id": uid,
                "type": "user",
                "summary": org.name(p),
                "self": ref["self"],
                "html_url": ref["html_url"],
                "name": org.name(p),
                "email": org.email[p],
                "time_zone": TIMEZONES[int(org.tz[p])],
                "color": "purple",
                "role": role,
                "avatar_url": f"https://secure.gravatar.com/avatar/{uid.lower()}.png?d=mm&r=PG",
                "description": None,
                "job_title": org.title[p],
                "contact_methods": [
                    {
                        "id": "P" + uid[1:][::-1],
                        "type": "email_contact_method_reference",
                        "summary": "Default",
                    }
                ],
            }
        )
    w_users.write(recs)

    # -- incidents ---------------------------------------------------------------------
    R = len(deps.repos)
    prod_ok = np.flatnonzero((deps.env == 0) & deps.success & (deps.finished != NA))
    planted_dep = deps.planted
    planted_repo = int(deps.repo[planted_dep]) if planted_dep >= 0 else -1
    planted_fin = int(deps.finished[planted_dep]) if planted_dep >= 0 else 0

    rate = rng.uniform(0.3, 1.0, R)  # incidents per service-week
    n_per = rng.poisson(rate * org.weeks)
    inc_repo = np.repeat(np.arange(R), n_per)
    n = len(inc_repo)
    after_deploy = rng.random(n) < 0.5
    # deployment-caused incidents start a skewed while after a deployment of their service
    created = start + (rng.random(n) * (end - start)).astype(np.int64)
    linked_dep = np.full(n, -1, dtype=np.int64)
    po = prod_ok[np.argsort(deps.repo[prod_ok], kind="stable")]
    lo = np.searchsorted(deps.repo[po], inc_repo, side="left")
    cnt = np.searchsorted(deps.repo[po], inc_repo, side="right") - lo
    delay = np.maximum(300, lognormal_hours(rng, 2.0, 1.2, n) * 3600).astype(np.int64)
    pick = lo + (rng.random(n) * cnt).astype(np.int64)
    use = after_deploy & (cnt > 0)
    linked_dep[use] = po[pick[use]]
    created[use] = deps.finished[linked_dep[use]] + np.minimum(delay[use], 60 * 3600)
    explicit = (linked_dep >= 0) & (rng.random(n) < 0.4)
    keep = created < end
    if planted_repo >= 0:
        # keep the planted window clean so the deployment is the obvious cause
        near = (inc_repo == planted_repo) & (np.abs(created - planted_fin) < 12 * 3600)
        keep &= ~near
    inc_repo, created, linked_dep, explicit = (
        inc_repo[keep],
        created[keep],
        linked_dep[keep],
        explicit[keep],
    )
    planted_row = -1
    if planted_repo >= 0:
        inc_repo = np.r_[inc_repo, planted_repo]
        created = np.r_[created, planted_fin + int(rng.integers(30 * 60, 120 * 60))]
        linked_dep = np.r_[linked_dep, planted_dep]
        explicit = np.r_[explicit, False]
    order = np.argsort(created, kind="stable")
    if planted_repo >= 0:
        planted_row = int(np.flatnonzero(order == len(created) - 1)[0])
    inc_repo, created, linked_dep, explicit = (
        inc_repo[order],
        created[order],
        linked_dep[order],
        explicit[order],
    )
    n = len(created)

    urgency_high = rng.random(n) < 0.7
    ack = created + np.maximum(
        30,
        np.where(
            urgency_high, lognormal_hours(rng, 4 / 60, 1.0, n), lognormal_hours(rng, 0.5, 1.0, n)
        )
        * 3600,
    ).astype(np.int64)
    resolved = ack + np.maximum(120, lognormal_hours(rng, 1.5, 1.1, n) * 3600).astype(np.int64)
    not_acked = rng.random(n) < 0.05  # resolved straight from triggered (auto-resolve)
    ack = np.where(not_acked, NA, ack)
    ack = np.where(ack >= end, NA, ack)
    resolved = np.where(resolved >= end, NA, resolved)
    status = np.where(resolved != NA, "resolved", np.where(ack != NA, "acknowledged", "triggered"))
    updated = np.maximum.reduce(
        [created, np.where(ack == NA, created, ack), np.where(resolved == NA, created, resolved)]
    )
    updated = np.minimum(updated + rng.integers(0, 300, n), end - 1)

    # on call: a weekly rotation through the owning team
    week = (created - start) // (7 * DAY)
    assignee = np.empty(n, dtype=np.int64)
    team_of_repo = deps.repo_team[inc_repo]
    for k, (t, w, r) in enumerate(
        zip(team_of_repo.tolist(), week.tolist(), inc_repo.tolist(), strict=True)
    ):
        mem = org.teams[t].members
        assignee[k] = mem[(w + r) % len(mem)]
    inc_ids = pagerduty_ids(rng, n)
    number = 1000 + np.arange(n)
    prio = rng.choice(5, n, p=[0.3, 0.1, 0.2, 0.25, 0.15])  # 0 = no priority set
    symptom = rng.integers(0, len(SYMPTOMS), n).tolist()
    details = bodies(rng, n)
    created_s, updated_s, ack_s, resolved_s = (
        iso_z(created),
        iso_z(updated),
        iso_z(ack),
        iso_z(resolved),
    )
    services = [r.split("/", 1)[1] for r in deps.repos]
    service_refs = [_ref("service", service_id[r], services[r], "services") for r in range(R)]
    policy_refs = [
        _ref("escalation_policy", policy_id[t.index], f"{t.name} on-call", "escalation_policies")
        for t in org.teams
    ]
    team_refs = [_ref("team", "PT" + policy_id[t.index][2:], t.name, "teams") for t in org.teams]
    priority_refs = [None] + [
        _ref("priority", f"PPRI{k}X", f"P{k}", "priorities") for k in range(1, 5)
    ]

    def older(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec.update(
            status="triggered",
            acknowledgements=[],
            resolved_at=None,
            updated_at=rec["created_at"],
            last_status_change_at=rec["created_at"],
        )
        return rec

    w = out.open("incidents.jsonl", older=older)
    recs = []
    for i in range(n):
        r = int(inc_repo[i])
        p = int(assignee[i])
        iid = inc_ids[i]
        num = int(number[i])
        title = f"{SYMPTOMS[symptom[i]]} {services[r]}"
        d = int(linked_dep[i])
        who = user_refs[p]
        recs.append(
            {
                "id": iid,
                "type": "incident",
                "summary": f"[#{num}] {title}",
                "self": f"{API}/incidents/{iid}",
                "html_url": f"{WEB}/incidents/{iid}",
                "incident_number": num,
                "title": title,
                "description": title,
                "created_at": created_s[i],
                "updated_at": updated_s[i],
                "status": str(status[i]),
                "incident_key": f"{services[r]}-{num}",
                "service": service_refs[r],
                "assignments": [{"at": created_s[i], "assignee": who}],
                "acknowledgements": []
                if ack_s[i] is None
                else [{"at": ack_s[i], "acknowledger": who}],
                "last_status_change_at": resolved_s[i] or ack_s[i] or created_s[i],
                "last_status_change_by": who if ack_s[i] else service_refs[r],
                "escalation_policy": policy_refs[int(team_of_repo[i])],
                "teams": [team_refs[int(team_of_repo[i])]],
                "urgency": "high" if urgency_high[i] else "low",
                "priority": priority_refs[int(prio[i])],
                "resolved_at": resolved_s[i],
                "alert_counts": {
                    "all": 1,
                    "triggered": 0 if resolved_s[i] else 1,
                    "resolved": 1 if resolved_s[i] else 0,
                },
                "custom_fields": {
                    "related_deployment_id": int(deps.id[d]) if explicit[i] else None,
                    "related_commit_sha": deps.sha[d].decode() if explicit[i] else None,
                },
                "body": {"type": "incident_body", "details": details[i]},
                "conference_bridge": {"conference_url": f"https://meet.{DOMAIN}/inc-{num}"}
                if urgency_high[i]
                else None,
                "pending_actions": [],
            }
        )
    w.write(recs)

    # -- log entries: drawn from no random stream, opened last (other files stay as they were)
    w_log = out.open("log_entries.jsonl")
    entries: list[Record] = []
    for i, rec in enumerate(recs):
        service = service_refs[int(inc_repo[i])]
        who = rec["assignments"][0]["assignee"]
        integration = {
            "id": "PI" + service["id"][2:],
            "type": "generic_events_api_inbound_integration_reference",
            "summary": "Monitoring",
        }
        trigger = {"type": "api", "summary": rec["title"], "details": rec["body"]["details"]}
        log = [
            ("trigger", rec["created_at"], integration, trigger, f"Triggered: {rec['title']}"),
            (
                "assign",
                rec["created_at"],
                service,
                {"type": "auto"},
                f"Assigned to {who['summary']}.",
            ),
        ]
        if ack_s[i] is not None and int(ack[i]) - int(created[i]) > ACK_TIMEOUT:
            escalated = iso_z(np.array([int(created[i]) + ACK_TIMEOUT]))[0]
            log.append(("escalate", escalated, None, {"type": "timeout"}, "Escalated."))
        if ack_s[i] is not None:
            channel = {"type": "mobile" if i % 3 == 0 else "website"}
            log.append(
                ("acknowledge", ack_s[i], who, channel, f"Acknowledged by {who['summary']}.")
            )
        if resolved_s[i] is not None:
            if ack_s[i] is not None:
                log.append(
                    (
                        "resolve",
                        resolved_s[i],
                        who,
                        {"type": "website"},
                        f"Resolved by {who['summary']}.",
                    )
                )
            else:  # resolved straight from triggered: the integration's auto-resolve
                log.append(
                    ("resolve", resolved_s[i], service, {"type": "auto"}, "Resolved automatically.")
                )
        entries.extend(_log_entry(rec, service, *item) for item in log)
    w_log.write(entries)

    if planted_row >= 0:
        d = planted_dep
        out.planted["incident_after_deployment"] = {
            "repository": deps.repos[planted_repo],
            "service": services[planted_repo],
            "team": org.teams[int(deps.repo_team[planted_repo])].name,
            "deployment_id": int(deps.id[d]),
            "deployment_sha": deps.sha[d].decode(),
            "deployment_finished_at": iso_z(np.array([planted_fin]))[0],
            "incident_id": inc_ids[planted_row],
            "incident_number": int(number[planted_row]),
            "incident_created_at": created_s[planted_row],
            "minutes_after_deployment": int((created[planted_row] - planted_fin) // 60),
            "explicitly_linked": False,
        }


LOG_LETTERS = {"trigger": "T", "assign": "A", "escalate": "E", "acknowledge": "K", "resolve": "S"}


def _log_entry(
    incident: Record,
    service: Record,
    kind: str,
    at: str,
    agent: Record | None,
    channel: Record,
    summary: str,
) -> Record:
    """One entry of an incident's log (GET /incidents/{id}/log_entries)."""
    entry_id = f"R{incident['id'][1:]}{LOG_LETTERS[kind]}"
    entry: Record = {
        "id": entry_id,
        "type": f"{kind}_log_entry",
        "summary": summary,
        "self": f"{API}/log_entries/{entry_id}",
        "html_url": None,
        "created_at": at,
        "agent": agent,
        "channel": channel,
        "service": service,
        "incident": {
            "id": incident["id"],
            "type": "incident_reference",
            "summary": incident["summary"],
            "self": incident["self"],
            "html_url": incident["html_url"],
        },
        "teams": incident["teams"],
        "contexts": [],
        "event_details": {"description": incident["title"]},
    }
    if kind == "assign":
        entry["assignees"] = [a["assignee"] for a in incident["assignments"]]
    return entry
