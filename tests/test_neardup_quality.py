"""Quality gate for near-duplicate detection: pair precision and recall on the labelled pair set
(winnow/pairset.py) must not fall below the floors in neardup_floors.toml. The set is built from
the pipeline's own output at test time; skipped where ../shared is absent (a user's clone)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED
from winnow.pairset import build, score
from winnow.settings import get_settings
from winnow.store.neardup import index_from

FLOORS = tomllib.loads((Path(__file__).parent / "neardup_floors.toml").read_text("utf-8"))
EVAL_DIRS = [SHARED / "eval", SHARED / "eval-web"]


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    if not all((d / "truth").is_dir() for d in EVAL_DIRS):
        pytest.skip("../shared/eval and ../shared/eval-web are not here (a user's clone has no ../shared)")
    out = score(build(EVAL_DIRS), index_from(get_settings()))
    print({k: v for k, v in out.items() if k != "per_rendering"})  # shown with -s or on failure
    return out


@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(FLOORS["clusters"]))
def test_pair_metric_stays_above_its_floor(result: dict[str, Any], metric: str) -> None:
    value, floor = result["clusters"][metric], FLOORS["clusters"][metric]
    assert value >= floor - FLOORS["margin"], f"{metric} fell to {value:.4f} (floor {floor})"


@pytest.mark.slow
def test_the_set_is_the_one_described(result: dict[str, Any]) -> None:
    """Every page of both sets is in it (HTML renderings load), with 300 generated articles, and a
    few hundred pairs whose renderings both hold the article: a scorer that lost its pages would
    pass the floors on nothing."""
    assert result["pages"] >= 380
    assert result["synthetic"] == 300
    assert result["clean_positive_pairs"] >= 150
    assert result["negative_pairs"] > 500_000
