"""Read a local git repository into arrow tables of *git fields*.

Two git processes carry all the data, whatever the repository's size:

    git log --topo-order --branches --remotes --tags [HEAD] -z --format=...   commits
    git for-each-ref refs/tags --format=...                                   tags

plus a handful of small lookups (`rev-parse`, `symbolic-ref` for the default
branch, `config` for the origin URL, `check-mailmap` for taggers, `cat-file`
for tags of tags), a few milliseconds each. Everything else (the
first-parent main line, which commits a merge brought in, pull request numbers
in subjects, the first release tag that contains each commit) is computed here
in Python.

The output is a set of *streams* (`STREAMS`), each an arrow table whose column
names are the git fields a policy `path` may name. Some fields are sensitive
(`author.email`, `subject`): they exist only in memory, and `pipelines.git.policy`
lets through nothing the collection policy does not list. Names and message
bodies are never even read (the format asks for `%aE`, not `%aN` or `%b`).

Which refs: branches, remote-tracking branches, tags and HEAD. Not `--all`,
which would add stash commits (`refs/stash`, local work in progress), notes,
and in GitHub mirror clones the synthetic test merges of every open pull
request (`refs/pull/*/merge`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from outcomes.errors import OutcomesError

# Default: a release tag names a version (v1.2, 1.2.3, v10.0.1).
DEFAULT_RELEASE_TAG_PATTERN = r"^v?\d+\.\d+(\.\d+)?$"

# Stream names are the `file:` values of pipelines/git/policy.yml.
STREAM_COMMITS = "log"
STREAM_PULL_REQUESTS = "log/pull_requests"
STREAM_PULL_REQUEST_COMMITS = "log/pull_request_commits"
STREAM_TAGS = "for-each-ref/tags"
STREAM_REPOSITORIES = "repository"

# Dates are git's epoch seconds as git wrote them, whatever their size: a
# commit object can carry year 9999, 0 or twenty digits. Arrow's seconds hold
# any 64-bit number (a number past 64 bits is read as the nearest 64-bit
# value, out of range either way); the cast to the microseconds that land,
# which overflows past year 294,247, happens in pipelines.git.policy, after
# the range check has sent such records to quarantine.
_S = pa.timestamp("s")
_INT64 = (-(2**63), 2**63 - 1)
STREAMS: dict[str, pa.Schema] = {
    STREAM_COMMITS: pa.schema(
        [
            ("repository", pa.string()),
            ("sha", pa.string()),  # %H
            ("parents", pa.list_(pa.string())),  # %P
            ("first_parent", pa.string()),
            ("is_merge", pa.bool_()),  # two or more parents
            ("author.email", pa.string()),  # %aE (after .mailmap)
            ("author.date", _S),  # %at: UTC, offsets honoured by git
            ("committer.email", pa.string()),  # %cE
            ("committer.date", _S),  # %ct
            ("subject", pa.string()),  # %s (first paragraph of the message)
            ("subject.pull_request_number", pa.int64()),
            ("subject.reverted_pull_request_number", pa.int64()),
            ("is_on_main_line", pa.bool_()),
            # The release tag first (by tag date, then name) whose commit
            # contains this one (git ancestry): the release that shipped it.
            ("first_release_tag", pa.string()),
        ]
    ),
    STREAM_PULL_REQUESTS: pa.schema(
        [
            ("repository", pa.string()),
            ("pull_request_number", pa.int64()),
            ("commit.sha", pa.string()),  # the merge or squash commit
            ("merge_method", pa.string()),  # merge | squash
            ("commit.committer.date", _S),  # merged_at
            ("commit.is_on_main_line", pa.bool_()),
            ("is_canonical", pa.bool_()),
            ("commit_count", pa.int64()),
            ("first_authored_at", _S),
        ]
    ),
    STREAM_PULL_REQUEST_COMMITS: pa.schema(
        [
            ("repository", pa.string()),
            ("merge.sha", pa.string()),
            ("merge.pull_request_number", pa.int64()),
            ("merge.is_canonical", pa.bool_()),
            ("sha", pa.string()),
            ("author.date", _S),
            ("committer.date", _S),
        ]
    ),
    STREAM_TAGS: pa.schema(
        [
            ("repository", pa.string()),
            ("name", pa.string()),  # %(refname:strip=2)
            ("commit.sha", pa.string()),  # peeled to the commit
            ("is_annotated", pa.bool_()),
            ("tagger.email", pa.string()),  # %(taggeremail), after .mailmap
            ("date", _S),  # tagger date, else the commit's
        ]
    ),
    STREAM_REPOSITORIES: pa.schema(
        [
            ("repository", pa.string()),
            ("default_branch", pa.string()),
            ("default_branch.head_sha", pa.string()),
            ("is_shallow", pa.bool_()),
            ("commit_count", pa.int64()),
            ("tag_count", pa.int64()),
            ("release_tag_pattern", pa.string()),
        ]
    ),
}

_FIELD_SEP = "\x1f"
_LOG_FORMAT = "%H%x1f%P%x1f%aE%x1f%at%x1f%cE%x1f%ct%x1f%s"
_TAG_FORMAT = _FIELD_SEP.join(
    [
        "%(refname:strip=2)",
        "%(objecttype)",
        "%(objectname)",
        "%(*objectname)",
        "%(*objecttype)",
        "%(taggeremail)",
        "%(taggerdate:unix)",
    ]
)
# GitHub's "Create a merge commit" title, and the " (#123)" GitHub appends to a
# squash merge (or to a merge commit titled after the pull request).
_MERGE_PR = re.compile(r"^Merge pull request #(\d+) from ")
_TITLE_PR = re.compile(r"\(#(\d+)\)\s*$")
_REVERT = re.compile(r'^Revert "(.*)"\s*$')


@dataclass
class RepoRead:
    """One repository read: its streams (arrow tables of git fields) and facts."""

    name: str
    path: Path
    streams: dict[str, pa.Table]
    non_release_tags: int = 0


def _run(path: Path, args: tuple[str, ...], stdin: bytes | None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        # Do not walk up: a plain folder inside some other repository must fail,
        # not silently read the enclosing repository.
        "GIT_CEILING_DIRECTORIES": str(path.resolve().parent),
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
    }
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        env.pop(variable, None)
    try:
        return subprocess.run(
            [
                "git",
                "-C",
                str(path),
                "-c",
                "log.showSignature=false",
                "-c",
                "color.ui=false",
                *args,
            ],
            input=stdin,
            capture_output=True,
            env=env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise OutcomesError(
            "the git source needs the `git` command, which is not installed"
        ) from exc


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no message"


def git(path: Path, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    """Run git on exactly this repository (never a parent folder's); its stdout."""
    done = _run(path, args, stdin)
    if check and done.returncode != 0:
        raise OutcomesError(
            f"git repository {str(path)!r}: `git {' '.join(args[:2])}` failed: "
            f"{_last_line(done.stderr)}"
        )
    return done.stdout


def check_repository(path: Path) -> None:
    """Fail with the path named unless `path` is the top of a git repository."""
    if not path.exists():
        raise OutcomesError(f"git repository {str(path)!r} does not exist")
    if not path.is_dir():
        raise OutcomesError(f"git repository {str(path)!r} is not a folder")
    probe = _run(path, ("rev-parse", "--git-dir"), None)
    if probe.returncode != 0:
        raise OutcomesError(
            f"{str(path)!r} is not a git repository (expected the top folder of a clone or a "
            f"bare repository; git says: {_last_line(probe.stderr)})"
        )


def _rev(path: Path, ref: str) -> str | None:
    out = git(
        path,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        check=False,
    ).strip()
    return out.decode() or None


def default_branch(path: Path, explicit: str | None = None) -> tuple[str | None, str | None]:
    """(branch name, head sha) of the branch whose first-parent chain is the main line.

    An explicit name wins; then the remote's default (`origin/HEAD`, set by
    `git clone`); then what HEAD points at (right for bare and mirror clones);
    then `main` or `master`.
    """
    if explicit:
        for ref in (explicit, f"refs/heads/{explicit}", f"refs/remotes/origin/{explicit}"):
            sha = _rev(path, ref)
            if sha:
                return explicit, sha
        raise OutcomesError(f"git repository {str(path)!r}: default branch {explicit!r} not found")
    origin_head = (
        git(path, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False)
        .strip()
        .decode()
    )
    if origin_head and (sha := _rev(path, origin_head)):
        return origin_head.removeprefix("refs/remotes/origin/"), sha
    head = git(path, "symbolic-ref", "--quiet", "HEAD", check=False).strip().decode()
    if sha := _rev(path, "HEAD"):
        return (head.removeprefix("refs/heads/") if head else None), sha
    for name in ("main", "master"):
        if sha := _rev(path, f"refs/heads/{name}"):
            return name, sha
    return None, None


def repository_name(path: Path) -> str:
    """`owner/name` from the origin URL (as GitHub's `repository.full_name`),
    else the folder name. Only the path part of the URL is used: a URL can
    carry credentials (`https://user:token@host/...`), which never land."""
    url = git(path, "config", "--get", "remote.origin.url", check=False).strip().decode()
    match = re.match(r"^[a-z][a-z0-9+.-]*://[^/]+/(.+)$", url) or re.match(
        r"^[^/:@]+@[^/:]+:(.+)$", url
    )
    if match and not url.startswith("file://"):
        parts = [p for p in match.group(1).split("/") if p]
        if len(parts) >= 2:
            return "/".join(parts[-2:]).removesuffix(".git")
    name = path.resolve().name
    return name.removesuffix(".git") if name != ".git" else path.resolve().parent.name


def _pr_numbers(subject: str) -> tuple[int | None, int | None]:
    """(pull request the commit merges, pull request it reverts) from a subject."""
    if "#" not in subject:
        return None, None
    merged = _MERGE_PR.match(subject) or _TITLE_PR.search(subject)
    reverted = None
    if revert := _REVERT.match(subject):
        inner = revert.group(1)
        found = _MERGE_PR.match(inner) or _TITLE_PR.search(inner)
        reverted = int(found.group(1)) if found else None
    return (int(merged.group(1)) if merged else None), reverted


def brought_in(
    first: int | None,
    others: Sequence[int],
    parents: Sequence[Sequence[int]],
    generation: Sequence[int],
) -> list[int]:
    """Commits reachable from a merge's other parents but not from its first
    parent (`git rev-list M^1..M^2`): what the merge brought into its branch.

    Git's own walk: paint ancestors of the first parent 1 and of the others 2,
    highest generation first, so a commit's paint is final when it is taken
    off the queue; stop once no queued commit is painted 2 only. The cost is
    the commits above the merge base, not the whole history.
    """
    flags: dict[int, int] = {}
    for commit, paint in [*([(first, 1)] if first is not None else []), *((o, 2) for o in others)]:
        flags[commit] = flags.get(commit, 0) | paint
    heap = [(-generation[c], c) for c in flags]
    heapq.heapify(heap)
    only_two = sum(1 for f in flags.values() if f == 2)
    result = []
    while heap and only_two:
        _, commit = heapq.heappop(heap)
        paint = flags[commit]
        if paint == 2:
            only_two -= 1
            result.append(commit)
        for parent in parents[commit]:
            old = flags.get(parent, 0)
            new = old | paint
            if new == old:
                continue
            flags[parent] = new
            if old == 0:
                heapq.heappush(heap, (-generation[parent], parent))
                only_two += new == 2
            elif old == 2:
                only_two -= 1  # queued, and now reachable from the first parent too
    return result


def first_release_tags(
    tag_commits: Sequence[int],
    tag_names: Sequence[str],
    tag_dates: Sequence[int | None],
    parents: Sequence[Sequence[int]],
) -> list[str | None]:
    """For each commit, the first release tag whose commit contains it (is the
    commit or a descendant of it), as `git tag --contains` would list it: the
    release that shipped the commit. None where no release contains it.

    "First" is the earliest tag date, then the tag name. Tags are visited in
    that order and each walk stops at commits an earlier tag already holds:
    everything behind such a commit is held too. So every commit is visited
    once, whatever the number of tags: O(commits + parent links).
    """
    first: list[str | None] = [None] * len(parents)
    order = sorted(
        range(len(tag_commits)),
        key=lambda t: (tag_dates[t] is None, tag_dates[t] or 0, tag_names[t]),
    )
    for t in order:
        name = tag_names[t]
        stack = [tag_commits[t]]
        while stack:
            commit = stack.pop()
            if first[commit] is not None:
                continue
            first[commit] = name
            stack.extend(p for p in parents[commit] if first[p] is None)
    return first


def _seconds(text: str) -> int | None:
    """git's epoch seconds (`%at`, `%(taggerdate:unix)`), capped to 64 bits.

    Empty when git cannot read the date (a negative number in the object);
    None then, like anything that is not a number."""
    text = text.strip()
    if not text.lstrip("-").isdigit():
        return None
    return min(max(int(text), _INT64[0]), _INT64[1])


def _timestamps(seconds: list[int | None]) -> pa.Array:
    return pa.array(seconds, pa.int64()).cast(_S)


def read_repository(
    path: Path,
    release_tag_pattern: str = DEFAULT_RELEASE_TAG_PATTERN,
    branch: str | None = None,
    name: str | None = None,
) -> RepoRead:
    """Read one repository into its streams."""
    check_repository(path)
    try:
        release = re.compile(release_tag_pattern)
    except re.error as exc:
        raise OutcomesError(
            f"release tag pattern {release_tag_pattern!r} is not a valid regular expression: {exc}"
        ) from exc
    name = name or repository_name(path)
    main_branch, main_head = default_branch(path, branch)
    refs = ["--branches", "--remotes", "--tags"] + (["HEAD"] if _rev(path, "HEAD") else [])
    raw = git(
        path,
        "log",
        "--topo-order",
        "--no-color",
        "--no-decorate",
        "-z",
        f"--format={_LOG_FORMAT}",
        *refs,
        "--",
    )
    records = [r for r in raw.decode("utf-8", errors="replace").split("\0") if r]
    if not records:
        raise OutcomesError(f"git repository {str(path)!r} has no commits (empty repository)")

    shas, parent_text, author_email, author_at = [], [], [], []
    committer_email, committer_at, subjects = [], [], []
    for record in records:
        fields = record.split(_FIELD_SEP, 6)
        if len(fields) != 7:
            raise OutcomesError(f"git repository {str(path)!r}: unexpected `git log` output")
        shas.append(fields[0])
        parent_text.append(fields[1])
        author_email.append(fields[2] or None)
        author_at.append(_seconds(fields[3]))
        committer_email.append(fields[4] or None)
        committer_at.append(_seconds(fields[5]))
        subjects.append(fields[6])
    n = len(shas)
    index = {sha: i for i, sha in enumerate(shas)}
    parent_shas = [p.split() for p in parent_text]
    # Parents outside the read (shallow clones) are left out of the graph.
    parents = [[index[p] for p in ps if p in index] for ps in parent_shas]
    first = [index.get(ps[0]) if ps else None for ps in parent_shas]

    # --topo-order lists every commit before its parents: walk it backwards.
    generation = [0] * n
    for i in range(n - 1, -1, -1):
        generation[i] = 1 + max((generation[p] for p in parents[i]), default=0)

    on_main = [False] * n
    cursor = index.get(main_head) if main_head else None
    while cursor is not None:
        on_main[cursor] = True
        cursor = first[cursor]

    pr_number: list[int | None] = [None] * n
    reverted: list[int | None] = [None] * n
    for i, subject in enumerate(subjects):
        pr_number[i], reverted[i] = _pr_numbers(subject)

    pull_requests, pr_commits = _pull_requests(
        name,
        shas,
        parent_shas,
        index,
        parents,
        first,
        generation,
        pr_number,
        on_main,
        author_at,
        committer_at,
    )
    tags, non_release = _tags(path, name, index, committer_at, release)
    first_release = first_release_tags(
        [index[sha] for sha in tags.column("commit.sha").to_pylist()],
        tags.column("name").to_pylist(),
        tags.column("date").cast(pa.int64()).to_pylist(),  # seconds: any year
        parents,
    )
    commits = pa.table(
        {
            "repository": pa.array([name] * n, pa.string()),
            "sha": pa.array(shas, pa.string()),
            "parents": pa.array(parent_shas, pa.list_(pa.string())),
            "first_parent": pa.array([ps[0] if ps else None for ps in parent_shas], pa.string()),
            "is_merge": pa.array([len(ps) > 1 for ps in parent_shas], pa.bool_()),
            "author.email": pa.array(author_email, pa.string()),
            "author.date": _timestamps(author_at),
            "committer.email": pa.array(committer_email, pa.string()),
            "committer.date": _timestamps(committer_at),
            "subject": pa.array(subjects, pa.string()),
            "subject.pull_request_number": pa.array(pr_number, pa.int64()),
            "subject.reverted_pull_request_number": pa.array(reverted, pa.int64()),
            "is_on_main_line": pa.array(on_main, pa.bool_()),
            "first_release_tag": pa.array(first_release, pa.string()),
        },
        schema=STREAMS[STREAM_COMMITS],
    )
    repository = pa.table(
        {
            "repository": [name],
            "default_branch": [main_branch],
            "default_branch.head_sha": [main_head],
            "is_shallow": [git(path, "rev-parse", "--is-shallow-repository").strip() == b"true"],
            "commit_count": [n],
            "tag_count": [tags.num_rows],
            "release_tag_pattern": [release_tag_pattern],
        },
        schema=STREAMS[STREAM_REPOSITORIES],
    )
    return RepoRead(
        name=name,
        path=path,
        streams={
            STREAM_COMMITS: commits,
            STREAM_PULL_REQUESTS: pull_requests,
            STREAM_PULL_REQUEST_COMMITS: pr_commits,
            STREAM_TAGS: tags,
            STREAM_REPOSITORIES: repository,
        },
        non_release_tags=non_release,
    )


def _pull_requests(
    name: str,
    shas: list[str],
    parent_shas: list[list[str]],
    index: dict[str, int],
    parents: list[list[int]],
    first: list[int | None],
    generation: list[int],
    pr_number: list[int | None],
    on_main: list[bool],
    author_at: list[int | None],
    committer_at: list[int | None],
) -> tuple[pa.Table, pa.Table]:
    """One row per commit that merges a pull request, and the commits of each.

    A merge commit's pull request commits are what it brought in; a squash
    commit is its own (and only) commit. When several commits name the same
    number (a squash commit cherry-picked to a release branch), the canonical
    one is on the main line if any, else the earliest committed.
    """
    named = [i for i, number in enumerate(pr_number) if number is not None]
    members_of: dict[int, list[int]] = {}
    for i in named:
        if len(parent_shas[i]) > 1:
            others = [index[p] for p in parent_shas[i][1:] if p in index]
            members_of[i] = brought_in(first[i], others, parents, generation)
    # A single commit titled "... (#N)" that a pull request merge brought in is
    # a commit inside that pull request (often naming an issue), not a squash
    # merge: it merges nothing, so it loses the number (pr_number is updated).
    inside = {m for members in members_of.values() for m in members}
    for i in named:
        if i not in members_of and i in inside:
            pr_number[i] = None
    rows: dict[str, list] = {k: [] for k in STREAMS[STREAM_PULL_REQUESTS].names}
    links: dict[str, list] = {k: [] for k in STREAMS[STREAM_PULL_REQUEST_COMMITS].names}
    best: dict[int, tuple] = {}
    for i in named:
        if pr_number[i] is None:
            continue
        is_merge = i in members_of
        members = members_of[i] if is_merge else [i]
        authored = [author_at[m] for m in members if author_at[m] is not None]
        rows["repository"].append(name)
        rows["pull_request_number"].append(pr_number[i])
        rows["commit.sha"].append(shas[i])
        rows["merge_method"].append("merge" if is_merge else "squash")
        rows["commit.committer.date"].append(committer_at[i])
        rows["commit.is_on_main_line"].append(on_main[i])
        rows["commit_count"].append(len(members))
        rows["first_authored_at"].append(min(authored) if authored else None)
        rank = (not on_main[i], committer_at[i] or 0, shas[i])
        if pr_number[i] not in best or rank < best[pr_number[i]]:
            best[pr_number[i]] = rank
        for m in members:
            links["repository"].append(name)
            links["merge.sha"].append(shas[i])
            links["merge.pull_request_number"].append(pr_number[i])
            links["sha"].append(shas[m])
            links["author.date"].append(author_at[m])
            links["committer.date"].append(committer_at[m])
    canonical = {rank[2] for rank in best.values()}
    rows["is_canonical"] = [sha in canonical for sha in rows["commit.sha"]]
    links["merge.is_canonical"] = [sha in canonical for sha in links["merge.sha"]]
    for column in ("commit.committer.date", "first_authored_at"):
        rows[column] = _timestamps(rows[column])
    for column in ("author.date", "committer.date"):
        links[column] = _timestamps(links[column])
    return (
        pa.table(rows, schema=STREAMS[STREAM_PULL_REQUESTS]),
        pa.table(links, schema=STREAMS[STREAM_PULL_REQUEST_COMMITS]),
    )


def _tags(
    path: Path,
    name: str,
    index: dict[str, int],
    committer_at: list[int | None],
    release: re.Pattern[str],
) -> tuple[pa.Table, int]:
    """Release tags, peeled to their commit; the number of other tags (not kept)."""
    raw = git(path, "for-each-ref", f"--format={_TAG_FORMAT}", "refs/tags")
    entries = [
        line.split(_FIELD_SEP)
        for line in raw.decode("utf-8", errors="replace").splitlines()
        if line
    ]
    kept = [e for e in entries if len(e) == 7 and release.search(e[0])]
    # A tag of a tag: peel the rest of the way with one batch lookup.
    nested = [e[0] for e in kept if e[1] == "tag" and e[4] == "tag"]
    peeled: dict[str, str] = {}
    if nested:
        out = git(
            path,
            "cat-file",
            "--batch-check=%(objectname) %(objecttype)",
            stdin="".join(f"refs/tags/{t}^{{commit}}\n" for t in nested).encode(),
        )
        for tag, line in zip(nested, out.decode().splitlines(), strict=True):
            sha, _, kind = line.partition(" ")
            if kind == "commit":
                peeled[tag] = sha
    taggers = sorted({e[5] for e in kept if e[1] == "tag" and e[5]})
    mailmap = dict(zip(taggers, _check_mailmap(path, taggers), strict=True)) if taggers else {}
    rows: dict[str, list] = {k: [] for k in STREAMS[STREAM_TAGS].names}
    for tag, kind, sha, star_sha, star_kind, tagger, tagger_at in kept:
        annotated = kind == "tag"
        commit = (
            sha if kind == "commit" else (star_sha if star_kind == "commit" else peeled.get(tag))
        )
        if commit is None or commit not in index:
            continue  # a tag of a tree or blob: not a release of code
        rows["repository"].append(name)
        rows["name"].append(tag)
        rows["commit.sha"].append(commit)
        rows["is_annotated"].append(annotated)
        rows["tagger.email"].append(mailmap.get(tagger) if annotated else None)
        tagged = _seconds(tagger_at) if annotated else None
        rows["date"].append(tagged if tagged is not None else committer_at[index[commit]])
    rows["date"] = _timestamps(rows["date"])
    return pa.table(rows, schema=STREAMS[STREAM_TAGS]), len(entries) - len(kept)


def _check_mailmap(path: Path, contacts: list[str]) -> list[str | None]:
    """Canonical emails for `<email>` contacts under the repository's .mailmap."""
    out = git(path, "check-mailmap", "--stdin", stdin="".join(f"{c}\n" for c in contacts).encode())
    emails = []
    for line in out.decode("utf-8", errors="replace").splitlines():
        match = re.search(r"<([^<>]*)>\s*$", line)
        emails.append(match.group(1) or None if match else None)
    return emails


def read_repositories(
    paths: Sequence[Path],
    release_tag_pattern: str | None = None,
    default_branch_name: str | None = None,
) -> list[RepoRead]:
    """Read every repository; two repositories may not share a name."""
    reads = [
        read_repository(
            Path(p), release_tag_pattern or DEFAULT_RELEASE_TAG_PATTERN, default_branch_name
        )
        for p in paths
    ]
    seen: dict[str, Path] = {}
    for read in reads:
        if read.name in seen:
            raise OutcomesError(
                f"git repositories {str(seen[read.name])!r} and {str(read.path)!r} both resolve "
                f"to the name {read.name!r} (from their origin URL or folder name)"
            )
        seen[read.name] = read.path
    return reads


def utc_naive(value: dt.datetime) -> dt.datetime:
    """A datetime as naive UTC (how every timestamp lands)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
