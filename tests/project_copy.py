"""A copy of the dbt project a test may edit (a seed, a model) without touching the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

from outcomes.config import PROJECT_DIR


def project_copy(root: Path) -> Path:
    """dbt_project.yml, profiles.yml, models, macros and seeds under root/project."""
    project = root / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, project / name)
    for folder in ("models", "macros", "seeds"):
        shutil.copytree(PROJECT_DIR / folder, project / folder)
    (project / "tests").mkdir()
    return project
