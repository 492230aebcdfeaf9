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


@pytest.mark.slow
def test_eval_command_writes_one_prediction_per_page(tmp_path: Path) -> None:
    if not (EVAL / "score.py").is_file():
        pytest.skip("../shared/eval is not here (a user's clone has no ../shared)")
    import json

    from typer.testing import CliRunner

    from winnow.cli.main import app

    result = CliRunner().invoke(app, ["eval", str(EVAL), "--out", str(tmp_path), "--path", "text"])
    assert result.exit_code == 0, result.output
    assert "winnow text" in result.output and "tokF1" in result.output
    pages = sorted(p.stem for p in (EVAL / "text").glob("*.txt"))
    written = sorted(p.stem for p in (tmp_path / "text").glob("*.json") if p.name != "_meta.json")
    assert written == pages
    pred = json.loads((tmp_path / "text" / f"{pages[0]}.json").read_text("utf-8"))
    assert set(pred) >= {"body", "title", "authors", "published", "language"}
    bad = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert bad.exit_code == 1 and "not an evaluation folder" in bad.output
