"""A plain, non-editable install works: the wheel carries everything winnow reads (rule packs,
settings, migrations), installs no generic top-level package, and from another directory ingests
the samples and answers a query."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SHIPPED_SAMPLES
from tests.helpers import cli_env

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_wheel_installs_and_runs_from_another_directory(prefect_harness: None, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(REPO),
        ],
        tmp_path,
    )
    (wheel,) = dist.glob("winnow-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"winnow", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}, tops
    for data in (
        "winnow/schemas/settings.toml",
        "winnow/clean/packs/generic.toml",
        "winnow/schemas/migrations/001_initial.sql",
    ):
        assert data in names, data

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    bin_dir = venv / "bin"
    # The dependencies come from the test environment (no network needed), winnow from the wheel only.
    purelib = Path(
        run(
            [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            tmp_path,
        ).strip()
    )
    (purelib / "winnow-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], tmp_path)

    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "raw").mkdir(parents=True)
    for sample in SHIPPED_SAMPLES.glob("*.txt"):
        (elsewhere / "raw" / sample.name).write_bytes(sample.read_bytes())
    env = {k: v for k, v in cli_env().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    where = run(
        [str(bin_dir / "python"), "-c", "import winnow.flows, winnow.schemas; print(winnow.flows.__file__)"],
        elsewhere,
        env,
    )
    assert where.startswith(str(purelib)), where  # the installed copy, not the repository's
    missing = subprocess.run(
        [str(bin_dir / "python"), "-c", "import flows"], cwd=elsewhere, env=env, capture_output=True
    )
    assert missing.returncode != 0  # no generic top-level package

    out = run([str(bin_dir / "winnow"), "ingest"], elsewhere, env)
    assert "6 loaded" in out, out
    counted = run(
        [str(bin_dir / "winnow"), "query", "select count(*) as n from articles", "-f", "csv"], elsewhere, env
    )
    assert counted.split() == ["n", "6"]
