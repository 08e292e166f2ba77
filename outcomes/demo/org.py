"""The demo organisation: people, teams, managers, time zones and schedules.

Everything the tool generators share lives here: who exists, which team and
function they belong to, where and when they work, and when they joined or
left. Tools never see each other's accounts; they join only through `email`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .clock import DAY, SCHEDULES, TIMEZONES, Clock, day_to_epoch
from .text import FIRST_NAMES, LAST_NAMES

DOMAIN = "acme.example"
GITHUB_ORG = "acme"
PEOPLE_OPS = "People Ops"
MIN_PEOPLE = 40
MIN_WEEKS = 4

# (function, share of headcount, team names). Names repeat with a number
# suffix when a large organisation needs more teams than listed.
FUNCTIONS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "Engineering",
        0.40,
        (
            "Platform",
            "Payments",
            "Search",
            "Mobile",
            "Identity",
            "Data",
            "Growth",
            "Checkout",
            "Infrastructure",
            "Observability",
            "Billing",
            "Notifications",
            "Integrations",
            "Onboarding",
            "Reporting",
            "Messaging",
            "Catalog",
            "Pricing",
            "Security",
            "Developer Experience",
            "Storage",
            "Analytics",
            "Accounts",
            "Inventory",
            "Shipping",
        ),
    ),
    (
        "Support",
        0.15,
        (
            "Support EMEA",
            "Support Americas",
            "Support APAC",
            "Technical Support",
            "Enterprise Support",
            "Billing Support",
            "Customer Success",
        ),
    ),
    (
        "Sales",
        0.15,
        (
            "Sales EMEA",
            "Sales North America",
            "Sales APAC",
            "Inside Sales",
            "Enterprise Sales",
            "Mid-Market Sales",
            "Partnerships",
        ),
    ),
    (
        "Marketing",
        0.11,
        (
            "Content Marketing",
            "Product Marketing",
            "Demand Generation",
            "Brand",
            "Events",
            "Lifecycle Marketing",
        ),
    ),
    (
        "Operations",
        0.0,
        (  # takes the remainder
            "Business Operations",
            "Finance",
            "IT Operations",
            "Legal",
            "Procurement",
            "Revenue Operations",
            "Facilities",
        ),
    ),
    (
        "People",
        0.04,
        (
            PEOPLE_OPS,
            "Talent Acquisition",
            "People Partners",
            "Learning & Development",
            "Total Rewards",
        ),
    ),
)
FUNCTION_NAMES = tuple(f[0] for f in FUNCTIONS)

TITLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # function: (head title, team manager title, member titles)
    "Engineering": (
        "VP Engineering",
        "Engineering Manager",
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
            "Site Reliability Engineer",
            "QA Engineer",
            "Software Engineer II",
        ),
    ),
    "Support": (
        "Head of Support",
        "Support Team Lead",
        ("Support Specialist", "Senior Support Specialist", "Technical Support Engineer"),
    ),
    "Sales": (
        "VP Sales",
        "Sales Manager",
        ("Account Executive", "Sales Development Representative", "Senior Account Executive"),
    ),
    "Marketing": (
        "Head of Marketing",
        "Marketing Lead",
        (
            "Content Marketing Manager",
            "Product Marketing Manager",
            "Designer",
            "Marketing Specialist",
        ),
    ),
    "Operations": (
        "Chief Executive Officer",
        "Operations Lead",
        ("Operations Analyst", "Finance Manager", "IT Administrator", "Legal Counsel"),
    ),
    "People": (
        "Head of People",
        "People Lead",
        ("People Partner", "Recruiter", "People Coordinator"),
    ),
}

# Teams sit mostly in one or two zones (primary, secondary).
TZ_PAIRS = ((0, 1), (1, 0), (2, 3), (3, 2), (4, 0), (5, 4), (0, 4), (2, 1))
REGION_TZ = {"EMEA": (0, 1), "Americas": (2, 3), "North America": (2, 3), "APAC": (5, 4)}
REPO_SUFFIXES = ("api", "service", "worker", "web", "gateway", "jobs")


@dataclass
class Team:
    index: int
    name: str
    function: str
    members: np.ndarray  # person indices; members[0] is the manager
    tz_primary: int
    tz_secondary: int
    repos: list[str] = field(default_factory=list)  # "acme/<slug>-api"; engineering only

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.name.lower()).strip("-")

    @property
    def manager(self) -> int:
        return int(self.members[0])


@dataclass
class Org:
    people: int
    weeks: int
    seed: int
    end_date: date
    clock: Clock
    teams: list[Team]
    # Per-person columns (index = person id, 0..people-1).
    first: list[str]
    last: list[str]
    email: list[str]
    title: list[str]
    team: np.ndarray
    function: np.ndarray  # index into FUNCTION_NAMES
    tz: np.ndarray
    sched: np.ndarray
    manager: np.ndarray  # person index, -1 for the CEO
    start_date: list[date]
    active_from: np.ndarray  # UTC seconds from which the person generates activity
    active_until: np.ndarray  # UTC seconds until which (exclusive); window end when active
    is_active: np.ndarray
    scim_id: list[str]
    slow_review_team: int = -1
    overloaded_support_team: int = -1
    slow_sales_team: int = -1
    # One engineer moved team in the middle of the window (the roster's
    # history): from `mover_from_team` to their team `team[mover]` on `moved_on`.
    mover: int = -1
    mover_from_team: int = -1
    moved_on: date | None = None

    @property
    def start(self) -> int:
        """Window start, UTC seconds."""
        return day_to_epoch(self.end_date - timedelta(days=7 * self.weeks))

    @property
    def end(self) -> int:
        """Window end (exclusive) = export time, UTC seconds."""
        return day_to_epoch(self.end_date)

    @property
    def cal(self) -> np.ndarray:
        """Each person's working calendar index for the Clock."""
        return self.tz * len(SCHEDULES) + self.sched

    def name(self, p: int) -> str:
        return f"{self.first[p]} {self.last[p]}"

    def teams_of(self, function: str) -> list[Team]:
        return [t for t in self.teams if t.function == function]

    def members_of(self, function: str) -> np.ndarray:
        return np.flatnonzero(self.function == FUNCTION_NAMES.index(function))

    def week_starts(self) -> np.ndarray:
        return self.start + np.arange(self.weeks, dtype=np.int64) * 7 * DAY


def _split(n: int, k: int) -> list[int]:
    base, extra = divmod(n, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def _team_names(names: tuple[str, ...], k: int) -> list[str]:
    return [
        names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        for i in range(k)
    ]


def _headcounts(people: int) -> dict[str, int]:
    counts = {name: round(share * people) for name, share, _ in FUNCTIONS}
    counts["People"] = max(3, counts["People"])
    # People Ops is exactly 3; leftovers too small for a second people team
    # go to operations.
    if counts["People"] - 3 < 5:
        counts["People"] = 3
    counts["Operations"] = people - sum(v for k, v in counts.items() if k != "Operations")
    return counts


def build_org(people: int, weeks: int, seed: int, end_date: date) -> Org:
    """The organisation for these parameters; deterministic in all four."""
    if people < MIN_PEOPLE:
        raise ValueError(f"people must be >= {MIN_PEOPLE} (the planted meeting needs 30 invitees)")
    if weeks < MIN_WEEKS:
        raise ValueError(
            f"weeks must be >= {MIN_WEEKS} (the planted support overload lasts 4 weeks)"
        )
    if end_date.weekday() != 0:
        raise ValueError("end_date must be a Monday")
    rng = np.random.default_rng([seed, 0])
    window_start = end_date - timedelta(days=7 * weeks)
    clock = Clock(window_start - timedelta(days=60), end_date + timedelta(days=30))

    # -- teams -------------------------------------------------------------
    teams: list[Team] = []
    team_of = np.zeros(people, dtype=np.int64)
    func_of = np.zeros(people, dtype=np.int64)
    cursor = 0
    for f_idx, (fname, _share, names) in enumerate(FUNCTIONS):
        n = _headcounts(people)[fname]
        if fname == "People":
            sizes = [3, *_split(n - 3, max(1, round((n - 3) / 10)))] if n > 3 else [3]
        else:
            k = max(1, round(n / 10))
            if fname in ("Engineering", "Support", "Sales") and n >= 10:
                k = max(k, 2)  # the planted comparisons need a second team
            sizes = _split(n, k)
        for i, name in enumerate(_team_names(names, len(sizes))):
            members = np.arange(cursor, cursor + sizes[i], dtype=np.int64)
            region = next((v for k2, v in REGION_TZ.items() if k2 in name), None)
            pair = region or TZ_PAIRS[int(rng.integers(0, len(TZ_PAIRS)))]
            teams.append(Team(len(teams), name, fname, members, pair[0], pair[1]))
            team_of[members] = len(teams) - 1
            func_of[members] = f_idx
            cursor += sizes[i]
    assert cursor == people

    for t in teams:
        if t.function == "Engineering":
            n_repos = int(rng.choice([1, 2, 2, 3]))
            suffixes = rng.permutation(len(REPO_SUFFIXES))[:n_repos]
            t.repos = [f"{GITHUB_ORG}/{t.slug}-{REPO_SUFFIXES[s]}" for s in sorted(suffixes)]

    # -- names and emails ----------------------------------------------------
    fi = rng.integers(0, len(FIRST_NAMES), people).tolist()
    li = rng.integers(0, len(LAST_NAMES), people).tolist()
    first = [FIRST_NAMES[i] for i in fi]
    last = [LAST_NAMES[i] for i in li]
    seen: dict[str, int] = {}
    email = []
    for a, b in zip(first, last, strict=True):
        local = f"{a}.{b}".lower()
        n = seen.get(local, 0) + 1
        seen[local] = n
        email.append(f"{local}{'' if n == 1 else n}@{DOMAIN}")

    # -- time zones and schedules -------------------------------------------
    tz = np.zeros(people, dtype=np.int64)
    u = rng.random(people)
    anywhere = rng.integers(0, len(TIMEZONES), people)
    for t in teams:
        m = t.members
        tz[m] = np.where(
            u[m] < 0.75, t.tz_primary, np.where(u[m] < 0.95, t.tz_secondary, anywhere[m])
        )
        tz[t.manager] = t.tz_primary
    sched = rng.choice(len(SCHEDULES), size=people, p=[0.8, 0.15, 0.05]).astype(np.int64)

    # -- reporting lines and titles ------------------------------------------
    manager = np.full(people, -1, dtype=np.int64)
    title = [""] * people
    ceo = next(t for t in teams if t.function == "Operations").manager
    for fname, _s, _n in FUNCTIONS:
        fteams = [t for t in teams if t.function == fname]
        head = fteams[0].manager
        head_title, lead_title, member_titles = TITLES[fname]
        for t in fteams:
            for p in t.members.tolist():
                manager[p] = t.manager
                title[p] = member_titles[int(rng.integers(0, len(member_titles)))]
            manager[t.manager] = head
            title[t.manager] = lead_title
        title[head] = head_title
        manager[head] = ceo
    manager[ceo] = -1

    # -- employment ------------------------------------------------------------
    w_start = day_to_epoch(window_start)
    w_end = day_to_epoch(end_date)
    # Log-normal tenure (median ~2 years), capped at a working life of 40 years:
    # at 10,000 people the uncapped tail reached hire dates before 1970.
    tenure_days = np.clip(
        np.exp(np.log(700) + 0.9 * rng.standard_normal(people)), 30, 40 * 365
    ).astype(np.int64)
    start_secs = w_start - tenure_days * DAY
    active_until = np.full(people, w_end, dtype=np.int64)
    is_active = np.ones(people, dtype=bool)
    protected = np.zeros(people, dtype=bool)  # managers and People Ops stay put
    protected[[t.manager for t in teams]] = True
    for t in teams:
        if t.name == PEOPLE_OPS:
            protected[t.members] = True
    u = rng.random(people)
    joiners = (u < 0.03) & ~protected
    leavers = (u > 0.985) & ~protected
    span_days = 7 * weeks
    start_secs[joiners] = w_start + rng.integers(7, span_days - 7, joiners.sum()) * DAY
    active_until[leavers] = (
        w_start + rng.integers(span_days // 2, span_days - 3, leavers.sum()) * DAY
    )
    is_active[leavers] = False
    start_date = [
        window_start + timedelta(days=int((s - w_start) // DAY)) for s in start_secs.tolist()
    ]

    scim_id = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(people)]

    org = Org(
        people=people,
        weeks=weeks,
        seed=seed,
        end_date=end_date,
        clock=clock,
        teams=teams,
        first=first,
        last=last,
        email=email,
        title=title,
        team=team_of,
        function=func_of,
        tz=tz,
        sched=sched,
        manager=manager,
        start_date=start_date,
        active_from=np.maximum(start_secs, w_start),
        active_until=active_until,
        is_active=is_active,
        scim_id=scim_id,
    )

    # -- the teams that carry planted patterns -----------------------------------
    eng = org.teams_of("Engineering")
    org.slow_review_team = eng[int(rng.integers(0, len(eng)))].index
    sup = org.teams_of("Support")
    org.overloaded_support_team = sup[int(rng.integers(0, len(sup)))].index
    sales = org.teams_of("Sales")
    org.slow_sales_team = sales[int(rng.integers(0, len(sales)))].index
    _plant_team_move(org)
    return org


def _plant_team_move(org: Org) -> None:
    """One engineer who moved team on the Wednesday after the window's middle week.

    Drawn from no random stream (every other draw stays as it was): the first
    member, by index, of the first engineering team that carries no planted
    pattern who was employed and active all window; they came from the next
    such team. Their tool activity is that of their current team; only the
    roster's history says where their earlier work belongs.
    """
    unplanted = [t for t in org.teams_of("Engineering") if t.index != org.slow_review_team]
    if len(unplanted) < 2:
        return
    to_team, from_team = unplanted[0], unplanted[1]
    staying = [
        int(p) for p in to_team.members[1:] if org.is_active[p] and org.active_from[p] <= org.start
    ]
    if not staying:
        return
    middle = org.end_date - timedelta(days=7 * (org.weeks // 2))
    org.mover = staying[0]
    org.mover_from_team = from_team.index
    org.moved_on = middle + timedelta(days=(2 - middle.weekday()) % 7)
