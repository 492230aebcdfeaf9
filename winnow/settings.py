"""Settings: every threshold and limit, from winnow/schemas/settings.toml (the one file of them),
each overridable by an environment variable WINNOW_<KEY> (WINNOW_MIN_WORDS=30, ...).

Read once per process (worker processes inherit the environment, so they read the same values).
A value that cannot be read as its key's type is a clear error naming the variable.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from winnow.errors import ConfigError

ENV_PREFIX = "WINNOW_"


@dataclass(frozen=True)
class Settings:
    max_file_bytes: int
    max_decompressed_bytes: int
    max_line_chars: int
    doc_time_budget_s: float
    batch_size: int
    max_records_per_file: int
    max_record_bytes: int
    max_archive_bytes: int
    workers: int
    dask_address: str
    memory_limit: str
    server_idle_minutes: float
    cache_dir: str
    rules_dir: str
    max_header_lines: int
    max_title_chars: int
    max_byline_chars: int
    words_per_minute: int
    seed: int
    sample_chars: int
    language_trials: int
    learned_min_documents: int
    learned_max_words: int
    near_dup_shingle_size: int
    near_dup_num_perm: int
    near_dup_bands: int
    near_dup_threshold: float
    min_words: int
    min_chars: int
    earliest_year: int
    future_slack_hours: int
    max_read_time_min: int
    language_pattern: str
    ad_marker_pattern: str


def defaults() -> dict[str, Any]:
    """The values in settings.toml, flattened (sections are for reading only)."""
    data = tomllib.loads(resources.files("winnow.schemas").joinpath("settings.toml").read_text("utf-8"))
    flat: dict[str, Any] = {}
    for section in data.values():
        flat.update(section)
    return flat


def _convert(key: str, text: str, default: Any) -> Any:
    kind = type(default)
    try:
        if kind is bool:
            return text.strip().lower() in ("1", "true", "yes", "on")
        return kind(text.replace("_", "")) if kind in (int, float) else kind(text)
    except ValueError as exc:
        raise ConfigError(
            f"{ENV_PREFIX}{key.upper()}={text!r} is not a valid {kind.__name__} ({key} in settings.toml)"
        ) from exc


def settings_from(environ: dict[str, str] | os._Environ[str]) -> Settings:
    values = defaults()
    for key, default in values.items():
        text = environ.get(f"{ENV_PREFIX}{key.upper()}")
        if text is not None:
            values[key] = _convert(key, text, default)
    known = {f.name for f in fields(Settings)}
    if set(values) != known:
        raise ConfigError(f"settings.toml and Settings disagree: {sorted(set(values) ^ known)}")
    return Settings(**values)


@cache
def get_settings() -> Settings:
    return settings_from(os.environ)
