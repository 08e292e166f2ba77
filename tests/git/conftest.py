"""Real git repositories built with git commands, with hand-picked dates.

`api` (origin git@github.com:acme/api.git), every date with its own offset;
UTC in brackets:

    c1  Initial commit                 Ada   2026-03-02T10:00+0200 [08:00]       main
    c2  Add readme section             Ada   2026-03-02T11:00+0200 [09:00]       main
    f1  Start feature                  Bob   2026-03-02T09:30-0500 [14:30]       feature (from c2)
    c3  Tweak config                   Ada   2026-03-03T10:00+0200 [03-03 08:00] main   <- v0.9.0 (lightweight)
    m1  Merge branch 'main' into feature  Bob 2026-03-03T04:00-0500 [09:00]      feature
    f2  Finish feature                 Bob   2026-03-03T08:00-0500 [13:00]       feature
    M7  Merge pull request #7 from acme/feature   Carol / GitHub
                                             2026-03-04T12:00+0100 [11:00]       main   <- v1.0.0 (annotated
                                                                                          by Eve, 15:00+0100 [14:00])
    S8  Add login (#8)                 Dan, authored 2026-03-05T09:00+0530 [03:30],
                                       committed by GitHub 2026-03-05T10:15+0000       main
    R   Revert "Add login (#8)"        Ada   2026-03-06T08:00+0000                main
    t1' Refactor parser                Frank authored 2026-03-04T08:00+0900 [03-03 23:00]  (branched
    t2' Speed up parser                Frank authored 2026-03-04T09:00+0900 [03-04 00:00]   from c3,
                                       rebased on R, committed 2026-03-07T09:00+0000,        fast-forwarded)
    w1  Experiment with cache          Grace 2026-03-08T10:00+0000                wip    <- grace-experiment
    (+ a stash on main: refs/stash, never read)

12 commits; main line (first parent from main): t2' t1' R S8 M7 c3 c2 c1.
PR 7 brought in f1, m1, f2 (c3 is reachable from M7's first parent).

`web` (origin https://deploy-bot:s3cr3t-token@github.com/acme/web.git): a
rebase-only history, two commits, tag `1.2`.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

SALT = b"git-loader-test-salt-0123456789"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)

ADA = ("Ada Lovelace", "ada@acme.test")
BOB = ("Bob Builder", "Bob@Acme.Test")  # mixed case: the pseudonym must not care
CAROL = ("Carol Merger", "carol@acme.test")
DAN = ("Dan Squasher", "dan@acme.test")
EVE = ("Eve Releaser", "eve@acme.test")
FRANK = ("Frank Rebaser", "frank@acme.test")
GRACE = ("Grace Hopper", "grace@acme.test")
GITHUB = ("GitHub", "noreply@github.com")
PEOPLE = [ADA, BOB, CAROL, DAN, EVE, FRANK, GRACE, GITHUB]

SUBJECTS = [
    "Initial commit",
    "Add readme section",
    "Start feature",
    "Tweak config",
    "Merge branch 'main' into feature",
    "Finish feature",
    "Merge pull request #7 from acme/feature",
    "Add login (#8)",
    'Revert "Add login (#8)"',
    "Refactor parser",
    "Speed up parser",
    "Experiment with cache",
    "Release notes: the secret tag message",
    "acme/feature",
    "grace-experiment",
    "s3cr3t-token",
    "deploy-bot",
    "WIP on main",
]


def _isolated_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


@dataclass
class Repo:
    """A repository driven by git commands; `commit` writes one new file."""

    path: Path
    shas: dict[str, str] = field(default_factory=dict)

    def git(
        self,
        *args: str,
        who: tuple[str, str] = ADA,
        at: str = "2026-01-01T00:00:00+0000",
        author: tuple[str, str] | None = None,
        authored: str | None = None,
    ) -> str:
        author = author or who
        env = _isolated_env()
        env.update(
            GIT_AUTHOR_NAME=author[0],
            GIT_AUTHOR_EMAIL=author[1],
            GIT_AUTHOR_DATE=authored or at,
            GIT_COMMITTER_DATE=at,
        )
        done = subprocess.run(
            [
                "git",
                "-c",
                f"user.name={who[0]}",
                "-c",
                f"user.email={who[1]}",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                *args,
            ],
            cwd=self.path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout.strip()

    def commit(self, key: str, subject: str, who: tuple[str, str], at: str, **kw: str) -> str:
        (self.path / f"{key}.txt").write_text(f"{subject}\n")
        self.git("add", f"{key}.txt", who=who, at=at)
        self.git(
            "commit", "-q", "-m", subject, who=kw.pop("committer", who), at=at, author=who, **kw
        )
        self.shas[key] = self.rev("HEAD")
        return self.shas[key]

    def rev(self, ref: str) -> str:
        return self.git("rev-parse", ref)


def init_repo(path: Path, origin: str | None = None) -> Repo:
    path.mkdir(parents=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    if origin:
        repo.git("remote", "add", "origin", origin)
    return repo


def build_api(path: Path) -> Repo:
    repo = init_repo(path, "git@github.com:acme/api.git")
    repo.commit("c1", "Initial commit", ADA, "2026-03-02T10:00:00+0200")
    repo.commit("c2", "Add readme section", ADA, "2026-03-02T11:00:00+0200")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("f1", "Start feature", BOB, "2026-03-02T09:30:00-0500")
    repo.git("checkout", "-q", "main")
    repo.commit("c3", "Tweak config", ADA, "2026-03-03T10:00:00+0200")
    repo.git("tag", "v0.9.0")
    repo.git("checkout", "-q", "feature")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "main",
        "-m",
        "Merge branch 'main' into feature",
        who=BOB,
        at="2026-03-03T04:00:00-0500",
    )
    repo.shas["m1"] = repo.rev("HEAD")
    repo.commit("f2", "Finish feature", BOB, "2026-03-03T08:00:00-0500")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge pull request #7 from acme/feature",
        who=GITHUB,
        author=CAROL,
        at="2026-03-04T12:00:00+0100",
    )
    repo.shas["M7"] = repo.rev("HEAD")
    repo.git(
        "tag",
        "-a",
        "v1.0.0",
        "-m",
        "Release notes: the secret tag message",
        who=EVE,
        at="2026-03-04T15:00:00+0100",
    )
    repo.git("branch", "-q", "-D", "feature")
    repo.commit(
        "S8",
        "Add login (#8)",
        DAN,
        "2026-03-05T10:15:00+0000",
        committer=GITHUB,
        authored="2026-03-05T09:00:00+0530",
    )
    repo.git("revert", "--no-edit", "HEAD", who=ADA, at="2026-03-06T08:00:00+0000")
    repo.shas["R"] = repo.rev("HEAD")
    repo.git("checkout", "-q", "-b", "topic", repo.shas["c3"])
    repo.commit("t1", "Refactor parser", FRANK, "2026-03-04T08:00:00+0900")
    repo.commit("t2", "Speed up parser", FRANK, "2026-03-04T09:00:00+0900")
    repo.shas["t1_before_rebase"] = repo.shas.pop("t1")
    repo.shas["t2_before_rebase"] = repo.shas.pop("t2")
    repo.git("rebase", "-q", "main", who=FRANK, at="2026-03-07T09:00:00+0000")
    repo.shas["t2"] = repo.rev("HEAD")
    repo.shas["t1"] = repo.rev("HEAD~1")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "topic")
    repo.git("branch", "-q", "-D", "topic")
    repo.git("checkout", "-q", "-b", "wip")
    repo.commit("w1", "Experiment with cache", GRACE, "2026-03-08T10:00:00+0000")
    repo.git("tag", "grace-experiment")
    repo.git("checkout", "-q", "main")
    (path / "c1.txt").write_text("WIP on main: local change\n")
    repo.git("stash", "-q", at="2026-03-09T10:00:00+0000")
    return repo


def build_web(path: Path) -> Repo:
    repo = init_repo(path, "https://deploy-bot:s3cr3t-token@github.com/acme/web.git")
    repo.commit("a", "Scaffold web app", GRACE, "2026-04-01T09:00:00-0700")
    repo.commit("b", "Add landing page", GRACE, "2026-04-02T09:00:00-0700")
    repo.git("tag", "1.2")
    return repo


YEAR_9999 = 253402300799  # 9999-12-31 23:59:59 UTC, in epoch seconds


def _raw_commit(repo: Repo, key: str, subject: str, authored: str, committed: str) -> str:
    """A commit object written as it is, on top of main: git stores any digits."""
    tree = repo.git("rev-parse", "HEAD^{tree}")
    parent = repo.rev("HEAD")
    name, email = ADA
    text = (
        f"tree {tree}\nparent {parent}\n"
        f"author {name} <{email}> {authored} +0000\n"
        f"committer {name} <{email}> {committed} +0000\n\n{subject}\n"
    )
    done = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"],
        cwd=repo.path,
        input=text,
        env=_isolated_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    sha = done.stdout.strip()
    repo.git("update-ref", "refs/heads/main", sha)
    repo.shas[key] = sha
    return sha


def build_odd(path: Path) -> Repo:
    """`odd` (its history is drawn in test_git_quarantine.py): dates git accepts
    but no plausible history has, so its load quarantines 10 records."""
    repo = init_repo(path, "git@github.com:acme/odd.git")
    repo.commit("g1", "Initial commit", ADA, "2026-03-02T10:00:00+0000")
    repo.commit("g2", "Add readme", ADA, "2026-03-03T10:00:00+0000")
    repo.commit("y9999", "Far future", ADA, f"@{YEAR_9999} +0000")
    _raw_commit(repo, "huge", "Huge author date", "99999999999999999999", "1772618400")
    _raw_commit(repo, "neg", "Negative author date", "-1", "1772622000")
    _raw_commit(repo, "zero", "Epoch", "0", "0")
    repo.commit("g3", "Tweak config", ADA, "2026-03-05T10:00:00+0000")
    repo.git("tag", "v1.0.0")
    repo.git("tag", "-a", "v2.0.0", "-m", "Release of year 9999", who=EVE, at=f"@{YEAR_9999} +0000")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("f1", "Start feature", BOB, "2026-03-06T10:00:00+0000")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge pull request #10 from acme/feature",
        who=GITHUB,
        at="2026-03-07T10:00:00+0000",
        authored=f"@{YEAR_9999} +0000",
    )
    repo.shas["M10"] = repo.rev("HEAD")
    repo.git("branch", "-q", "-D", "feature")
    repo.commit("g4", "Last commit", ADA, "2026-03-08T10:00:00+0000")
    return repo


# The fixture repository is dated March 2026; GitHub's retention (396 days,
# counted from the load time) would drop it from April 2027. Every test here
# runs on a clock pinned a little after it (outcomes.clock): load time and
# the build's "now" alike, so the figures do not depend on the day of the run.
PINNED_CLOCK = "2026-06-01 12:00:00"


@pytest.fixture(scope="module", autouse=True)
def _pinned_clock():
    # module scope: set before the modules' own warehouse fixtures load anything
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OUTCOMES_AS_OF_UTC", PINNED_CLOCK)
        yield


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict[str, Repo]:
    root = tmp_path_factory.mktemp("repos")
    return {"api": build_api(root / "api"), "web": build_web(root / "web")}


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def utc(text: str) -> dt.datetime:
    """'2026-03-02T14:30' -> naive UTC datetime (how timestamps land)."""
    return dt.datetime.fromisoformat(text)
