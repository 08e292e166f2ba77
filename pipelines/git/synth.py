"""Synthesize a large git repository quickly, for tests and `make bench`.

One `git fast-import` stream instead of tens of thousands of `git commit`s
(50,000 commits in a few seconds). The history looks like a GitHub project's:
a main line where every `merge_every`-th step merges a short feature branch
("Merge pull request #N from acme/feature-N", 1-3 commits, sometimes forked a
few commits back), squash merges ("Title (#N)"), plain commits, reverts of
earlier squash merges, and release tags every 100 main-line commits
(annotated and lightweight in turn). Dates carry a mix of time-zone offsets
and end at `end` (default: today 00:00 UTC), so the history sits inside the
retention window of a load made now.

    python -m pipelines.git.synth PATH [--commits 50000] [--load WAREHOUSE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from outcomes.errors import OutcomesError

OFFSETS = ["+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900"]
WORDS = ["parser", "cache", "login", "billing", "search", "export", "sync", "docs", "api", "ui"]
VERBS = ["Add", "Fix", "Refactor", "Speed up", "Document", "Test", "Rename", "Remove"]


@dataclass
class SynthRepo:
    """What was generated (the numbers a load must find)."""

    path: Path
    commits: int = 0
    main_line: int = 0
    merge_pull_requests: int = 0
    squash_pull_requests: int = 0
    reverts: int = 0
    release_tags: int = 0
    annotated_tags: int = 0
    authors: list[str] = field(default_factory=list)


def synthesize_repo(
    path: Path,
    commits: int = 50_000,
    merge_every: int = 5,
    seed: int = 1,
    end: dt.datetime | None = None,
    authors: int = 40,
    minutes_apart: int = 9,
) -> SynthRepo:
    """Write a bare repository with exactly `commits` commits at `path`.

    The same seed gives the same graph, messages and people; commit ids
    change with `end` (dates are part of a commit).
    """
    if commits < 1:
        raise OutcomesError("synthesize_repo needs at least one commit")
    if path.exists() and any(path.iterdir()):
        raise OutcomesError(f"{str(path)!r} exists and is not empty")
    rng = random.Random(seed)
    end = end or dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end_epoch = int(end.replace(tzinfo=end.tzinfo or dt.UTC).timestamp())
    clock = end_epoch - commits * minutes_apart * 60
    people = [
        (f"Developer {i}", f"dev{i}@example.test", rng.choice(OFFSETS)) for i in range(authors)
    ]
    out = SynthRepo(path=path, authors=[p[1] for p in people])
    chunks: list[bytes] = []
    mark = 0
    main: list[int] = []  # marks of the main line, oldest first
    squashes: list[tuple[int, str]] = []  # (pr number, subject) to revert later
    pr = 0

    def commit(ref: str, subject: str, parents: list[int], who: int) -> int:
        nonlocal mark, clock
        mark += 1
        clock += minutes_apart * 60
        name, email, offset = people[who]
        message = subject.encode()
        lines = [
            f"commit {ref}",
            f"mark :{mark}",
            f"author {name} <{email}> {clock - rng.randrange(3600)} {offset}",
            f"committer {name} <{email}> {clock} {offset}",
            f"data {len(message)}",
        ]
        links = "".join(f"{'from' if i == 0 else 'merge'} :{p}\n" for i, p in enumerate(parents))
        # Only the first commit has a file: the loader reads the commit graph and
        # metadata, and trees would triple fast-import's time.
        files = b"" if parents else b"M 100644 inline README.md\ndata 10\nSynthetic\n\n"
        chunks.append(
            ("\n".join(lines) + "\n").encode() + message + b"\n" + links.encode() + files + b"\n"
        )
        out.commits += 1
        return mark

    def title() -> str:
        return f"{rng.choice(VERBS)} {rng.choice(WORDS)} {rng.randrange(1000)}"

    while out.commits < commits:
        left = commits - out.commits
        step = len(main) + 1
        who = rng.randrange(authors)
        if step % merge_every == 0 and left >= 2 and main:
            size = min(rng.randint(1, 3), left - 1)
            fork = main[-1] if rng.random() < 0.8 else main[max(0, len(main) - rng.randint(2, 6))]
            tip = fork
            for _ in range(size):
                tip = commit("refs/heads/feature", title(), [tip], who)
            pr += 1
            main.append(
                commit(
                    "refs/heads/main",
                    f"Merge pull request #{pr} from acme/feature-{pr}",
                    [main[-1], tip],
                    rng.randrange(authors),
                )
            )
            out.merge_pull_requests += 1
        else:
            roll = rng.random()
            parents = [main[-1]] if main else []
            if roll < 0.35:
                pr += 1
                subject = f"{title()} (#{pr})"
                squashes.append((pr, subject))
                out.squash_pull_requests += 1
            elif roll < 0.37 and squashes:
                _, reverted = squashes.pop(rng.randrange(len(squashes)))
                subject = f'Revert "{reverted}"'
                out.reverts += 1
            else:
                subject = title()
            main.append(commit("refs/heads/main", subject, parents, who))
        if len(main) % 100 == 0 and chunks:
            version = f"v1.{len(main) // 1000}.{len(main) // 100 % 10}"
            if out.release_tags % 2 == 0:
                name, email, offset = people[rng.randrange(authors)]
                note = f"Release {version}".encode()
                chunks.append(
                    f"tag {version}\nfrom :{main[-1]}\n"
                    f"tagger {name} <{email}> {clock + 600} {offset}\n"
                    f"data {len(note)}\n".encode()
                    + note
                    + b"\n"
                )
                out.annotated_tags += 1
            else:
                chunks.append(f"reset refs/tags/{version}\nfrom :{main[-1]}\n\n".encode())
            out.release_tags += 1
    out.main_line = len(main)

    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q", "--bare", "-b", "main")
    # Light compression: the default level spends ~3 s on 50,000 tiny objects.
    _git(
        path,
        "-c",
        "core.compression=1",
        "fast-import",
        "--quiet",
        "--done",
        stdin=b"".join(chunks) + b"done\n",
    )
    _git(path, "update-ref", "-d", "refs/heads/feature")
    return out


def _git(path: Path, *args: str, stdin: bytes | None = None) -> None:
    done = subprocess.run(
        ["git", "-C", str(path), *args], input=stdin, capture_output=True, check=False
    )
    if done.returncode:
        raise OutcomesError(
            f"git {args[0]} in {str(path)!r} failed: {done.stderr.decode(errors='replace').strip()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--merge-every", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--load",
        type=Path,
        metavar="WAREHOUSE",
        help="then load the repository into this warehouse and time it",
    )
    args = parser.parse_args()
    start = time.perf_counter()
    repo = synthesize_repo(args.path, args.commits, args.merge_every, args.seed)
    print(
        f"synthesized {repo.commits:,} commits ({repo.merge_pull_requests:,} merge PRs, "
        f"{repo.squash_pull_requests:,} squash PRs, {repo.release_tags} release tags) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    if args.load:
        from pipelines.git import load_git

        result = load_git(
            [args.path],
            args.load,
            b"synthetic-repository-salt",
            dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        )
        print(
            f"loaded {result.records_read:,} records -> {result.rows_landed:,} rows in "
            f"{result.seconds:.1f} s ({result.records_read / result.seconds:,.0f} records/s)"
        )


if __name__ == "__main__":
    main()
