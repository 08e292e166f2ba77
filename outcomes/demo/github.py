"""GitHub: pull requests, commits, reviews, deployments and CI runs (REST shapes).

Everything is built as numpy columns first (one element per PR, review,
commit, deployment...) and only turned into dicts in the final write loops.
Planted: one engineering team whose PRs wait ~5x longer for a first review,
and the returned deployment table from which PagerDuty picks the deployment
that causes an incident.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import DAY, NA, iso_z, lognormal_hours
from .ids import distinct_ints, group_rank, hex_ids, increasing_ids, time_key
from .org import DOMAIN, GITHUB_ORG, Org
from .text import bodies, titles
from .writer import Breakage, Record, ToolOutput

SALT = 1
API = "https://api.github.com"
WEB = "https://github.com"
DEPENDABOT, RENOVATE, DEPLOYER = "dependabot[bot]", "renovate[bot]", "acme-deployer[bot]"
BOTS = {DEPENDABOT: 49699333, RENOVATE: 29139614, DEPLOYER: 141231555}
BASE_PICKUP_HOURS = 2.5  # median business hours to first review
SLOW_PICKUP_FACTOR = 5.0
LABELS = {"bug": "d73a4a", "enhancement": "a2eeef", "tech-debt": "fbca04", "dependencies": "0366d6",
          "hotfix": "b60205", "revert": "5319e7"}


@dataclass
class Deployments:
    """Production and staging deployments, handed to PagerDuty."""

    id: np.ndarray
    repo: np.ndarray  # index into repos
    env: np.ndarray  # 0 production, 1 staging
    created: np.ndarray
    finished: np.ndarray  # final status time, NA while still running at export
    success: np.ndarray
    sha: list[str]
    repos: list[str]
    repo_team: np.ndarray
    planted: int = -1  # row index of the deployment that causes the planted incident


def _logins(org: Org, people: np.ndarray, rng: np.random.Generator) -> list[str]:
    seen: set[str] = set()
    out = []
    for p in people.tolist():
        f, last = org.first[p].lower(), org.last[p].lower()
        style = int(rng.integers(0, 4))
        login = (f"{f}{last}", f"{f[0]}{last}", f"{f}-{last[:3]}", f"{f}{last[0]}-acme")[style]
        base, k = login, 1
        while login in seen:
            k += 1
            login = f"{base}{k}"
        seen.add(login)
        out.append(login)
    return out


def _user_ref(login: str, uid: int, bot: bool) -> Record:
    return {"login": login, "id": uid, "type": "Bot" if bot else "User",
            "url": f"{API}/users/{login}", "site_admin": False}


def generate(org: Org, out: ToolOutput) -> Deployments:
    rng = np.random.default_rng([org.seed, SALT])
    clock = org.clock
    end = org.end
    eng = org.members_of("Engineering")
    E, W = len(eng), org.weeks

    # -- accounts ---------------------------------------------------------------
    logins = _logins(org, eng, rng) + list(BOTS)
    n_acc = len(logins)
    acc_bot = np.zeros(n_acc, dtype=bool)
    acc_bot[E:] = True
    acc_uid = np.concatenate([distinct_ints(rng, E, 1_000_000, 160_000_000),
                              np.array(list(BOTS.values()))]).astype(np.int64)
    acc_person = np.concatenate([eng, np.full(len(BOTS), -1)])
    acc_of_person = np.full(org.people, -1, dtype=np.int64)
    acc_of_person[eng] = np.arange(E)
    bot_acc = {name: E + i for i, name in enumerate(BOTS)}
    user_refs = [_user_ref(login, int(u), bool(b))
                 for login, u, b in zip(logins, acc_uid.tolist(), acc_bot.tolist(), strict=True)]
    # Some engineers commit with GitHub's noreply address instead of the SSO one.
    noreply = rng.random(E) < 0.12
    commit_email = [
        f"{acc_uid[i]}+{logins[i]}@users.noreply.github.com" if noreply[i] else org.email[p]
        for i, p in enumerate(eng.tolist())
    ] + [f"{uid}+{name}@users.noreply.github.com" for name, uid in BOTS.items()]

    w_users = out.open("users.jsonl")
    w_users.write([
        {"login": logins[i], "id": int(acc_uid[i]), "node_id": f"MDQ6VXNlcj{acc_uid[i]}",
         "avatar_url": f"https://avatars.githubusercontent.com/u/{acc_uid[i]}?v=4",
         "type": "Bot" if acc_bot[i] else "User", "site_admin": False,
         "name": org.name(int(acc_person[i])) if not acc_bot[i] else logins[i],
         "email": org.email[int(acc_person[i])] if not acc_bot[i] else None}
        for i in range(n_acc)
    ])

    # -- repositories -----------------------------------------------------------------
    eng_teams = org.teams_of("Engineering")
    repos = [r for t in eng_teams for r in t.repos]
    repo_team = np.array([t.index for t in eng_teams for _ in t.repos], dtype=np.int64)
    repo_ids = distinct_ints(rng, len(repos), 100_000_000, 900_000_000)
    team_repo_first = np.zeros(len(org.teams), dtype=np.int64)
    team_repo_count = np.zeros(len(org.teams), dtype=np.int64)
    pos = 0
    for t in eng_teams:
        team_repo_first[t.index], team_repo_count[t.index] = pos, len(t.repos)
        pos += len(t.repos)
    repo_refs = [{"id": int(i), "node_id": f"R_kgDO{i:x}", "name": r.split("/")[1], "full_name": r,
                  "private": True, "html_url": f"{WEB}/{r}", "url": f"{API}/repos/{r}"}
                 for r, i in zip(repos, repo_ids.tolist(), strict=True)]
    team_members = {t.index: t.members for t in org.teams}
    cal = org.cal

    # -- pull requests: who opens them and when -----------------------------------
    week0 = org.week_starts()
    rate = rng.uniform(1.5, 3.0, E)
    is_mgr = np.isin(eng, [t.manager for t in eng_teams])
    rate[is_mgr] *= 0.4
    overlap = (np.minimum(org.active_until[eng][:, None], week0[None, :] + 7 * DAY)
               - np.maximum(org.active_from[eng][:, None], week0[None, :]))
    frac = np.clip(overlap / (7 * DAY), 0, 1)
    counts = rng.poisson(rate[:, None] * frac).ravel()
    h_author = np.repeat(np.repeat(np.arange(E), W), counts)
    h_week = np.repeat(np.tile(np.arange(W), E), counts)
    h_person = eng[h_author]
    lo = np.maximum(week0[h_week], org.active_from[h_person])
    hi = np.minimum(week0[h_week] + 7 * DAY, org.active_until[h_person])
    h_created = clock.random_in(rng, cal[h_person], lo, hi)
    offhours = rng.random(len(lo)) < 0.04
    h_created[offhours] = lo[offhours] + (rng.random(offhours.sum()) * (hi - lo)[offhours]).astype(np.int64)
    keep = (h_created >= lo) & (h_created < hi)
    h_author, h_created, h_person = h_author[keep], h_created[keep], h_person[keep]
    h_team = org.team[h_person]
    h_repo = team_repo_first[h_team] + (rng.random(len(h_team)) * team_repo_count[h_team]).astype(np.int64)

    # Dependency bots open PRs on every repository, at night (UTC).
    bot_counts = rng.poisson(0.8, (len(repos), W)).ravel()
    b_repo = np.repeat(np.repeat(np.arange(len(repos)), W), bot_counts)
    b_week = np.repeat(np.tile(np.arange(W), len(repos)), bot_counts)
    b_created = week0[b_week] + rng.integers(0, 7, len(b_week)) * DAY + rng.integers(2 * 3600, 6 * 3600, len(b_week))
    b_author = np.where(b_repo % 2 == 0, bot_acc[DEPENDABOT], bot_acc[RENOVATE])

    author = np.concatenate([h_author, b_author])
    created = np.concatenate([h_created, b_created])
    repo = np.concatenate([h_repo, b_repo])
    team = repo_team[repo]
    bot_pr = acc_bot[author]
    n = len(author)
    keep = created < end
    order = np.argsort(created, kind="stable")
    order = order[keep[order]]
    author, created, repo, team, bot_pr = author[order], created[order], repo[order], team[order], bot_pr[order]
    n = len(author)
    author_person = acc_person[author]
    author_cal = np.where(bot_pr, 0, cal[np.maximum(author_person, 0)])

    u = rng.random(n)
    hotfix = ~bot_pr & (u < 0.02)
    revert = ~bot_pr & (u >= 0.02) & (u < 0.03)
    pr_id = increasing_ids(rng, created, 1_700_000_000, 40)
    # Numbers are per repository, in creation order (arrays are time-sorted),
    # continuing the repository's older history.
    repo_base = rng.integers(50, 3000, len(repos))
    number = repo_base[repo] + group_rank(repo)

    # -- reviews: planned reviewers and timing --------------------------------------------
    n_rev = np.where(bot_pr, (rng.random(n) < 0.9).astype(np.int64),
                     rng.choice(4, n, p=[0.1, 0.5, 0.3, 0.1]))
    n_rev[hotfix] = np.maximum(n_rev[hotfix], 1)
    team_size = np.array([len(team_members[int(t)]) for t in range(len(org.teams))], dtype=np.int64)[team]
    n_rev = np.minimum(n_rev, np.where(bot_pr, team_size, team_size - 1))
    draft_first = ~bot_pr & ~hotfix & (rng.random(n) < 0.12)
    ready = np.where(draft_first, clock.add_biz(author_cal, created, lognormal_hours(rng, 5, 1.0, n)), created)
    pickup_median = np.where(team == org.slow_review_team, BASE_PICKUP_HOURS * SLOW_PICKUP_FACTOR,
                             BASE_PICKUP_HOURS)
    pickup_median = np.where(hotfix, 0.3, pickup_median)

    r_pr = np.repeat(np.arange(n), n_rev)
    r_k = np.arange(len(r_pr)) - np.repeat(np.cumsum(n_rev) - n_rev, n_rev)
    # Distinct teammates, never the author: walk the team list from a random
    # offset, skipping the author's own slot.
    r_reviewer = np.empty(len(r_pr), dtype=np.int64)
    offsets = rng.integers(0, 1 << 30, n)
    for t in np.unique(team).tolist():
        members = team_members[t]
        m = len(members)
        sel = team[r_pr] == t
        if not sel.any():
            continue
        prs = r_pr[sel]
        a_person = author_person[prs]
        a_pos = np.where(a_person >= 0, np.searchsorted(members, a_person), -1)
        human = a_pos >= 0
        size = np.where(human, m - 1, m)
        slot = (offsets[prs] + r_k[sel]) % np.maximum(size, 1)
        idx = np.where(human, (a_pos + 1 + slot) % m, slot)
        r_reviewer[sel] = members[idx]
    r_cal = cal[r_reviewer]
    gap = np.where(r_k == 0, lognormal_hours(rng, pickup_median[r_pr], 0.9, len(r_pr)),
                   lognormal_hours(rng, 1.5, 0.9, len(r_pr)))
    r_time = np.empty(len(r_pr), dtype=np.int64)
    prev = ready[r_pr].copy()
    for k in range(int(n_rev.max(initial=0))):
        sel = r_k == k
        r_time[sel] = clock.add_biz(r_cal[sel], prev[sel], gap[sel])
        if k + 1 < n_rev.max():
            nxt = (r_k == k + 1)
            # the next review starts from this one's time
            prev_map = np.full(n, NA, dtype=np.int64)
            prev_map[r_pr[sel]] = r_time[sel]
            prev[nxt] = prev_map[r_pr[nxt]]
    last_review = np.full(n, NA, dtype=np.int64)
    has_rev = n_rev > 0
    last_idx = np.cumsum(n_rev) - 1
    last_review[has_rev] = r_time[last_idx[has_rev]]

    # -- outcome: merged, closed or still open at export time -----------------------
    closed_unmerged = rng.random(n) < np.where(bot_pr, 0.3, 0.07)
    merge_cal = np.where(bot_pr, cal[r_reviewer[np.maximum(last_idx, 0)]] if len(r_pr) else 0, author_cal)
    merged_at = np.where(
        has_rev,
        clock.add_biz(merge_cal, np.where(has_rev, last_review, ready), lognormal_hours(rng, 1.0, 1.0, n)),
        clock.add_biz(merge_cal, ready, lognormal_hours(rng, 2.0, 1.0, n)),
    )
    closed_at = clock.add_biz(author_cal, ready, lognormal_hours(rng, 20, 1.0, n))
    merged_at = np.where(closed_unmerged | (merged_at >= end), NA, merged_at)
    closed_at = np.where(closed_unmerged & (closed_at < end), closed_at, NA)
    closed_at = np.where(merged_at != NA, merged_at, closed_at)
    is_merged = merged_at != NA
    is_open = closed_at == NA
    draft_now = draft_first & is_open & (ready >= end)

    r_keep = r_time < end
    r_keep &= (closed_at[r_pr] == NA) | (r_time <= closed_at[r_pr])
    r_state = np.where(rng.random(len(r_pr)) < 0.6, "APPROVED",
                       np.where(rng.random(len(r_pr)) < 0.6, "CHANGES_REQUESTED", "COMMENTED"))
    r_state = np.where((r_k == n_rev[r_pr] - 1) & is_merged[r_pr], "APPROVED", r_state)
    # Bots leave a quick automated comment on a few human PRs; they never
    # count as reviewers, and an early bot review is the trap for pickup time.
    bot_rev_pr = np.flatnonzero(~bot_pr & (rng.random(n) < 0.06))
    bot_rev_time = created[bot_rev_pr] + rng.integers(60, 600, len(bot_rev_pr))
    ok = bot_rev_time < end
    bot_rev_pr, bot_rev_time = bot_rev_pr[ok], bot_rev_time[ok]

    # -- commits ---------------------------------------------------------------------
    n_commits = np.where(bot_pr, 1, np.minimum(rng.geometric(0.4, n), 6))
    coding = lognormal_hours(rng, 5.0, 1.1, n)
    first_commit = np.where(bot_pr, created - 60, clock.from_biz(author_cal, clock.to_biz(author_cal, created) - coding))
    first_commit = np.minimum(first_commit, created - 60)
    late_push = has_rev & (rng.random(n) < 0.35)
    last_point = np.where(late_push, np.where(has_rev, last_review, created), created)
    c_pr = np.repeat(np.arange(n), n_commits)
    c_k = np.arange(len(c_pr)) - np.repeat(np.cumsum(n_commits) - n_commits, n_commits)
    span = np.maximum(last_point - first_commit, 0)[c_pr]
    c_time = first_commit[c_pr] + np.where(c_k == 0, 0, (rng.random(len(c_pr)) * span).astype(np.int64))
    c_time = np.where(c_k == 0, c_time, np.minimum(clock.snap(author_cal[c_pr], c_time), last_point[c_pr]))
    c_order = np.lexsort((c_time, c_pr))  # chronological within each PR
    c_time = c_time[c_order]
    c_keep = c_time < end
    c_sha = np.array(hex_ids(rng, len(c_pr)), dtype=object)
    last_commit_idx = np.cumsum(n_commits) - 1
    head_sha = c_sha[last_commit_idx]
    merge_sha = np.array(hex_ids(rng, n), dtype=object)

    # revert PRs undo the previous PR of the same repository
    text_title = titles(rng, n)
    by_repo = np.lexsort((created, repo))
    prev_in_repo = np.full(n, -1, dtype=np.int64)
    same_repo = repo[by_repo[1:]] == repo[by_repo[:-1]]
    prev_in_repo[by_repo[1:][same_repo]] = by_repo[:-1][same_repo]
    for i in np.flatnonzero(revert).tolist():
        j = int(prev_in_repo[i])
        target = text_title[j] if j >= 0 else "Add retry logic for EU customers"
        text_title[i] = f'Revert "{target}"'
    additions = np.maximum(1, lognormal_hours(rng, 60, 1.2, n)).astype(np.int64)
    deletions = np.maximum(0, lognormal_hours(rng, 20, 1.3, n)).astype(np.int64)
    small = bot_pr | hotfix | revert
    additions[small] = rng.integers(1, 30, small.sum())
    deletions[small] = rng.integers(1, 30, small.sum())
    changed_files = np.minimum(1 + (additions + deletions) // 80, 120)

    updated = np.maximum.reduce([
        created, ready.clip(max=end - 1),
        np.where(closed_at == NA, created, closed_at),
        np.where(has_rev & (last_review < end), last_review, created),
    ]) + rng.integers(1, 120, n)
    updated = np.minimum(updated, end - 1)

    # -- write pull requests, commits and reviews --------------------------------------
    # Loops below read plain lists (numpy scalar indexing is ~5x slower).
    created_s, updated_s = iso_z(created), iso_z(updated)
    closed_s, merged_s = iso_z(closed_at), iso_z(merged_at)
    body_text = bodies(rng, n)
    words = rng.integers(0, 10000, n)
    label_pick = rng.integers(0, 4, n)
    base_sha = hex_ids(rng, len(repos))
    label_refs = {name: {"id": 5_000_000 + k, "name": name, "color": color, "default": name == "bug"}
                  for k, (name, color) in enumerate(LABELS.items())}
    # one label set per PR: bots, hotfixes and reverts have fixed ones
    label_sets = [[label_refs["bug"]], [label_refs["enhancement"]], [label_refs["tech-debt"]], [],
                  [label_refs["dependencies"]], [label_refs["hotfix"], label_refs["bug"]],
                  [label_refs["revert"]]]
    label_kind = np.select([bot_pr, hotfix, revert], [4, 5, 6], label_pick)
    branch = [
        f"dependabot/npm_and_yarn/lib-{w % 97}.{w % 13}" if b else f"{logins[a]}/change-{w}"
        for a, w, b in zip(author.tolist(), words.tolist(), bot_pr.tolist(), strict=True)
    ]
    pr_title = [
        f"Bump lib-{w % 97} from 2.{w % 40}.0 to 2.{w % 40 + 1}.0" if b else t
        for t, w, b in zip(text_title, words.tolist(), bot_pr.tolist(), strict=True)
    ]

    # Reviewers still pending at export time on open PRs.
    pending: dict[int, list[Record]] = {}
    for j in np.flatnonzero((r_time >= end) & is_open[r_pr]).tolist():
        pending.setdefault(int(r_pr[j]), []).append(user_refs[int(acc_of_person[r_reviewer[j]])])

    def older_pr(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec["updated_at"] = rec["created_at"]
        rec.update(state="open", closed_at=None, merged_at=None, merge_commit_sha=None, merged=False)
        return rec

    w_pr = out.open("pull_requests.jsonl", older=older_pr,
                    breakage=Breakage("missing_primary_key", "id"))
    rev_count = np.bincount(r_pr[r_keep], minlength=n)
    cols = zip(
        pr_id.tolist(), number.tolist(), author.tolist(), repo.tolist(), is_open.tolist(),
        is_merged.tolist(), draft_now.tolist(), bot_pr.tolist(), label_kind.tolist(),
        (rev_count * (words % 3)).tolist(), (words % 4).tolist(), n_commits.tolist(),
        additions.tolist(), deletions.tolist(), changed_files.tolist(), pr_title, body_text, branch,
        created_s, updated_s, closed_s, merged_s, merge_sha.tolist(), head_sha.tolist(), strict=True,
    )
    recs = []
    for i, (pid, num, a, r, op, mg, dr, bot, lk, rcom, com, nc, add, dele, chf, title, body, br,
            cr_s, up_s, cl_s, mg_s, msha, hsha) in enumerate(cols):
        full = repos[r]
        recs.append({
            "url": f"{API}/repos/{full}/pulls/{num}",
            "id": pid,
            "node_id": f"PR_kwDO{pid:x}",
            "html_url": f"{WEB}/{full}/pull/{num}",
            "number": num,
            "state": "open" if op else "closed",
            "locked": False,
            "title": title,
            "user": user_refs[a],
            "body": body,
            "labels": label_sets[lk],
            "milestone": None,
            "draft": dr,
            "created_at": cr_s,
            "updated_at": up_s,
            "closed_at": cl_s,
            "merged_at": mg_s,
            "merge_commit_sha": msha if mg else None,
            "assignees": [],
            "requested_reviewers": pending.get(i, []),
            "head": {"label": f"{GITHUB_ORG}:{br}", "ref": br, "sha": hsha, "repo": repo_refs[r]},
            "base": {"label": f"{GITHUB_ORG}:main", "ref": "main", "sha": base_sha[r], "repo": repo_refs[r]},
            "author_association": "CONTRIBUTOR" if bot else "MEMBER",
            "merged": mg,
            "comments": com,
            "review_comments": rcom,
            "commits": nc,
            "additions": add,
            "deletions": dele,
            "changed_files": chf,
        })
        if len(recs) == 20000:
            w_pr.write(recs)
            recs = []
    w_pr.write(recs)

    # commits: one row per (PR, commit), chronological within each PR
    acc_name = [logins[a] if acc_bot[a] else org.name(int(acc_person[a])) for a in range(n_acc)]
    c_time_s = iso_z(c_time)
    c_msg = titles(rng, len(c_pr))
    c_sha_l = c_sha.tolist()
    c_parent = [base_sha[r] for r in repo[c_pr].tolist()]
    for j in np.flatnonzero(c_k > 0).tolist():
        c_parent[j] = c_sha_l[j - 1]
    w_commits = out.open("commits.jsonl")
    recs = []
    pr_id_l, author_l, repo_l, number_l = pr_id.tolist(), author.tolist(), repo.tolist(), number.tolist()
    for j in np.flatnonzero(c_keep).tolist():
        i = int(c_pr[j])
        a = author_l[i]
        full = repos[repo_l[i]]
        sha = c_sha_l[j]
        who = {"name": acc_name[a], "email": commit_email[a], "date": c_time_s[j]}
        recs.append({
            "sha": sha,
            "node_id": f"C_kwDO{sha[:12]}",
            "pull_request_id": pr_id_l[i],
            "commit": {"author": who, "committer": who, "message": c_msg[j],
                       "tree": {"sha": sha[::-1]}, "comment_count": 0},
            "url": f"{API}/repos/{full}/commits/{sha}",
            "html_url": f"{WEB}/{full}/commit/{sha}",
            "author": user_refs[a],
            "committer": user_refs[a],
            "parents": [{"sha": c_parent[j]}],
        })
        if len(recs) == 20000:
            w_commits.write(recs)
            recs = []
    w_commits.write(recs)

    # reviews: humans and the bot comments, ordered by submission time
    rv_pr = np.concatenate([r_pr[r_keep], bot_rev_pr])
    rv_time = np.concatenate([r_time[r_keep], bot_rev_time])
    rv_acc = np.concatenate([acc_of_person[r_reviewer[r_keep]],
                             np.where(rng.random(len(bot_rev_pr)) < 0.5, bot_acc[DEPENDABOT], bot_acc[RENOVATE])])
    rv_state = np.concatenate([r_state[r_keep], np.full(len(bot_rev_pr), "COMMENTED")])
    o = np.argsort(rv_time, kind="stable")
    rv_pr, rv_time, rv_acc, rv_state = rv_pr[o], rv_time[o], rv_acc[o], rv_state[o]
    rv_id = increasing_ids(rng, rv_time, 2_100_000_000, 20)
    # commit reviewed = the PR's latest commit pushed before the review
    pos = np.searchsorted(time_key(c_pr, c_time), time_key(rv_pr, rv_time), side="right") - 1
    first_c = np.cumsum(n_commits) - n_commits
    pos = np.maximum(pos, first_c[rv_pr])
    rv_body = bodies(rng, len(rv_pr))
    w_rev = out.open("reviews.jsonl")
    recs = []
    for rid, i, acc, state, p, sub, body in zip(
        rv_id.tolist(), rv_pr.tolist(), rv_acc.tolist(), rv_state.tolist(), pos.tolist(),
        iso_z(rv_time), rv_body, strict=True,
    ):
        recs.append({
            "id": rid,
            "node_id": f"PRR_kwDO{rid:x}",
            "pull_request_id": pr_id_l[i],
            "user": user_refs[acc],
            "body": "" if state == "APPROVED" and rid % 3 else body,
            "state": state,
            "html_url": f"{WEB}/{repos[repo_l[i]]}/pull/{number_l[i]}#pullrequestreview-{rid}",
            "commit_id": c_sha_l[p],
            "author_association": "NONE" if acc_bot[acc] else "MEMBER",
            "submitted_at": sub,
        })
        if len(recs) == 20000:
            w_rev.write(recs)
            recs = []
    w_rev.write(recs)

    # -- planted fact 1: pickup time per team (from what was written) --------------------
    human_rev = ~acc_bot[rv_acc]
    first_rev = np.full(n, NA, dtype=np.int64)
    hr_pr, hr_time = rv_pr[human_rev], rv_time[human_rev]
    # rv is time-ordered, so the first occurrence per PR is the first review
    uniq, first_pos = np.unique(hr_pr, return_index=True)
    first_rev[uniq] = hr_time[first_pos]
    pickup = (first_rev - created) / 3600.0
    has_pickup = first_rev != NA
    slow = team == org.slow_review_team
    slow_med = float(np.median(pickup[has_pickup & slow]))
    other_med = float(np.median(pickup[has_pickup & ~slow]))
    out.planted["slow_review_team"] = {
        "team": org.teams[org.slow_review_team].name,
        "repositories": org.teams[org.slow_review_team].repos,
        "pickup_median_hours": round(slow_med, 2),
        "other_teams_pickup_median_hours": round(other_med, 2),
        "ratio": round(slow_med / other_med, 2),
        "definition": "first non-bot, non-author review minus PR created_at, calendar hours",
    }

    deps = _deployments(org, rng, out, repos, repo_refs, repo_team, cal, team_members,
                        merged_at, merge_sha, repo, hotfix, user_refs, acc_of_person, bot_acc)
    _workflow_runs(org, rng, out, repos, repo_refs, repo_team, created, author, c_pr, c_time, c_sha,
                   c_keep, merged_at, merge_sha, repo, user_refs, logins, commit_email, acc_bot,
                   acc_person, acc_of_person, pr_title, branch, bot_pr)
    return deps


def _deployments(org, rng, out, repos, repo_refs, repo_team, cal, team_members,
                 merged_at, merge_sha, pr_repo, hotfix, user_refs, acc_of_person, bot_acc) -> Deployments:
    """Deployments follow merges: each deploys the latest merge commit of its repo."""
    clock, end, W = org.clock, org.end, org.weeks
    R = len(repos)
    week0 = org.week_starts()
    lead_cal = cal[np.array([org.teams[int(t)].manager for t in repo_team], dtype=np.int64)]
    rate = rng.uniform(2.0, 7.0, R)
    cand_repo, cand_env, cand_time = [], [], []
    for env, mult in ((0, 1.0), (1, 1.6)):
        c = rng.poisson(rate[:, None] * mult, (R, W)).ravel()
        rr = np.repeat(np.repeat(np.arange(R), W), c)
        ww = np.repeat(np.tile(np.arange(W), R), c)
        tt = clock.random_in(rng, lead_cal[rr], week0[ww], week0[ww] + 7 * DAY)
        cand_repo.append(rr)
        cand_env.append(np.full(len(rr), env))
        cand_time.append(tt)
    d_repo = np.concatenate(cand_repo)
    d_env = np.concatenate(cand_env)
    d_time = np.concatenate(cand_time)

    # latest merge of the repo before each candidate deployment
    merged = np.flatnonzero(merged_at != NA)
    m_key = time_key(pr_repo[merged], merged_at[merged])
    mo = np.argsort(m_key)
    merged, m_key = np.r_[merged[mo], -1], m_key[mo]
    pos = np.searchsorted(m_key, time_key(d_repo, d_time), side="right") - 1
    pr_of = merged[pos]  # pos == -1 picks the -1 sentinel
    pr_of = np.where((pos >= 0) & (pr_repo[pr_of] == d_repo), pr_of, -1)
    o = np.lexsort((d_time, d_env, d_repo))
    d_repo, d_env, d_time, pr_of = d_repo[o], d_env[o], d_time[o], pr_of[o]
    same = np.r_[False, (d_repo[1:] == d_repo[:-1]) & (d_env[1:] == d_env[:-1])]
    dup = same & (pr_of == np.r_[-1, pr_of[:-1]])
    keep = (pr_of >= 0) & ~dup & (d_time < end)
    d_repo, d_env, d_time, pr_of = d_repo[keep], d_env[keep], d_time[keep], pr_of[keep]

    # hotfixes are deployed straight after their merge
    hf = np.flatnonzero(hotfix & (merged_at != NA))
    hf_time = merged_at[hf] + rng.integers(600, 1800, len(hf))
    ok = hf_time < end
    d_repo = np.concatenate([d_repo, pr_repo[hf[ok]]])
    d_env = np.concatenate([d_env, np.zeros(ok.sum(), dtype=np.int64)])
    d_time = np.concatenate([d_time, hf_time[ok]])
    pr_of = np.concatenate([pr_of, hf[ok]])
    d_sha = merge_sha[pr_of]
    d_task = np.full(len(d_repo), "deploy", dtype=object)
    d_creator = np.full(len(d_repo), bot_acc[DEPLOYER], dtype=np.int64)

    # statuses: in_progress, then success/failure after a skewed few minutes
    n0 = len(d_repo)
    d_success = rng.random(n0) >= 0.05
    d_fin = d_time + np.maximum(60, lognormal_hours(rng, 7 / 60, 0.5, n0) * 3600).astype(np.int64)

    # retries of failed production deployments, same sha
    retry = np.flatnonzero(~d_success & (d_env == 0) & (rng.random(n0) < 0.7))
    rt_time = d_fin[retry] + rng.integers(600, 2400, len(retry))

    # the planted deployment: a successful production deploy in the middle of
    # the window with no other deployment of its repo from 2 h before to 4 h after
    prod = np.flatnonzero(d_env == 0)
    prod = prod[np.lexsort((d_time[prod], d_repo[prod]))]
    pr_repo_s, pr_t = d_repo[prod], d_time[prod]
    prev_ok = np.r_[True, (pr_repo_s[1:] != pr_repo_s[:-1]) | (pr_t[1:] - pr_t[:-1] > 2 * 3600)]
    next_ok = np.r_[(pr_repo_s[1:] != pr_repo_s[:-1]) | (pr_t[1:] > d_fin[prod][:-1] + 4 * 3600), True]
    mid_lo = org.start + (end - org.start) // 3
    mid_hi = org.start + 2 * (end - org.start) // 3
    cand = prod[prev_ok & next_ok & d_success[prod] & (pr_t >= mid_lo) & (pr_t < mid_hi)]
    preferred = cand[repo_team[d_repo[cand]] != org.slow_review_team]
    preferred = preferred if len(preferred) else cand
    planted = int(preferred[int(rng.integers(0, len(preferred)))]) if len(preferred) else -1

    # rollbacks: redeploy the previous successful production sha
    prod_ok = prod[d_success[prod]]
    po = prod_ok[np.lexsort((d_time[prod_ok], d_repo[prod_ok]))]
    prev_same_repo = np.r_[False, d_repo[po[1:]] == d_repo[po[:-1]]]
    rb_pick = prev_same_repo & (rng.random(len(po)) < 0.025)
    if planted >= 0:
        rb_pick &= ~((d_repo[po] == d_repo[planted]) & (np.abs(d_time[po] - d_time[planted]) < 2 * DAY))
    rb_src = po[rb_pick]
    rb_prev = po[np.flatnonzero(rb_pick) - 1]
    rb_time = d_fin[rb_src] + np.maximum(600, lognormal_hours(rng, 0.7, 0.6, len(rb_src)) * 3600).astype(np.int64)

    def member_acc(repos_idx: np.ndarray) -> np.ndarray:
        out_ = np.empty(len(repos_idx), dtype=np.int64)
        for k, r in enumerate(repos_idx.tolist()):
            mem = team_members[int(repo_team[r])]
            out_[k] = acc_of_person[int(mem[int(rng.integers(0, len(mem)))])]
        return out_

    extra_repo = np.concatenate([d_repo[retry], d_repo[rb_src]])
    extra_time = np.concatenate([rt_time, rb_time])
    extra_sha = np.concatenate([d_sha[retry], d_sha[rb_prev]])
    extra_task = np.concatenate([np.full(len(retry), "deploy", dtype=object),
                                 np.full(len(rb_src), "deploy:rollback", dtype=object)])
    extra_creator = np.concatenate([np.full(len(retry), bot_acc[DEPLOYER]), member_acc(d_repo[rb_src])])
    ne = len(extra_repo)
    extra_success = rng.random(ne) >= 0.05
    extra_fin = extra_time + np.maximum(60, lognormal_hours(rng, 7 / 60, 0.5, ne) * 3600).astype(np.int64)

    d_repo = np.concatenate([d_repo, extra_repo])
    d_env = np.concatenate([d_env, np.zeros(ne, dtype=np.int64)])
    d_time = np.concatenate([d_time, extra_time])
    d_sha = np.concatenate([d_sha, extra_sha])
    d_task = np.concatenate([d_task, extra_task])
    d_creator = np.concatenate([d_creator, extra_creator])
    d_success = np.concatenate([d_success, extra_success])
    d_fin = np.concatenate([d_fin, extra_fin])
    keep = d_time < end
    idx = np.flatnonzero(keep)
    idx = idx[np.argsort(d_time[idx], kind="stable")]
    planted_row = int(np.flatnonzero(idx == planted)[0]) if planted >= 0 else -1
    d_repo, d_env, d_time, d_sha = d_repo[idx], d_env[idx], d_time[idx], d_sha[idx]
    d_task, d_creator, d_success, d_fin = d_task[idx], d_creator[idx], d_success[idx], d_fin[idx]
    nd = len(d_repo)
    d_id = increasing_ids(rng, d_time, 1_200_000_000, 25)
    start_t = d_time + rng.integers(5, 30, nd)
    fin = np.where(d_fin < end, d_fin, NA)

    def older_dep(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec["updated_at"] = rec["created_at"]
        return rec

    created_s, updated_s = iso_z(d_time), iso_z(np.where(fin != NA, fin, start_t).clip(max=end - 1))
    env_names = ("production", "staging")
    w_dep = out.open("deployments.jsonl", older=older_dep)
    recs = []
    for did, r, env_i, task, sha, creator, cr_s, up_s in zip(
        d_id.tolist(), d_repo.tolist(), d_env.tolist(), d_task.tolist(), d_sha.tolist(),
        d_creator.tolist(), created_s, updated_s, strict=True,
    ):
        full = repos[r]
        env = env_names[env_i]
        recs.append({
            "url": f"{API}/repos/{full}/deployments/{did}",
            "id": did,
            "node_id": f"DE_kwDO{did:x}",
            "task": task,
            "original_environment": env,
            "environment": env,
            "description": "Roll back to the last good release" if task == "deploy:rollback" else f"Deploy {sha[:7]} to {env}",
            "created_at": cr_s,
            "updated_at": up_s,
            "statuses_url": f"{API}/repos/{full}/deployments/{did}/statuses",
            "repository_url": f"{API}/repos/{full}",
            "repository": repo_refs[r],
            "creator": user_refs[creator],
            "sha": sha,
            "ref": "main" if task == "deploy" else sha,
            "payload": {"triggered_by": "ci" if task == "deploy" else "manual"},
            "transient_environment": False,
            "production_environment": env_i == 0,
        })
    w_dep.write(recs)

    # deployment statuses: in_progress then the final state (if before export)
    s_dep = np.concatenate([np.arange(nd), np.flatnonzero(fin != NA)])
    s_time = np.concatenate([start_t, fin[fin != NA]])
    s_state = np.concatenate([np.full(nd, "in_progress", dtype=object),
                              np.where(d_success[fin != NA], "success", "failure").astype(object)])
    o = np.argsort(s_time, kind="stable")
    s_dep, s_time, s_state = s_dep[o], s_time[o], s_state[o]
    keep = s_time < end
    s_dep, s_time, s_state = s_dep[keep], s_time[keep], s_state[keep]
    s_id = increasing_ids(rng, s_time, 3_400_000_000, 20)
    deployer = user_refs[bot_acc[DEPLOYER]]
    w_st = out.open("deployment_statuses.jsonl")
    recs = []
    d_id_l, d_repo_l, d_env_l = d_id.tolist(), d_repo.tolist(), d_env.tolist()
    for sid, i, state, ts in zip(s_id.tolist(), s_dep.tolist(), s_state.tolist(), iso_z(s_time), strict=True):
        full = repos[d_repo_l[i]]
        did = d_id_l[i]
        recs.append({
            "url": f"{API}/repos/{full}/deployments/{did}/statuses/{sid}",
            "id": sid,
            "node_id": f"DES_kwDO{sid:x}",
            "deployment_id": did,
            "state": state,
            "creator": deployer,
            "description": "Deployment started" if state == "in_progress" else "Deployment finished",
            "environment": env_names[d_env_l[i]],
            "environment_url": f"https://{full[len(GITHUB_ORG) + 1:]}.{DOMAIN}",
            "log_url": f"{WEB}/{full}/actions/runs/{sid}",
            "created_at": ts,
            "updated_at": ts,
        })
        if len(recs) == 20000:
            w_st.write(recs)
            recs = []
    w_st.write(recs)

    return Deployments(id=d_id, repo=d_repo, env=d_env, created=d_time, finished=fin,
                       success=d_success, sha=[str(s) for s in d_sha], repos=repos,
                       repo_team=repo_team, planted=planted_row)


def _workflow_runs(org, rng, out, repos, repo_refs, repo_team, created, author, c_pr, c_time, c_sha,
                   c_keep, merged_at, merge_sha, repo, user_refs, logins, commit_email, acc_bot,
                   acc_person, acc_of_person, pr_title, branch, bot_pr) -> None:
    """CI: one run per push to a PR branch, one per merge on main, a weekly scan."""
    end = org.end
    # pushes: the commit that opened the PR, and each commit pushed after it
    is_last_before_open = np.r_[(c_pr[1:] != c_pr[:-1]) | (c_time[1:] >= created[c_pr[1:]]), True] & (c_time < created[c_pr])
    push = c_keep & ((c_time >= created[c_pr]) | is_last_before_open)
    p_idx = np.flatnonzero(push)
    run_pr = np.concatenate([c_pr[p_idx], np.flatnonzero(merged_at != NA)])
    run_time = np.concatenate([np.maximum(c_time[p_idx], created[c_pr[p_idx]]) + rng.integers(5, 60, len(p_idx)),
                               merged_at[merged_at != NA] + rng.integers(5, 60, int((merged_at != NA).sum()))])
    run_sha = np.concatenate([c_sha[p_idx], merge_sha[merged_at != NA]])
    run_event = np.concatenate([np.full(len(p_idx), 0), np.full(int((merged_at != NA).sum()), 1)])
    run_repo = repo[run_pr]
    run_actor = author[run_pr]
    # weekly security scan per repo (schedule), run by the team's manager account
    week0 = org.week_starts()
    R = len(repos)
    s_repo = np.repeat(np.arange(R), len(week0))
    s_time = np.tile(week0, R) + 3 * 3600 + rng.integers(0, 600, len(s_repo))
    run_pr = np.concatenate([run_pr, np.full(len(s_repo), -1)])
    run_time = np.concatenate([run_time, s_time])
    run_sha = np.concatenate([run_sha, np.array(hex_ids(rng, len(s_repo)), dtype=object)])
    run_event = np.concatenate([run_event, np.full(len(s_repo), 2)])
    run_repo = np.concatenate([run_repo, s_repo])
    team_manager = np.array([t.manager for t in org.teams], dtype=np.int64)
    run_actor = np.concatenate([run_actor, acc_of_person[team_manager[repo_team[s_repo]]]])
    keep = run_time < end
    o = np.flatnonzero(keep)
    o = o[np.argsort(run_time[o], kind="stable")]
    run_pr, run_time, run_sha, run_event = run_pr[o], run_time[o], run_sha[o], run_event[o]
    run_repo, run_actor = run_repo[o], run_actor[o]
    m = len(run_pr)
    run_id = increasing_ids(rng, run_time, 9_800_000_000, 40)
    started = run_time + rng.integers(2, 90, m)
    duration = np.maximum(30, lognormal_hours(rng, 6 / 60, 0.6, m) * 3600).astype(np.int64)
    u = rng.random(m)
    conclusion = np.where(u < 0.87, "success", np.where(u < 0.97, "failure", "cancelled")).astype(object)
    attempt = np.where((conclusion == "failure") & (rng.random(m) < 0.3), 2, 1)
    conclusion = np.where((attempt == 2) & (rng.random(m) < 0.7), "success", conclusion)
    finished = started + duration * attempt + (attempt - 1) * 300
    status = np.where(finished < end, "completed", np.where(started < end, "in_progress", "queued")).astype(object)
    conclusion = np.where(status == "completed", conclusion, None)
    updated = np.minimum(np.where(status == "completed", finished, np.where(status == "in_progress", started, run_time)), end - 1)
    created_s, started_s, updated_s = iso_z(run_time), iso_z(np.minimum(started, end - 1)), iso_z(updated)
    names = ("CI", "CI", "Security scan")
    events = ("pull_request", "push", "schedule")
    paths = (".github/workflows/ci.yml", ".github/workflows/ci.yml", ".github/workflows/security.yml")
    run_number = 1000 + group_rank(run_repo)

    def older_run(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["status"] != "completed":
            return None
        rec.update(status="in_progress", conclusion=None, updated_at=rec["run_started_at"])
        return rec

    w = out.open("workflow_runs.jsonl", older=older_run)
    acc_name = [logins[a] if acc_bot[a] else org.name(int(acc_person[a])) for a in range(len(logins))]
    recs = []
    for rid, i, r, ev, a, sha, st, concl, att, num, cr_s, st_s, up_s in zip(
        run_id.tolist(), run_pr.tolist(), run_repo.tolist(), run_event.tolist(), run_actor.tolist(),
        run_sha.tolist(), status.tolist(), conclusion.tolist(), attempt.tolist(), run_number.tolist(),
        created_s, started_s, updated_s, strict=True,
    ):
        full = repos[r]
        title = pr_title[i] if i >= 0 else "Weekly dependency and secret scan"
        recs.append({
            "id": rid,
            "name": names[ev],
            "node_id": f"WFR_kwLO{rid:x}",
            "head_branch": branch[i] if ev == 0 else "main",
            "head_sha": sha,
            "path": paths[ev],
            "display_title": title,
            "run_number": num,
            "event": events[ev],
            "status": st,
            "conclusion": concl,
            "workflow_id": 60_000_000 + r * 2 + (1 if ev == 2 else 0),
            "url": f"{API}/repos/{full}/actions/runs/{rid}",
            "html_url": f"{WEB}/{full}/actions/runs/{rid}",
            "created_at": cr_s,
            "updated_at": up_s,
            "run_attempt": att,
            "run_started_at": st_s,
            "actor": user_refs[a],
            "triggering_actor": user_refs[a],
            "head_commit": {"id": sha, "message": title,
                            "author": {"name": acc_name[a], "email": commit_email[a]}},
            "repository": repo_refs[r],
        })
        if len(recs) == 20000:
            w.write(recs)
            recs = []
    w.write(recs)
