"""Ingest on arrival: watch raw/ and run the ingest flow when files appear or change.

watchfiles delivers native file events from a background thread. The main loop coalesces them:
after the first change it waits until raw/ has been quiet for `debounce` seconds (at most
`max_wait`), then runs one ingest. A run is never interrupted by new changes; whatever arrives
while it works sets one flag, which triggers exactly one more run afterwards.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchfiles import Change, watch

from winnow.errors import WinnowError
from winnow.store.lock import is_own_file

logger = logging.getLogger("winnow.watch")


def visible_under(raw: Path, own: Path | None = None) -> Callable[[Change, str], bool]:
    """Discovery ignores hidden files and folders (editor swap files, .partial downloads): so do we.
    And never our own files: with the warehouse inside raw/, each run's writes (the file, its WAL,
    lock, journal, staging shards) would trigger the next run, for ever."""
    root = os.path.realpath(raw)
    own_dir = os.path.realpath(own.parent) if own is not None else None

    def visible(change: Change, path: str) -> bool:
        real = os.path.realpath(path)
        if own is not None and (real == own_dir or is_own_file(Path(real), own)):
            return False  # the warehouse, a file beside it, or its folder changing because of them
        rel = os.path.relpath(real, root)
        return not any(part.startswith(".") for part in Path(rel).parts if part != "..")

    return visible


class ChangeFlag:
    """Set by the watcher thread, taken by the run loop; remembers when raw/ last changed."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.first = 0.0
        self.last = 0.0
        self.count = 0

    def note(self, n: int) -> None:
        with self._lock:
            now = time.monotonic()
            if not self._event.is_set():
                self.first = now
            self.last = now
            self.count += n
            self._event.set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)

    def take(self) -> int:
        with self._lock:
            n, self.count = self.count, 0
            self._event.clear()
            return n


class _Watcher(threading.Thread):
    """Feeds file events into the flag. Native events (inotify and friends) when the system can
    give them; polling when it cannot (watch limits reached, some network file systems)."""

    def __init__(
        self, raw: Path, flag: ChangeFlag, stop: threading.Event, polling: bool, own: Path | None = None
    ) -> None:
        super().__init__(name="winnow-watch", daemon=True)
        self.raw, self.flag, self.stop, self.polling, self.own = raw, flag, stop, polling, own
        self.error: BaseException | None = None

    def _events(self, polling: bool) -> None:
        only = visible_under(self.raw, self.own)
        for changes in watch(
            self.raw,
            watch_filter=only,
            stop_event=self.stop,
            raise_interrupt=False,
            debounce=400,
            rust_timeout=500,  # how soon the stop event is noticed
            force_polling=polling or None,
        ):
            self.flag.note(len(changes))

    def run(self) -> None:
        try:
            try:
                self._events(polling=self.polling)
            except OSError as exc:
                if self.polling:
                    raise
                logger.warning("native file events unavailable (%s); polling %s instead", exc, self.raw)
                self._events(polling=True)
        except BaseException as exc:
            self.error = exc
            self.stop.set()


def watch_and_ingest(
    raw: Path,
    run: Callable[[], Any],
    debounce: float = 1.0,
    max_wait: float = 30.0,
    initial_run: bool = True,
    stop: threading.Event | None = None,
    polling: bool = False,
    own: Path | None = None,
) -> None:
    """Call `run()` (one ingest) on changes under `raw`, coalesced, until `stop` is set or the
    process is interrupted. A failed run is logged and watching goes on; if the watcher itself
    fails, this raises. Changes to `own` (the warehouse) and the files beside it named after it are
    not changes to raw/."""
    stop = stop or threading.Event()
    flag = ChangeFlag()
    watcher = _Watcher(raw, flag, stop, polling, own)
    watcher.start()
    pending = initial_run  # catch up with whatever arrived while nobody was watching
    try:
        while not stop.is_set():
            if not pending:
                if not flag.wait(timeout=0.5):
                    continue
                # Quiet period: a burst of copies is one run, not one per file.
                while not stop.is_set():
                    now = time.monotonic()
                    if now - flag.last >= debounce or now - flag.first >= max_wait:
                        break
                    time.sleep(0.1)
                if stop.is_set():
                    break
            changed = flag.take()
            pending = False
            logger.info("ingesting: %s", f"{changed} change(s) under {raw}" if changed else "catching up")
            try:
                run()
            except Exception:
                logger.exception("the ingest run failed; still watching")
    finally:
        stop.set()
        watcher.join(timeout=2)  # a daemon thread: a stop does not wait on it
    if watcher.error is not None:
        raise WinnowError(f"watching {raw} failed: {watcher.error}") from watcher.error
