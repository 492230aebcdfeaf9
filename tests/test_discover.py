"""Discovery's plan (winnow.read.sources.discover): every list in path order, whatever order the
folders are walked in."""

from __future__ import annotations

import os
from pathlib import Path

from winnow.read.sources import Known, discover


def test_every_list_of_the_plan_is_in_path_order(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    # '-' sorts before '/', so "a-b.txt" comes before everything under a/; folders are walked
    # one at a time, the last found first
    names = ["b.txt", "a-b.txt", "a/x.txt", "a/b/c.md", "a/b-c.txt", "z/y/x.html", "Z.txt", "a.txt", "0.txt"]
    refused = ["a/notes.pdf", "c.doc", "z/q.bin"]
    unchanged = ["a/b/kept.txt", "z/kept.txt", "kept.txt"]
    for name in names + refused + unchanged:
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{name}\n")
    os.symlink(raw / "b.txt", raw / "a" / "link.txt")
    (raw / ".hidden.txt").write_text("not a source\n")
    manifest = {}
    for name in unchanged:
        st = (raw / name).stat()
        manifest[name] = Known("h", st.st_size, st.st_mtime_ns, "present")
    manifest["gone/old.txt"] = Known("h", 1, 1, "present")
    manifest["b.txt"] = Known("h", 999, 1, "present")  # changed: processed again

    plan = discover(raw, manifest)
    assert [e.path for e in plan.to_process] == sorted(names)
    assert [e.path for e in plan.unchanged] == sorted(unchanged)
    assert [e.path for e, _ in plan.refused] == sorted([*refused, "a/link.txt"])
    assert plan.deleted == ["gone/old.txt"]
    assert next(e for e in plan.to_process if e.path == "b.txt").prior == manifest["b.txt"]
