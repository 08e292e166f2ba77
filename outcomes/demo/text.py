"""Small built-in word lists for fake names and free text.

Free text (titles, bodies, comments, descriptions) exists in the demo data
only so that the privacy tests can prove it never lands in the warehouse.
It is built from these lists with the caller's seeded RNG: no faker, and the
same seed gives the same words.
"""

from __future__ import annotations

import numpy as np

FIRST_NAMES = (
    "Aarav",
    "Ada",
    "Aisha",
    "Alejandro",
    "Amara",
    "Anders",
    "Anika",
    "Arjun",
    "Ayumi",
    "Beatriz",
    "Ben",
    "Camille",
    "Carlos",
    "Chen",
    "Chloe",
    "Dara",
    "David",
    "Diego",
    "Elena",
    "Emeka",
    "Emma",
    "Farah",
    "Felix",
    "Freya",
    "Gabriel",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jamal",
    "Jana",
    "Javier",
    "Jonas",
    "Julia",
    "Kai",
    "Karin",
    "Kenji",
    "Laila",
    "Lars",
    "Lea",
    "Leon",
    "Lina",
    "Lucas",
    "Maya",
    "Mei",
    "Mateo",
    "Mila",
    "Nadia",
    "Noah",
    "Nora",
    "Olga",
    "Omar",
    "Paula",
    "Priya",
    "Rafael",
    "Rahul",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Uma",
    "Valentina",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
)

LAST_NAMES = (
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brennan",
    "Carter",
    "Castro",
    "Chowdhury",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Fernandes",
    "Garcia",
    "Gupta",
    "Hansen",
    "Hartmann",
    "Hayashi",
    "Horvat",
    "Iyer",
    "Jensen",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mahmoud",
    "Martin",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Pereira",
    "Petrov",
    "Quinn",
    "Rao",
    "Reyes",
    "Richter",
    "Rossi",
    "Sato",
    "Schmidt",
    "Schulz",
    "Silva",
    "Singh",
    "Sorensen",
    "Tanaka",
    "Thomas",
    "Torres",
    "Vogel",
    "Wagner",
    "Walsh",
    "Weber",
    "Wong",
    "Yilmaz",
    "Young",
    "Zhang",
    "Zimmermann",
)

CUSTOMER_COMPANIES = (
    "northwind",
    "contoso",
    "globex",
    "initech",
    "umbrella-retail",
    "hooli",
    "vandelay",
    "stark-logistics",
    "wayne-foods",
    "acme-partners",
    "blue-harbor",
    "greenfield",
    "pinecone-labs",
    "redwood-health",
    "silverline",
    "tidewater",
    "brightpath",
    "copperleaf",
    "evergreen-bank",
    "lumen-energy",
)

_VERBS = (
    "Add",
    "Fix",
    "Refactor",
    "Remove",
    "Update",
    "Improve",
    "Handle",
    "Migrate",
    "Document",
    "Validate",
    "Cache",
    "Speed up",
    "Clean up",
    "Rename",
    "Support",
)
_OBJECTS = (
    "retry logic",
    "webhook handler",
    "login flow",
    "invoice export",
    "search index",
    "rate limiter",
    "feature flag",
    "error page",
    "billing job",
    "onboarding email",
    "audit log",
    "CSV import",
    "session timeout",
    "notification settings",
    "report filters",
    "API pagination",
    "date parsing",
    "permission check",
    "health check",
    "queue consumer",
    "price table",
    "checkout form",
)
_CONTEXTS = (
    "for EU customers",
    "in the admin UI",
    "on mobile",
    "for large accounts",
    "after the migration",
    "behind a flag",
    "in the nightly job",
    "for the new plan",
    "when the token expires",
    "in the public API",
    "for trial users",
    "during peak hours",
)
_SENTENCES = (
    "This came up in the last review and we agreed to tackle it now.",
    "Customers reported the issue twice this week.",
    "See the linked ticket for the full context.",
    "The previous behaviour was confusing and hard to test.",
    "We measured a clear improvement on staging.",
    "No user-facing change except the error message.",
    "Please double-check the edge case with empty input.",
    "Follow-up work is tracked separately.",
    "The old code path can be deleted next sprint.",
    "I tested this manually with a copy of production data removed of personal fields.",
    "Thanks for the quick help on this one!",
    "Could you take a look when you have a minute?",
    "I am still seeing the same problem after the update.",
    "The export finishes but the file is empty.",
    "We need this before the quarterly review.",
    "Our team cannot log in since this morning.",
    "Attached are the steps to reproduce.",
    "Happy to jump on a call if that is easier.",
)
_MEETING_TOPICS = (
    "Roadmap review",
    "Incident retro",
    "Design critique",
    "Pipeline review",
    "Hiring sync",
    "Quarterly planning",
    "Customer escalation",
    "Budget check-in",
    "Launch readiness",
    "Vendor call",
    "Architecture discussion",
    "Campaign kickoff",
    "Content planning",
    "Process review",
    "Demo prep",
)


def title_of(codes: np.ndarray) -> list[str]:
    """Titles such as 'Fix retry logic for EU customers', one per integer code.

    Text is kept as int64 codes until a record is written, so millions of
    titles cost 8 bytes each in memory instead of a Python string.
    """
    nv, no, nc = len(_VERBS), len(_OBJECTS), len(_CONTEXTS)
    return [
        f"{_VERBS[x % nv]} {_OBJECTS[x // nv % no]} {_CONTEXTS[x // (nv * no) % nc]}"
        for x in np.asarray(codes).tolist()
    ]


def body_of(codes: np.ndarray) -> list[str]:
    """Two-sentence bodies, one per integer code; only ever thrown away by the loaders."""
    ns = len(_SENTENCES)
    return [f"{_SENTENCES[x % ns]} {_SENTENCES[x // ns % ns]}" for x in np.asarray(codes).tolist()]


def text_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 1 << 31, n)


def bodies(rng: np.random.Generator, n: int) -> list[str]:
    return body_of(text_codes(rng, n))


def meeting_titles_of(codes: np.ndarray) -> list[str]:
    return [_MEETING_TOPICS[x % len(_MEETING_TOPICS)] for x in np.asarray(codes).tolist()]
