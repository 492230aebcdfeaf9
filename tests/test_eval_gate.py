"""Quality gate: extraction on ../shared/eval must not fall below the floors in eval_floors.toml.

Like trafilatura's tests/eval_gate.py: real pages, the benchmark's own scorer, pinned floors with a
small noise margin. Skipped cleanly where ../shared/eval is absent (a user's clone).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import SHARED
from winnow.evaluate import run_eval

EVAL = SHARED / "eval"
FLOORS = tomllib.loads((Path(__file__).parent / "eval_floors.toml").read_text("utf-8"))


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    if not (EVAL / "score.py").is_file() or not (EVAL / "truth").is_dir():
        pytest.skip("../shared/eval is not here (a user's clone has no ../shared)")
    table, result = run_eval(EVAL, tmp_path_factory.mktemp("eval"))
    print(table)  # shown with -s or on failure: the whole scorer table
    return {name.removeprefix("winnow "): s["metrics"] for name, s in result["systems"].items()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "metric"),
    [(path, metric) for path in ("html", "text") for metric in FLOORS[path]],
)
def test_metric_stays_above_its_floor(summary: dict[str, dict[str, float]], path: str, metric: str) -> None:
    floor = FLOORS[path][metric]
    value = summary[path][metric]
    assert value >= floor - FLOORS["margin"], f"{path} {metric} fell to {value:.4f} (floor {floor})"


@pytest.mark.slow
def test_every_page_gets_a_prediction(summary: dict[str, dict[str, float]]) -> None:
    assert summary["html"]["missing_pred_files"] == 0 and summary["text"]["missing_pred_files"] == 0
