"""Settings from winnow/settings.toml, overridable by WINNOW_<KEY> environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Settings:
    max_file_bytes: int
    max_decompressed_bytes: int
    max_line_chars: int
    doc_time_budget_s: float
    batch_size: int
    workers: int
    dask_address: str
    memory_limit: str
    max_header_lines: int
    max_title_chars: int
    max_byline_chars: int
    words_per_minute: int
    min_words: int
    min_chars: int
    seed: int
    sample_chars: int
    language_trials: int
    min_prob: float
    learned_min_documents: int
    learned_max_words: int
    earliest_year: int
    future_slack_hours: int
    max_read_time_min: int


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for value in data.values():
        if isinstance(value, dict):
            flat.update(value)
    return flat


@cache
def get_settings() -> Settings:
    raw = tomllib.loads(resources.files("winnow").joinpath("settings.toml").read_text("utf-8"))
    values = _flatten(raw)
    for key, default in list(values.items()):
        env = os.environ.get(f"WINNOW_{key.upper()}")
        if env is not None:
            values[key] = type(default)(env)
    return Settings(**values)
