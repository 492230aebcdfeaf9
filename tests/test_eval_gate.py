"""Quality gate: extraction on every dev set and rendering must not fall below the floors in
eval_floors.toml: ../shared/eval (60 real pages, token-bag scorer) and ../shared/eval-web (329
pages of trafilatura's benchmark, snippet scorer), each as html/, text/, text_wrapped/, text_w3m/.

Like trafilatura's tests/eval_gate.py: real pages, each benchmark's own scorer, pinned floors with a
small noise margin, and a ceiling on rejected pages. Skipped cleanly where ../shared is absent (a
user's clone). The eight folders take about two minutes on the 2-core CI machine (bench figures in
the README).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED
from winnow.evaluate import run_evals

EVAL = SHARED / "eval"
FLOORS = tomllib.loads((Path(__file__).parent / "eval_floors.toml").read_text("utf-8"))
SETS = [name for name in FLOORS if isinstance(FLOORS[name], dict)]
CASES = [(s, r, m) for s in SETS for r in FLOORS[s] for m in FLOORS[s][r] if m != "max_rejected"]


def _present(name: str) -> bool:
    return (SHARED / name / "score.py").is_file() and (SHARED / name / "truth").is_dir()


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    present = [SHARED / name for name in SETS if _present(name)]
    if not present:
        pytest.skip("../shared/eval and ../shared/eval-web are not here (a user's clone has no ../shared)")
    table, result = run_evals(present, tmp_path_factory.mktemp("eval"))
    print(table)  # shown with -s or on failure: every scorer's table and the overview
    return result


def _metrics(summaries: dict[str, dict[str, Any]], name: str, rendering: str) -> dict[str, Any]:
    if name not in summaries:
        pytest.skip(f"../shared/{name} is not here")
    systems = summaries[name]["systems"]
    assert f"winnow {rendering}" in systems, f"{name}/{rendering} was not evaluated"
    return dict(systems[f"winnow {rendering}"]["metrics"])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rendering", "metric"), CASES)
def test_metric_stays_above_its_floor(
    summaries: dict[str, dict[str, Any]], name: str, rendering: str, metric: str
) -> None:
    floor = FLOORS[name][rendering][metric]
    value = _metrics(summaries, name, rendering)[metric]
    assert value >= floor - FLOORS["margin"], (
        f"{name} {rendering} {metric} fell to {value:.4f} (floor {floor})"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rendering"), [(s, r) for s in SETS for r in FLOORS[s]])
def test_rejected_pages_stay_under_their_ceiling(
    summaries: dict[str, dict[str, Any]], name: str, rendering: str
) -> None:
    metrics = _metrics(summaries, name, rendering)
    assert metrics["missing_pred_files"] == 0
    rejected = summaries[name]["rejected"][rendering]
    ceiling = FLOORS[name][rendering]["max_rejected"]
    assert rejected <= ceiling, f"{name} {rendering}: {rejected} pages rejected (at most {ceiling})"


@pytest.mark.slow
def test_eval_command_writes_one_prediction_per_page(tmp_path: Path) -> None:
    if not _present("eval"):
        pytest.skip("../shared/eval is not here (a user's clone has no ../shared)")
    import json

    from typer.testing import CliRunner

    from winnow.cli.main import app

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["eval", str(EVAL), "--out", str(out), "--path", "text_wrapped"])
    assert result.exit_code == 0, result.output
    assert "winnow text_wrapped" in result.output and "tokF1" in result.output
    assert "rendering" in result.output  # the overview table
    pages = sorted(p.stem for p in (EVAL / "text_wrapped").glob("*.txt"))
    written = sorted(p.stem for p in (out / "eval" / "text_wrapped").glob("*.json") if p.name != "_meta.json")
    assert written == pages
    pred = json.loads((out / "eval" / "text_wrapped" / f"{pages[0]}.json").read_text("utf-8"))
    assert set(pred) >= {"body", "title", "authors", "published", "language"}
    bad = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert bad.exit_code == 1 and "not an evaluation folder" in bad.output
