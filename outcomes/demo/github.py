"""GitHub: pull requests, commits, reviews, deployments and CI runs (REST shapes).

Everything is built as numpy columns first (one element per PR, review,
commit, deployment...) and turned into dicts a slice at a time while
writing, so memory stays flat at any scale.
Planted: one engineering team whose PRs wait ~5x longer for a first review.
The deployments are returned so PagerDuty can plant the incident that one
specific deployment causes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .clock import DAY, NA, iso_z, lognormal_hours
from .ids import as_str, distinct_ints, group_rank, hex_ids, increasing_ids, time_key
from .org import DOMAIN, GITHUB_ORG, Org
from .text import body_of, text_codes, title_of
from .writer import Breakage, Record, ToolOutput, chunks

SALT = 1
API = "https://api.github.com"
WEB = "https://github.com"
DEPENDABOT, RENOVATE, DEPLOYER = "dependabot[bot]", "renovate[bot]", "acme-deployer[bot]"
BOTS = {DEPENDABOT: 49699333, RENOVATE: 29139614, DEPLOYER: 141231555}
BASE_PICKUP_HOURS = 2.5  # median business hours from PR opened to first review
SLOW_PICKUP_FACTOR = 5.5  # in business hours: ~5x in calendar hours once nights are added
LABELS = {
    "bug": "d73a4a",
    "enhancement": "a2eeef",
    "tech-debt": "fbca04",
    "dependencies": "0366d6",
    "hotfix": "b60205",
    "revert": "5319e7",
}
PROD, STAGING = 0, 1
TextOf = Callable[[np.ndarray], list[str]]  # PR indexes -> one string each
ENVIRONMENTS = ("production", "staging")


@dataclass
class Deployments:
    """Production and staging deployments, handed to PagerDuty."""

    id: np.ndarray
    repo: np.ndarray  # index into repos
    env: np.ndarray  # PROD or STAGING
    created: np.ndarray
    finished: np.ndarray  # final status time, NA while still running at export
    success: np.ndarray
    sha: np.ndarray  # S40
    repos: list[str]
    repo_team: np.ndarray
    planted: int = -1  # row of the deployment that causes the planted incident


@dataclass
class Accounts:
    logins: list[str]
    uid: np.ndarray
    is_bot: np.ndarray
    person: np.ndarray  # person index, -1 for bots
    of_person: np.ndarray  # account index of each person, -1 if none
    refs: list[Record]  # the `user` object embedded in PRs, reviews...
    names: list[str]
    commit_email: list[str]

    def bot(self, login: str) -> int:
        return self.logins.index(login)


def _accounts(org: Org, rng: np.random.Generator, out: ToolOutput) -> Accounts:
    eng = org.members_of("Engineering")
    E = len(eng)
    seen: set[str] = set()
    logins = []
    styles = rng.integers(0, 4, E).tolist()
    for p, style in zip(eng.tolist(), styles, strict=True):
        f, last = org.first[p].lower(), org.last[p].lower()
        login = (f"{f}{last}", f"{f[0]}{last}", f"{f}-{last[:3]}", f"{f}{last[0]}-acme")[style]
        base, k = login, 1
        while login in seen:
            k += 1
            login = f"{base}{k}"
        seen.add(login)
        logins.append(login)
    logins += list(BOTS)
    uid = np.concatenate(
        [distinct_ints(rng, E, 1_000_000, 160_000_000), np.array(list(BOTS.values()))]
    ).astype(np.int64)
    is_bot = np.r_[np.zeros(E, bool), np.ones(len(BOTS), bool)]
    person = np.r_[eng, np.full(len(BOTS), -1)]
    of_person = np.full(org.people, -1, dtype=np.int64)
    of_person[eng] = np.arange(E)
    refs = [
        {
            "login": lg,
            "id": u,
            "type": "Bot" if b else "User",
            "url": f"{API}/users/{lg}",
            "site_admin": False,
        }
        for lg, u, b in zip(logins, uid.tolist(), is_bot.tolist(), strict=True)
    ]
    names = [org.name(p) for p in eng.tolist()] + list(BOTS)
    # Some engineers commit with GitHub's noreply address instead of the SSO one.
    noreply = (rng.random(E) < 0.12).tolist()
    commit_email = [
        f"{uid[i]}+{logins[i]}@users.noreply.github.com" if noreply[i] else org.email[p]
        for i, p in enumerate(eng.tolist())
    ]
    commit_email += [f"{u}+{name}@users.noreply.github.com" for name, u in BOTS.items()]

    out.open("users.jsonl").write(
        [
            {
                "login": logins[i],
                "id": int(uid[i]),
                "node_id": f"MDQ6VXNlcj{uid[i]}",
                "avatar_url": f"https://avatars.githubusercontent.com/u/{uid[i]}?v=4",
                "type": "Bot" if is_bot[i] else "User",
                "site_admin": False,
                "name": names[i],
                "email": None if is_bot[i] else org.email[int(person[i])],
            }
            for i in range(len(logins))
        ]
    )
    return Accounts(logins, uid, is_bot, person, of_person, refs, names, commit_email)


def generate(org: Org, out: ToolOutput) -> Deployments:
    rng = np.random.default_rng([org.seed, SALT])
    clock, end, W = org.clock, org.end, org.weeks
    acc = _accounts(org, rng, out)
    E = int((~acc.is_bot).sum())
    eng = acc.person[:E]
    cal = org.cal

    # -- repositories (1-3 per engineering team) -------------------------------------------
    eng_teams = org.teams_of("Engineering")
    repos = [r for t in eng_teams for r in t.repos]
    R = len(repos)
    repo_team = np.array([t.index for t in eng_teams for _ in t.repos], dtype=np.int64)
    repo_ids = distinct_ints(rng, R, 100_000_000, 900_000_000).tolist()
    team_repo_first = np.zeros(len(org.teams), dtype=np.int64)
    team_repo_count = np.zeros(len(org.teams), dtype=np.int64)
    pos = 0
    for t in eng_teams:
        team_repo_first[t.index], team_repo_count[t.index] = pos, len(t.repos)
        pos += len(t.repos)
    repo_refs = [
        {
            "id": i,
            "node_id": f"R_kgDO{i:x}",
            "name": r.split("/")[1],
            "full_name": r,
            "private": True,
            "html_url": f"{WEB}/{r}",
            "url": f"{API}/repos/{r}",
        }
        for r, i in zip(repos, repo_ids, strict=True)
    ]
    team_members = {t.index: t.members for t in org.teams}

    # -- pull requests: who opens them and when -----------------------------------------------
    week0 = org.week_starts()
    rate = rng.uniform(1.5, 3.0, E)
    rate[np.isin(eng, [t.manager for t in eng_teams])] *= 0.4  # managers code less
    overlap = np.minimum(org.active_until[eng][:, None], week0[None, :] + 7 * DAY) - np.maximum(
        org.active_from[eng][:, None], week0[None, :]
    )
    counts = rng.poisson(rate[:, None] * np.clip(overlap / (7 * DAY), 0, 1)).ravel()
    h_author = np.repeat(np.repeat(np.arange(E), W), counts)
    h_week = np.repeat(np.tile(np.arange(W), E), counts)
    h_person = eng[h_author]
    lo = np.maximum(week0[h_week], org.active_from[h_person])
    hi = np.minimum(week0[h_week] + 7 * DAY, org.active_until[h_person])
    h_created = clock.random_in(rng, cal[h_person], lo, hi)
    offhours = rng.random(len(lo)) < 0.04  # a little work outside working hours
    h_created[offhours] = lo[offhours] + (rng.random(offhours.sum()) * (hi - lo)[offhours]).astype(
        np.int64
    )
    keep = (h_created >= lo) & (h_created < hi)
    h_author, h_created = h_author[keep], h_created[keep]
    h_team = org.team[eng[h_author]]
    h_repo = team_repo_first[h_team] + (rng.random(len(h_team)) * team_repo_count[h_team]).astype(
        np.int64
    )

    # dependency bots open PRs on every repository, at night (UTC)
    bot_counts = rng.poisson(0.8, (R, W)).ravel()
    b_repo = np.repeat(np.repeat(np.arange(R), W), bot_counts)
    b_week = np.repeat(np.tile(np.arange(W), R), bot_counts)
    b_created = (
        week0[b_week]
        + rng.integers(0, 7, len(b_week)) * DAY
        + rng.integers(2 * 3600, 6 * 3600, len(b_week))
    )
    b_author = np.where(b_repo % 2 == 0, acc.bot(DEPENDABOT), acc.bot(RENOVATE))

    author = np.r_[h_author, b_author]
    created = np.r_[h_created, b_created]
    repo = np.r_[h_repo, b_repo]
    order = np.argsort(created, kind="stable")
    order = order[created[order] < end]
    author, created, repo = author[order], created[order], repo[order]
    n = len(author)
    team = repo_team[repo]
    bot_pr = acc.is_bot[author]
    author_person = acc.person[author]
    author_cal = np.where(bot_pr, 0, cal[np.maximum(author_person, 0)])
    u = rng.random(n)
    hotfix = ~bot_pr & (u < 0.02)
    revert = ~bot_pr & (u >= 0.02) & (u < 0.03)
    pr_id = increasing_ids(rng, created, 1_700_000_000, 40)
    # numbers are per repository, in creation order, continuing older history
    number = rng.integers(50, 3000, R)[repo] + group_rank(repo)

    # -- reviews: planned reviewers and timing --------------------------------------------
    n_rev = np.where(
        bot_pr, (rng.random(n) < 0.9).astype(np.int64), rng.choice(4, n, p=[0.1, 0.5, 0.3, 0.1])
    )
    n_rev[hotfix] = np.maximum(n_rev[hotfix], 1)
    size_of_team = np.array([len(t.members) for t in org.teams], dtype=np.int64)[team]
    n_rev = np.minimum(n_rev, np.where(bot_pr, size_of_team, size_of_team - 1))
    draft_first = ~bot_pr & ~hotfix & (rng.random(n) < 0.12)
    ready = np.where(
        draft_first, clock.add_biz(author_cal, created, lognormal_hours(rng, 5, 1.0, n)), created
    )
    pickup_median = np.where(
        team == org.slow_review_team, BASE_PICKUP_HOURS * SLOW_PICKUP_FACTOR, BASE_PICKUP_HOURS
    )
    pickup_median = np.where(hotfix, 0.3, pickup_median)

    r_pr = np.repeat(np.arange(n), n_rev)
    r_k = np.arange(len(r_pr)) - np.repeat(np.cumsum(n_rev) - n_rev, n_rev)
    # distinct teammates, never the author: walk the team from a random offset,
    # skipping the author's own slot
    r_reviewer = np.empty(len(r_pr), dtype=np.int64)
    offsets = rng.integers(0, 1 << 30, n)
    r_team = team[r_pr]
    by_team = np.argsort(r_team, kind="stable")
    bounds = np.searchsorted(r_team[by_team], np.arange(len(org.teams) + 1))
    for t in range(len(org.teams)):
        sel = by_team[bounds[t] : bounds[t + 1]]
        if not len(sel):
            continue
        members = team_members[t]
        m = len(members)
        prs = r_pr[sel]
        a_person = author_person[prs]
        human = a_person >= 0
        a_pos = np.where(human, np.searchsorted(members, a_person), -1)
        size = np.where(human, m - 1, m)
        slot = (offsets[prs] + r_k[sel]) % np.maximum(size, 1)
        r_reviewer[sel] = members[np.where(human, (a_pos + 1 + slot) % m, slot)]
    r_cal = cal[r_reviewer]
    gap = np.where(
        r_k == 0,
        lognormal_hours(rng, pickup_median[r_pr], 0.9, len(r_pr)),
        lognormal_hours(rng, 1.5, 0.9, len(r_pr)),
    )
    r_time = np.empty(len(r_pr), dtype=np.int64)
    prev = ready.copy()  # per PR: time of the previous review (or ready)
    for k in range(int(n_rev.max(initial=0))):
        sel = r_k == k
        r_time[sel] = clock.add_biz(r_cal[sel], prev[r_pr[sel]], gap[sel])
        prev[r_pr[sel]] = r_time[sel]
    has_rev = n_rev > 0
    last_idx = np.cumsum(n_rev) - 1
    last_review = np.where(has_rev, r_time[np.maximum(last_idx, 0)] if len(r_time) else NA, NA)

    # -- outcome: merged, closed unmerged, or still open at export ---------------------------
    closed_unmerged = rng.random(n) < np.where(bot_pr, 0.3, 0.07)
    merge_cal = np.where(
        bot_pr & has_rev, r_cal[np.maximum(last_idx, 0)] if len(r_cal) else 0, author_cal
    )
    merged_at = clock.add_biz(
        merge_cal,
        np.where(has_rev, last_review, ready),
        lognormal_hours(rng, np.where(has_rev, 1.0, 2.0), 1.0, n),
    )
    closed_at = clock.add_biz(author_cal, ready, lognormal_hours(rng, 20, 1.0, n))
    merged_at = np.where(closed_unmerged | (merged_at >= end), NA, merged_at)
    closed_at = np.where(closed_unmerged & (closed_at < end), closed_at, NA)
    closed_at = np.where(merged_at != NA, merged_at, closed_at)
    is_merged = merged_at != NA
    is_open = closed_at == NA
    draft_now = draft_first & is_open & (ready >= end)

    r_keep = (r_time < end) & (is_open[r_pr] | (r_time <= closed_at[r_pr]))
    r_state = np.where(
        rng.random(len(r_pr)) < 0.6,
        "APPROVED",
        np.where(rng.random(len(r_pr)) < 0.6, "CHANGES_REQUESTED", "COMMENTED"),
    )
    r_state = np.where((r_k == n_rev[r_pr] - 1) & is_merged[r_pr], "APPROVED", r_state)
    # bots leave a quick automated comment on a few human PRs: they never count
    # as reviewers, and an early bot review is the trap for pickup time
    bot_rev_pr = np.flatnonzero(~bot_pr & (rng.random(n) < 0.06))
    bot_rev_time = created[bot_rev_pr] + rng.integers(60, 600, len(bot_rev_pr))
    ok = bot_rev_time < end
    bot_rev_pr, bot_rev_time = bot_rev_pr[ok], bot_rev_time[ok]

    # -- commits ----------------------------------------------------------------------------
    n_commits = np.where(bot_pr, 1, np.minimum(rng.geometric(0.4, n), 6))
    coding = lognormal_hours(rng, 5.0, 1.1, n)
    first_commit = np.where(
        bot_pr, created - 60, clock.from_biz(author_cal, clock.to_biz(author_cal, created) - coding)
    )
    first_commit = np.minimum(first_commit, created - 60)
    late_push = has_rev & (rng.random(n) < 0.35)  # fixes pushed after a review
    last_point = np.where(late_push, last_review, created)
    c_pr = np.repeat(np.arange(n), n_commits)
    c_k = np.arange(len(c_pr)) - np.repeat(np.cumsum(n_commits) - n_commits, n_commits)
    span = np.maximum(last_point - first_commit, 0)[c_pr]
    c_time = first_commit[c_pr] + np.where(
        c_k == 0, 0, (rng.random(len(c_pr)) * span).astype(np.int64)
    )
    c_time = np.where(
        c_k == 0, c_time, np.minimum(clock.snap(author_cal[c_pr], c_time), last_point[c_pr])
    )
    c_time = c_time[np.lexsort((c_time, c_pr))]  # chronological within each PR (c_pr is grouped)
    c_keep = c_time < end
    c_sha = hex_ids(rng, len(c_pr))
    head_sha = c_sha[np.cumsum(n_commits) - 1]
    merge_sha = hex_ids(rng, n)
    base_sha = as_str(hex_ids(rng, R))

    # -- text: titles as codes; a revert reverts the latest non-revert PR of its repository
    # merged before the revert was opened, and says so in its body ("Reverts owner/repo#N",
    # GitHub's own revert text) ------------------------------------------------------------------
    title_code = text_codes(rng, n)
    body_code = text_codes(rng, n)
    revertible = np.flatnonzero((merged_at != NA) & ~revert)
    rv_key = time_key(repo[revertible], merged_at[revertible])
    rv_order = np.argsort(rv_key, kind="stable")
    revertible, rv_key = np.r_[revertible[rv_order], -1], rv_key[rv_order]
    rv_pos = np.searchsorted(rv_key, time_key(repo, created), side="left") - 1
    reverted = revertible[rv_pos]  # rv_pos == -1 picks the -1 sentinel
    reverted = np.where(revert & (rv_pos >= 0) & (repo[reverted] == repo), reverted, -1)
    words = rng.integers(0, 10000, n)
    label_kind = np.select([bot_pr, hotfix, revert], [4, 5, 6], rng.integers(0, 4, n))
    additions = np.maximum(1, lognormal_hours(rng, 60, 1.2, n)).astype(np.int64)
    deletions = np.maximum(0, lognormal_hours(rng, 20, 1.3, n)).astype(np.int64)
    small = bot_pr | hotfix | revert
    additions[small] = rng.integers(1, 30, small.sum())
    deletions[small] = rng.integers(1, 30, small.sum())
    changed_files = np.minimum(1 + (additions + deletions) // 80, 120)
    updated = np.maximum.reduce(
        [
            created,
            ready.clip(max=end - 1),
            np.where(is_open, created, closed_at),
            np.where(has_rev & (last_review < end), last_review, created),
        ]
    ) + rng.integers(1, 120, n)
    updated = np.minimum(updated, end - 1)

    def pr_titles(idx: np.ndarray) -> list[str]:
        """Titles of PRs `idx` (bots bump a library; reverts quote what they revert)."""
        base = title_of(title_code[idx])
        target = title_of(title_code[np.maximum(reverted[idx], 0)])
        w = words[idx].tolist()
        return [
            f"Bump lib-{x % 97} from 2.{x % 40}.0 to 2.{x % 40 + 1}.0"
            if b
            else (f'Revert "{tt}"' if rv >= 0 else t)
            for t, tt, x, b, rv in zip(
                base, target, w, bot_pr[idx].tolist(), reverted[idx].tolist(), strict=True
            )
        ]

    def pr_bodies(idx: np.ndarray) -> list[str]:
        """Bodies of PRs `idx`: a revert's is GitHub's `Reverts owner/repo#N`."""
        return [
            f"Reverts {repos[r]}#{number[rv]}" if rv >= 0 else b
            for b, r, rv in zip(
                body_of(body_code[idx]), repo[idx].tolist(), reverted[idx].tolist(), strict=True
            )
        ]

    def branches(idx: np.ndarray) -> list[str]:
        return [
            f"dependabot/npm_and_yarn/lib-{x % 97}.{x % 13}" if b else f"{acc.logins[a]}/change-{x}"
            for a, x, b in zip(
                author[idx].tolist(), words[idx].tolist(), bot_pr[idx].tolist(), strict=True
            )
        ]

    # -- write pull requests -------------------------------------------------------------------------
    label_refs = {
        name: {"id": 5_000_000 + k, "name": name, "color": color, "default": name == "bug"}
        for k, (name, color) in enumerate(LABELS.items())
    }
    label_sets = [
        [label_refs["bug"]],
        [label_refs["enhancement"]],
        [label_refs["tech-debt"]],
        [],
        [label_refs["dependencies"]],
        [label_refs["hotfix"], label_refs["bug"]],
        [label_refs["revert"]],
    ]
    pending: dict[int, list[Record]] = {}  # reviewers still requested on open PRs
    for j in np.flatnonzero((r_time >= end) & is_open[r_pr]).tolist():
        pending.setdefault(int(r_pr[j]), []).append(acc.refs[int(acc.of_person[r_reviewer[j]])])

    def older_pr(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec.update(
            updated_at=rec["created_at"],
            state="open",
            closed_at=None,
            merged_at=None,
            merge_commit_sha=None,
        )
        return rec

    w_pr = out.open(
        "pull_requests.jsonl", older=older_pr, breakage=Breakage("missing_primary_key", "id")
    )
    for sl in chunks(n):
        idx = np.arange(sl.start, sl.stop)
        cols = zip(
            idx.tolist(),
            pr_id[sl].tolist(),
            number[sl].tolist(),
            author[sl].tolist(),
            repo[sl].tolist(),
            is_open[sl].tolist(),
            is_merged[sl].tolist(),
            draft_now[sl].tolist(),
            label_kind[sl].tolist(),
            additions[sl].tolist(),
            deletions[sl].tolist(),
            changed_files[sl].tolist(),
            pr_titles(idx),
            pr_bodies(idx),
            branches(idx),
            iso_z(created[sl]),
            iso_z(updated[sl]),
            iso_z(closed_at[sl]),
            iso_z(merged_at[sl]),
            as_str(merge_sha[sl]),
            as_str(head_sha[sl]),
            strict=True,
        )
        recs = []
        for (
            i,
            pid,
            num,
            a,
            r,
            op,
            mg,
            dr,
            lk,
            add,
            dele,
            chf,
            title,
            body,
            br,
            cr_s,
            up_s,
            cl_s,
            mg_s,
            msha,
            hsha,
        ) in cols:
            full = repos[r]
            recs.append(
                {
                    "url": f"{API}/repos/{full}/pulls/{num}",
                    "id": pid,
                    "node_id": f"PR_kwDO{pid:x}",
                    "html_url": f"{WEB}/{full}/pull/{num}",
                    "number": num,
                    "state": "open" if op else "closed",
                    "title": title,
                    "user": acc.refs[a],
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
                    "head": {
                        "label": f"{GITHUB_ORG}:{br}",
                        "ref": br,
                        "sha": hsha,
                        "repo": repo_refs[r],
                    },
                    "base": {
                        "label": f"{GITHUB_ORG}:main",
                        "ref": "main",
                        "sha": base_sha[r],
                        "repo": repo_refs[r],
                    },
                    "additions": add,
                    "deletions": dele,
                    "changed_files": chf,
                }
            )
        w_pr.write(recs)

    # -- write commits: one row per (PR, commit), chronological within each PR ---------------------
    w_commits = out.open("commits.jsonl")
    kept = np.flatnonzero(c_keep)
    msg_code = text_codes(rng, len(c_pr))
    for sl in chunks(len(kept)):
        j = kept[sl]
        i = c_pr[j]
        parent = np.where(c_k[j] > 0, j - 1, -1)
        parents = as_str(c_sha[np.maximum(parent, 0)])
        recs = []
        for pi, a, r, sha, par, has_par, date_s, msg in zip(
            pr_id[i].tolist(),
            author[i].tolist(),
            repo[i].tolist(),
            as_str(c_sha[j]),
            parents,
            (parent >= 0).tolist(),
            iso_z(c_time[j]),
            title_of(msg_code[j]),
            strict=True,
        ):
            full = repos[r]
            who = {"name": acc.names[a], "email": acc.commit_email[a], "date": date_s}
            recs.append(
                {
                    "sha": sha,
                    "node_id": f"C_kwDO{sha[:12]}",
                    "pull_request_id": pi,
                    "commit": {
                        "author": who,
                        "committer": who,
                        "message": msg,
                        "tree": {"sha": sha[::-1]},
                        "comment_count": 0,
                    },
                    "url": f"{API}/repos/{full}/commits/{sha}",
                    "html_url": f"{WEB}/{full}/commit/{sha}",
                    "author": acc.refs[a],
                    "committer": acc.refs[a],
                    "parents": [{"sha": par if has_par else base_sha[r]}],
                }
            )
        w_commits.write(recs)

    # -- write reviews: humans and the bot comments, by submission time ----------------------------
    rv_pr = np.r_[r_pr[r_keep], bot_rev_pr]
    rv_time = np.r_[r_time[r_keep], bot_rev_time]
    rv_acc = np.r_[
        acc.of_person[r_reviewer[r_keep]],
        np.where(rng.random(len(bot_rev_pr)) < 0.5, acc.bot(DEPENDABOT), acc.bot(RENOVATE)),
    ]
    rv_state = np.r_[r_state[r_keep], np.full(len(bot_rev_pr), "COMMENTED")]
    o = np.argsort(rv_time, kind="stable")
    rv_pr, rv_time, rv_acc, rv_state = rv_pr[o], rv_time[o], rv_acc[o], rv_state[o]
    rv_id = increasing_ids(rng, rv_time, 2_100_000_000, 20)
    # the commit reviewed is the PR's latest commit pushed before the review
    rv_commit = np.searchsorted(time_key(c_pr, c_time), time_key(rv_pr, rv_time), side="right") - 1
    rv_commit = np.maximum(rv_commit, (np.cumsum(n_commits) - n_commits)[rv_pr])
    rv_body = text_codes(rng, len(rv_pr))
    w_rev = out.open("reviews.jsonl")
    for sl in chunks(len(rv_pr)):
        i = rv_pr[sl]
        recs = []
        for rid, pi, num, r, a, state, sha, sub, body in zip(
            rv_id[sl].tolist(),
            pr_id[i].tolist(),
            number[i].tolist(),
            repo[i].tolist(),
            rv_acc[sl].tolist(),
            rv_state[sl].tolist(),
            as_str(c_sha[rv_commit[sl]]),
            iso_z(rv_time[sl]),
            body_of(rv_body[sl]),
            strict=True,
        ):
            recs.append(
                {
                    "id": rid,
                    "node_id": f"PRR_kwDO{rid:x}",
                    "pull_request_id": pi,
                    "user": acc.refs[a],
                    "body": "" if state == "APPROVED" and rid % 3 else body,
                    "state": state,
                    "html_url": f"{WEB}/{repos[r]}/pull/{num}#pullrequestreview-{rid}",
                    "commit_id": sha,
                    "author_association": "NONE" if acc.is_bot[a] else "MEMBER",
                    "submitted_at": sub,
                }
            )
        w_rev.write(recs)

    _timeline_events(
        org, out, acc, repos, pr_id, repo, author, ready, draft_first, r_pr, r_reviewer, r_k
    )

    # -- planted fact 1: pickup time per team, measured on what was written -----------------------
    human = ~acc.is_bot[rv_acc]
    first_rev = np.full(n, NA, dtype=np.int64)
    uniq, first_pos = np.unique(rv_pr[human], return_index=True)  # rv_* is time-sorted
    first_rev[uniq] = rv_time[human][first_pos]
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

    deps = _deployments(
        org, rng, out, acc, repos, repo_refs, repo_team, merged_at, merge_sha, repo, hotfix
    )
    _workflow_runs(
        org,
        rng,
        out,
        acc,
        repos,
        repo_refs,
        repo_team,
        created,
        author,
        c_pr,
        c_time,
        c_sha,
        c_keep,
        merged_at,
        merge_sha,
        repo,
        pr_titles,
        branches,
    )
    # The repositories themselves, as GET /orgs/{org}/repos lists them (opened
    # last: a file opened earlier would change the defects of the files after it).
    out.open("repositories.jsonl").write(
        [{**ref, "archived": False, "default_branch": "main"} for ref in repo_refs]
    )
    return deps


def _deployments(
    org: Org,
    rng: np.random.Generator,
    out: ToolOutput,
    acc: Accounts,
    repos: list[str],
    repo_refs: list[Record],
    repo_team: np.ndarray,
    merged_at: np.ndarray,
    merge_sha: np.ndarray,
    pr_repo: np.ndarray,
    hotfix: np.ndarray,
) -> Deployments:
    """Deployments follow merges: each deploys the latest merge commit of its repository."""
    clock, end, W = org.clock, org.end, org.weeks
    R = len(repos)
    week0 = org.week_starts()
    lead_cal = org.cal[np.array([org.teams[int(t)].manager for t in repo_team], dtype=np.int64)]
    deployer = acc.bot(DEPLOYER)

    # candidate times: a few production and more staging deploys per repo-week
    rate = rng.uniform(2.0, 7.0, R)
    parts = []
    for env, mult in ((PROD, 1.0), (STAGING, 1.6)):
        c = rng.poisson(rate[:, None] * mult, (R, W)).ravel()
        rr = np.repeat(np.repeat(np.arange(R), W), c)
        ww = np.repeat(np.tile(np.arange(W), R), c)
        parts.append(
            (
                rr,
                np.full(len(rr), env),
                clock.random_in(rng, lead_cal[rr], week0[ww], week0[ww] + 7 * DAY),
            )
        )
    d_repo = np.concatenate([p[0] for p in parts])
    d_env = np.concatenate([p[1] for p in parts])
    d_time = np.concatenate([p[2] for p in parts])

    # the PR whose merge commit each candidate ships: the latest merged before it;
    # a candidate with nothing new since the previous deploy is dropped
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
    keep = (pr_of >= 0) & ~(same & (pr_of == np.r_[-1, pr_of[:-1]])) & (d_time < end)
    d_repo, d_env, d_time, pr_of = d_repo[keep], d_env[keep], d_time[keep], pr_of[keep]

    # hotfixes go to production straight after their merge
    hf = np.flatnonzero(hotfix & (merged_at != NA))
    hf_time = merged_at[hf] + rng.integers(600, 1800, len(hf))
    hf = hf[hf_time < end]
    d_repo = np.r_[d_repo, pr_repo[hf]]
    d_env = np.r_[d_env, np.full(len(hf), PROD)]
    d_time = np.r_[d_time, hf_time[hf_time < end]]
    pr_of = np.r_[pr_of, hf]
    d_sha = merge_sha[pr_of]
    d_task = np.full(len(d_repo), "deploy", dtype=object)
    d_creator = np.full(len(d_repo), deployer, dtype=np.int64)
    n0 = len(d_repo)
    d_success = rng.random(n0) >= 0.05
    d_fin = d_time + np.maximum(60, lognormal_hours(rng, 7 / 60, 0.5, n0) * 3600).astype(np.int64)

    # retries of failed production deployments, same sha
    retry = np.flatnonzero(~d_success & (d_env == PROD) & (rng.random(n0) < 0.7))
    rt_time = d_fin[retry] + rng.integers(600, 2400, len(retry))

    # the planted deployment: successful, production, in the middle third of the
    # window, with no other production deployment of its repo from 2 h before to
    # 4 h after it finished
    prod = np.flatnonzero(d_env == PROD)
    prod = prod[np.lexsort((d_time[prod], d_repo[prod]))]
    p_repo, p_time = d_repo[prod], d_time[prod]
    prev_ok = np.r_[True, (p_repo[1:] != p_repo[:-1]) | (p_time[1:] - p_time[:-1] > 2 * 3600)]
    next_ok = np.r_[(p_repo[1:] != p_repo[:-1]) | (p_time[1:] > d_fin[prod][:-1] + 4 * 3600), True]
    mid_lo = org.start + (end - org.start) // 3
    mid_hi = org.start + 2 * (end - org.start) // 3
    cand = prod[prev_ok & next_ok & d_success[prod] & (p_time >= mid_lo) & (p_time < mid_hi)]
    preferred = cand[repo_team[d_repo[cand]] != org.slow_review_team]
    preferred = preferred if len(preferred) else cand
    planted = int(preferred[int(rng.integers(0, len(preferred)))]) if len(preferred) else -1

    # rollbacks: redeploy the previous successful production sha (never near the planted one)
    po = prod[d_success[prod]]
    rb_pick = np.r_[False, d_repo[po[1:]] == d_repo[po[:-1]]] & (rng.random(len(po)) < 0.025)
    if planted >= 0:
        rb_pick &= ~(
            (d_repo[po] == d_repo[planted]) & (np.abs(d_time[po] - d_time[planted]) < 2 * DAY)
        )
    rb_src = po[rb_pick]
    rb_prev = po[np.flatnonzero(rb_pick) - 1]
    rb_time = d_fin[rb_src] + np.maximum(
        600, lognormal_hours(rng, 0.7, 0.6, len(rb_src)) * 3600
    ).astype(np.int64)
    rb_creator = np.empty(len(rb_src), dtype=np.int64)  # an engineer of the owning team
    for k, r in enumerate(d_repo[rb_src].tolist()):
        mem = org.teams[int(repo_team[r])].members
        rb_creator[k] = acc.of_person[int(mem[int(rng.integers(0, len(mem)))])]

    ne = len(retry) + len(rb_src)
    d_repo = np.r_[d_repo, d_repo[retry], d_repo[rb_src]]
    d_env = np.r_[d_env, np.full(ne, PROD)]
    d_time = np.r_[d_time, rt_time, rb_time]
    d_sha = np.r_[d_sha, d_sha[retry], d_sha[rb_prev]]
    d_task = np.r_[
        d_task,
        np.full(len(retry), "deploy", dtype=object),
        np.full(len(rb_src), "deploy:rollback", dtype=object),
    ]
    d_creator = np.r_[d_creator, np.full(len(retry), deployer), rb_creator]
    d_success = np.r_[d_success, rng.random(ne) >= 0.05]
    d_fin = np.r_[
        d_fin,
        d_time[n0:] + np.maximum(60, lognormal_hours(rng, 7 / 60, 0.5, ne) * 3600).astype(np.int64),
    ]

    idx = np.flatnonzero(d_time < end)
    idx = idx[np.argsort(d_time[idx], kind="stable")]
    planted_row = int(np.flatnonzero(idx == planted)[0]) if planted >= 0 else -1
    d_repo, d_env, d_time, d_sha = d_repo[idx], d_env[idx], d_time[idx], d_sha[idx]
    d_task, d_creator, d_success, d_fin = d_task[idx], d_creator[idx], d_success[idx], d_fin[idx]
    nd = len(d_repo)
    d_id = increasing_ids(rng, d_time, 1_200_000_000, 25)
    started = d_time + rng.integers(5, 30, nd)
    fin = np.where(d_fin < end, d_fin, NA)
    d_updated = np.where(fin != NA, fin, started).clip(max=end - 1)

    def older_dep(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["updated_at"] == rec["created_at"]:
            return None
        rec["updated_at"] = rec["created_at"]
        return rec

    w_dep = out.open("deployments.jsonl", older=older_dep)
    for sl in chunks(nd):
        recs = []
        for did, r, env_i, task, sha, creator, cr_s, up_s in zip(
            d_id[sl].tolist(),
            d_repo[sl].tolist(),
            d_env[sl].tolist(),
            d_task[sl].tolist(),
            as_str(d_sha[sl]),
            d_creator[sl].tolist(),
            iso_z(d_time[sl]),
            iso_z(d_updated[sl]),
            strict=True,
        ):
            full = repos[r]
            env = ENVIRONMENTS[env_i]
            recs.append(
                {
                    "url": f"{API}/repos/{full}/deployments/{did}",
                    "id": did,
                    "node_id": f"DE_kwDO{did:x}",
                    "task": task,
                    "original_environment": env,
                    "environment": env,
                    "description": "Roll back to the last good release"
                    if task == "deploy:rollback"
                    else f"Deploy {sha[:7]} to {env}",
                    "created_at": cr_s,
                    "updated_at": up_s,
                    "statuses_url": f"{API}/repos/{full}/deployments/{did}/statuses",
                    "repository": repo_refs[r],
                    "creator": acc.refs[creator],
                    "sha": sha,
                    "ref": "main" if task == "deploy" else sha,
                    "payload": {"triggered_by": "ci" if task == "deploy" else "manual"},
                }
            )
        w_dep.write(recs)

    # statuses: in_progress, then success/failure once finished before the export
    done = fin != NA
    s_dep = np.r_[np.arange(nd), np.flatnonzero(done)]
    s_time = np.r_[started, fin[done]]
    s_state = np.r_[
        np.full(nd, "in_progress", dtype=object),
        np.where(d_success[done], "success", "failure").astype(object),
    ]
    o = np.argsort(s_time, kind="stable")
    o = o[s_time[o] < end]
    s_dep, s_time, s_state = s_dep[o], s_time[o], s_state[o]
    s_id = increasing_ids(rng, s_time, 3_400_000_000, 20)
    deployer_ref = acc.refs[deployer]
    w_st = out.open("deployment_statuses.jsonl")
    for sl in chunks(len(s_dep)):
        i = s_dep[sl]
        recs = []
        for sid, did, r, state, ts in zip(
            s_id[sl].tolist(),
            d_id[i].tolist(),
            d_repo[i].tolist(),
            s_state[sl].tolist(),
            iso_z(s_time[sl]),
            strict=True,
        ):
            full = repos[r]
            recs.append(
                {
                    "url": f"{API}/repos/{full}/deployments/{did}/statuses/{sid}",
                    "id": sid,
                    "node_id": f"DES_kwDO{sid:x}",
                    "deployment_id": did,
                    "state": state,
                    "creator": deployer_ref,
                    "description": "Deployment started"
                    if state == "in_progress"
                    else "Deployment finished",
                    "environment_url": f"https://{full[len(GITHUB_ORG) + 1 :]}.{DOMAIN}",
                    "log_url": f"{WEB}/{full}/actions/runs/{sid}",
                    "created_at": ts,
                }
            )
        w_st.write(recs)

    return Deployments(
        id=d_id,
        repo=d_repo,
        env=d_env,
        created=d_time,
        finished=fin,
        success=d_success,
        sha=d_sha,
        repos=repos,
        repo_team=repo_team,
        planted=planted_row,
    )


def _workflow_runs(
    org: Org,
    rng: np.random.Generator,
    out: ToolOutput,
    acc: Accounts,
    repos: list[str],
    repo_refs: list[Record],
    repo_team: np.ndarray,
    created: np.ndarray,
    author: np.ndarray,
    c_pr: np.ndarray,
    c_time: np.ndarray,
    c_sha: np.ndarray,
    c_keep: np.ndarray,
    merged_at: np.ndarray,
    merge_sha: np.ndarray,
    repo: np.ndarray,
    pr_titles: TextOf,
    branches: TextOf,
) -> None:
    """CI: one run per push to a PR branch, one per merge to main, a weekly scheduled scan."""
    end = org.end
    # pushes: the commit the PR was opened with, and each commit pushed after that
    opened_with = np.r_[(c_pr[1:] != c_pr[:-1]) | (c_time[1:] >= created[c_pr[1:]]), True] & (
        c_time < created[c_pr]
    )
    p_idx = np.flatnonzero(c_keep & ((c_time >= created[c_pr]) | opened_with))
    merged = np.flatnonzero(merged_at != NA)
    week0 = org.week_starts()
    R = len(repos)
    s_repo = np.repeat(np.arange(R), len(week0))
    team_manager = np.array([t.manager for t in org.teams], dtype=np.int64)

    run_pr = np.r_[c_pr[p_idx], merged, np.full(len(s_repo), -1)]
    run_time = np.r_[
        np.maximum(c_time[p_idx], created[c_pr[p_idx]]) + rng.integers(5, 60, len(p_idx)),
        merged_at[merged] + rng.integers(5, 60, len(merged)),
        np.tile(week0, R) + 3 * 3600 + rng.integers(0, 600, len(s_repo)),
    ]
    run_sha = np.r_[c_sha[p_idx], merge_sha[merged], hex_ids(rng, len(s_repo))]
    run_event = np.r_[
        np.zeros(len(p_idx), np.int64), np.ones(len(merged), np.int64), np.full(len(s_repo), 2)
    ]
    run_repo = np.r_[repo[c_pr[p_idx]], repo[merged], s_repo]
    run_actor = np.r_[
        author[c_pr[p_idx]], author[merged], acc.of_person[team_manager[repo_team[s_repo]]]
    ]
    o = np.flatnonzero(run_time < end)
    o = o[np.argsort(run_time[o], kind="stable")]
    run_pr, run_time, run_sha, run_event, run_repo, run_actor = (
        run_pr[o],
        run_time[o],
        run_sha[o],
        run_event[o],
        run_repo[o],
        run_actor[o],
    )
    m = len(run_pr)
    run_id = increasing_ids(rng, run_time, 9_800_000_000, 40)
    started = run_time + rng.integers(2, 90, m)
    duration = np.maximum(30, lognormal_hours(rng, 6 / 60, 0.6, m) * 3600).astype(np.int64)
    u = rng.random(m)
    conclusion = np.where(u < 0.87, "success", np.where(u < 0.97, "failure", "cancelled")).astype(
        object
    )
    attempt = np.where(
        (conclusion == "failure") & (rng.random(m) < 0.3), 2, 1
    )  # re-run keeps the id
    conclusion = np.where((attempt == 2) & (rng.random(m) < 0.7), "success", conclusion)
    finished = started + duration * attempt + (attempt - 1) * 300
    status = np.where(
        finished < end, "completed", np.where(started < end, "in_progress", "queued")
    ).astype(object)
    conclusion = np.where(status == "completed", conclusion, None)
    updated = np.minimum(
        np.where(
            status == "completed", finished, np.where(status == "in_progress", started, run_time)
        ),
        end - 1,
    )
    names = ("CI", "CI", "Security scan")
    events = ("pull_request", "push", "schedule")

    def older_run(rec: Record, rng_: np.random.Generator) -> Record | None:
        if rec["status"] != "completed":
            return None
        rec.update(status="in_progress", conclusion=None, updated_at=rec["run_started_at"])
        return rec

    w = out.open("workflow_runs.jsonl", older=older_run)
    for sl in chunks(m):
        pr = run_pr[sl]
        has_pr = pr >= 0
        titles = pr_titles(np.maximum(pr, 0))
        branch = branches(np.maximum(pr, 0))
        recs = []
        for rid, hp, r, ev, a, sha, st, concl, att, cr_s, st_s, up_s, title, br in zip(
            run_id[sl].tolist(),
            has_pr.tolist(),
            run_repo[sl].tolist(),
            run_event[sl].tolist(),
            run_actor[sl].tolist(),
            as_str(run_sha[sl]),
            status[sl].tolist(),
            conclusion[sl].tolist(),
            attempt[sl].tolist(),
            iso_z(run_time[sl]),
            iso_z(np.minimum(started[sl], end - 1)),
            iso_z(updated[sl]),
            titles,
            branch,
            strict=True,
        ):
            full = repos[r]
            title = title if hp else "Weekly dependency and secret scan"
            recs.append(
                {
                    "id": rid,
                    "name": names[ev],
                    "node_id": f"WFR_kwLO{rid:x}",
                    "head_branch": br if ev == 0 else "main",
                    "head_sha": sha,
                    "display_title": title,
                    "event": events[ev],
                    "status": st,
                    "conclusion": concl,
                    "url": f"{API}/repos/{full}/actions/runs/{rid}",
                    "html_url": f"{WEB}/{full}/actions/runs/{rid}",
                    "created_at": cr_s,
                    "updated_at": up_s,
                    "run_attempt": att,
                    "run_started_at": st_s,
                    "actor": acc.refs[a],
                    "triggering_actor": acc.refs[a],
                    "head_commit": {
                        "id": sha,
                        "message": title,
                        "author": {"name": acc.names[a], "email": acc.commit_email[a]},
                    },
                    "repository": repo_refs[r],
                }
            )
        w.write(recs)


def _timeline_events(
    org: Org,
    out: ToolOutput,
    acc: Accounts,
    repos: list[str],
    pr_id: np.ndarray,
    repo: np.ndarray,
    author: np.ndarray,
    ready: np.ndarray,
    draft_first: np.ndarray,
    r_pr: np.ndarray,
    r_reviewer: np.ndarray,
    r_k: np.ndarray,
) -> None:
    """Issue timeline events of each PR (GET /issues/{n}/timeline), the two the policy reads:
    `ready_for_review` when a draft is marked ready, and `review_requested` for each planned
    reviewer, requested by the author when the PR is ready (opened, or marked ready).

    Own RNG stream, so adding this file left every other file byte-identical."""
    rng = np.random.default_rng([org.seed, SALT, 2])
    end = org.end
    rf_pr = np.flatnonzero(draft_first & (ready < end))
    rq_time = ready[r_pr] + 2 + r_k  # requested together, one after the other
    rq_keep = np.flatnonzero(rq_time < end)
    e_pr = np.r_[rf_pr, r_pr[rq_keep]]
    e_time = np.r_[ready[rf_pr], rq_time[rq_keep]]
    e_reviewer = np.r_[np.full(len(rf_pr), -1), acc.of_person[r_reviewer[rq_keep]]]
    o = np.lexsort((e_reviewer, e_time))
    e_pr, e_time, e_reviewer = e_pr[o], e_time[o], e_reviewer[o]
    e_id = increasing_ids(rng, e_time, 15_000_000_000, 30)
    w = out.open("timeline_events.jsonl")
    for sl in chunks(len(e_pr)):
        i = e_pr[sl]
        recs = []
        for eid, pi, r, a, rv, ts in zip(
            e_id[sl].tolist(),
            pr_id[i].tolist(),
            repo[i].tolist(),
            author[i].tolist(),
            e_reviewer[sl].tolist(),
            iso_z(e_time[sl]),
            strict=True,
        ):
            rec: Record = {
                "id": eid,
                "node_id": f"{'RRE' if rv >= 0 else 'RFRE'}_kwDO{eid:x}",
                "url": f"{API}/repos/{repos[r]}/issues/events/{eid}",
                "actor": acc.refs[a],
                "event": "review_requested" if rv >= 0 else "ready_for_review",
                "commit_id": None,
                "commit_url": None,
                "created_at": ts,
                "performed_via_github_app": None,
                "pull_request_id": pi,
            }
            if rv >= 0:
                rec["review_requester"] = acc.refs[a]
                rec["requested_reviewer"] = acc.refs[rv]
            recs.append(rec)
        w.write(recs)
