"""Deterministic demo organisation: raw exports of seven work tools, shaped like their APIs.

    from outcomes.demo import generate
    result = generate(Path("demo_data"), people=120, weeks=26, seed=7)

See `generator.generate` for the contract and `manifest.json` (written next
to the data) for the planted facts and the deliberately broken records.
"""

from .generator import GenerationResult, generate

__all__ = ["GenerationResult", "generate"]
