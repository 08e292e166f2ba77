"""Where the pseudonym salt comes from: never from the repository.

Order: the OUTCOMES_PSEUDONYM_SALT environment variable, then
`[outcomes] pseudonym_salt` in `.dlt/secrets.toml`. The demo alone may create
a random salt, stored beside its warehouse (git-ignored), so reruns produce
the same pseudonyms.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from outcomes.errors import OutcomesError

SALT_ENV = "OUTCOMES_PSEUDONYM_SALT"
MIN_SALT_CHARS = 16


def _from_secrets_file(project_dir: Path) -> str | None:
    path = project_dir / ".dlt" / "secrets.toml"
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise OutcomesError(f"{path}: not valid TOML ({exc})") from exc
    value = data.get("outcomes", {}).get("pseudonym_salt")
    return str(value) if value else None


def resolve_salt(project_dir: Path, demo_salt_file: Path | None = None) -> bytes:
    """Return the salt, or fail with a message that says how to provide one.

    `demo_salt_file` is given only by `outcomes demo`: a missing salt is then
    generated once and kept in that file.
    """
    value = os.environ.get(SALT_ENV) or _from_secrets_file(project_dir)
    if not value and demo_salt_file is not None:
        if demo_salt_file.exists():
            value = demo_salt_file.read_text().strip()
        else:
            value = secrets.token_hex(32)
            demo_salt_file.parent.mkdir(parents=True, exist_ok=True)
            demo_salt_file.write_text(value + "\n")
            demo_salt_file.chmod(0o600)
    if not value:
        raise OutcomesError(
            "missing secret: the pseudonym salt. Set the environment variable "
            f'{SALT_ENV} or add `pseudonym_salt = "..."` under [outcomes] in '
            ".dlt/secrets.toml (see .dlt/secrets.toml.example). It must stay the "
            "same across runs and never be committed."
        )
    if len(value) < MIN_SALT_CHARS:
        raise OutcomesError(
            f"the pseudonym salt is too short ({len(value)} characters); use at least "
            f"{MIN_SALT_CHARS} random characters, e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`"
        )
    return value.encode()
