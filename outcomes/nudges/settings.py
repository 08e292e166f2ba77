"""`nudges:` in outcomes.yml (docs/nudges.md#setup): channels, caps, links.

    nudges:
      links:                      # how a subject becomes a link, per source
        github: "https://github.com/{repo}/pull/{number}"
        jira: "https://example.atlassian.net/browse/{ref}"
      channels:
        - name: payments_slack    # its secrets: [nudges.channels.payments_slack]
          team: payments          # dim_teams.team_id
          kind: slack             # slack | teams | webhook
          mode: stream            # stream | digest (one message a day)
          max_per_day: 10
      direct:                     # owners who opted in (a generic webhook)
        name: direct_messages
        max_per_day: 3
      retry: {max_attempts: 5, backoff_seconds: 1.0}

The URL and signing secret of each channel are credentials and live in dlt's
secrets, never here: `.dlt/secrets.toml` `[nudges.channels.<name>]` `url` and
`signing_secret`, or `NUDGES__CHANNELS__<NAME>__URL` /
`NUDGES__CHANNELS__<NAME>__SIGNING_SECRET` in the environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outcomes.errors import OutcomesError
from outcomes.nudges.delivery import Endpoint
from outcomes.nudges.policy import Channel, Settings

KINDS = ("slack", "teams", "webhook")
MODES = ("stream", "digest")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MIN_SECRET_CHARS = 16


@dataclass(frozen=True)
class NudgeConfig:
    settings: Settings = field(default_factory=Settings)
    links: dict[str, str] = field(default_factory=dict)
    max_attempts: int = 5
    backoff_seconds: float = 1.0


def _count(value: Any, where: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OutcomesError(f"{where}: expected a whole number of 1 or more, got {value!r}")
    return value


def _channel(spec: Any, where: str, direct: bool = False) -> tuple[str | None, Channel]:
    if not isinstance(spec, dict):
        raise OutcomesError(f"{where}: expected a mapping (name, team, kind, mode, max_per_day)")
    allowed = {"name", "kind", "max_per_day"} | (set() if direct else {"team", "mode"})
    unknown = set(spec) - allowed
    if unknown:
        secret = unknown & {"url", "secret", "signing_secret", "token"}
        if secret:
            raise OutcomesError(
                f"{where}: {sorted(secret)} is a credential and never lives in outcomes.yml: "
                "put it in .dlt/secrets.toml [nudges.channels.<name>] (url, signing_secret)"
            )
        raise OutcomesError(f"{where}: unknown setting(s) {sorted(unknown)}")
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise OutcomesError(f"{where}.name: expected a name like team_slack, got {name!r}")
    kind = spec.get("kind", "webhook")
    if kind not in KINDS or (direct and kind != "webhook"):
        choices = "webhook" if direct else ", ".join(KINDS)
        raise OutcomesError(f"{where}.kind: expected one of {choices}, got {kind!r}")
    mode = spec.get("mode", "stream")
    if mode not in MODES:
        raise OutcomesError(f"{where}.mode: expected stream or digest, got {mode!r}")
    team = spec.get("team")
    if not direct and (not isinstance(team, str) or not team):
        raise OutcomesError(f"{where}.team: expected the team id (dim_teams.team_id)")
    cap = _count(spec.get("max_per_day"), f"{where}.max_per_day", 3 if direct else 10)
    return team, Channel(name=name, kind=kind, mode=mode, max_per_day=cap)


def parse(spec: Any, where: str) -> NudgeConfig:
    if spec is None:
        return NudgeConfig()
    if not isinstance(spec, dict):
        raise OutcomesError(f"{where}: nudges: expected a mapping (channels, direct, links)")
    unknown = set(spec) - {"channels", "direct", "links", "retry"}
    if unknown:
        raise OutcomesError(f"{where}: nudges has unknown setting(s) {sorted(unknown)}")
    channels: dict[str, Channel] = {}
    names: set[str] = set()
    for i, item in enumerate(spec.get("channels") or []):
        team, channel = _channel(item, f"{where}: nudges.channels[{i}]")
        if team in channels:
            raise OutcomesError(f"{where}: nudges.channels[{i}]: team {team!r} has two channels")
        if channel.name in names:
            raise OutcomesError(f"{where}: nudges.channels[{i}]: name {channel.name!r} is taken")
        names.add(channel.name)
        channels[team] = channel
    direct = None
    if spec.get("direct") is not None:
        _, direct = _channel(spec["direct"], f"{where}: nudges.direct", direct=True)
    links = spec.get("links") or {}
    if not isinstance(links, dict) or not all(isinstance(v, str) for v in links.values()):
        raise OutcomesError(f"{where}: nudges.links: expected source: URL template pairs")
    retry = spec.get("retry") or {}
    attempts = _count(retry.get("max_attempts"), f"{where}: nudges.retry.max_attempts", 5)
    backoff = retry.get("backoff_seconds", 1.0)
    if isinstance(backoff, bool) or not isinstance(backoff, int | float) or backoff < 0:
        raise OutcomesError(f"{where}: nudges.retry.backoff_seconds: expected seconds >= 0")
    return NudgeConfig(
        settings=Settings(channels=channels, direct=direct),
        links=dict(links),
        max_attempts=attempts,
        backoff_seconds=float(backoff),
    )


def load(path: Path) -> NudgeConfig:
    """The `nudges:` section of outcomes.yml (none configured: nothing is sent)."""
    if not path.exists():
        raise OutcomesError(f"config file {str(path)!r} not found (copy outcomes.example.yml)")
    try:
        spec = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise OutcomesError(f"{path}: not valid YAML ({exc})") from exc
    return parse(spec.get("nudges"), str(path))


def endpoint(channel: Channel) -> Endpoint:
    """The channel's URL and signing secret from dlt's secrets."""
    import dlt

    section = f"nudges.channels.{channel.name}"
    url = dlt.secrets.get(f"{section}.url")
    secret = dlt.secrets.get(f"{section}.signing_secret")
    env = f"NUDGES__CHANNELS__{channel.name.upper()}"
    if not url or not str(url).startswith(("http://", "https://")):
        raise OutcomesError(
            f"nudge channel {channel.name!r}: no url set: put it in .dlt/secrets.toml under "
            f"[{section}] or {env}__URL"
        )
    if not secret or len(str(secret)) < MIN_SECRET_CHARS:
        raise OutcomesError(
            f"nudge channel {channel.name!r}: no signing_secret of at least {MIN_SECRET_CHARS} "
            f"characters: put it in .dlt/secrets.toml under [{section}] or {env}__SIGNING_SECRET"
        )
    return Endpoint(url=str(url), signing_secret=str(secret))
