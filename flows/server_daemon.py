"""The shared Prefect server's process (started by winnow.flows.local_server, detached).

One process: uvicorn serving Prefect's API app with its services (the scheduler included, which
Prefect's temporary server lacks), so nothing of it survives a SIGKILL of this process. A thread
watches the leases: once none has been held for `--idle-minutes`, the server stops itself.
SIGTERM or SIGINT stop it gracefully (uvicorn's handlers). Its state file is removed on the way out.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from winnow.flows.local_server import ServerState, clear_state, leases_held, log_path, write_state

logger = logging.getLogger("winnow.server")


def _configure(home: Path) -> None:
    """Prefect reads these at import: set them first."""
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "true"
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _watch_idle(server: object, home: Path, idle_s: float) -> None:
    while not getattr(server, "started", False):  # the idle clock starts once it serves
        if getattr(server, "should_exit", False):
            return
        time.sleep(0.1)
    last_busy = time.monotonic()
    while not getattr(server, "should_exit", False):
        time.sleep(min(2.0, max(0.2, idle_s / 4)))
        now = time.monotonic()
        if leases_held(home):
            last_busy = now
        elif now - last_busy >= idle_s:
            logger.warning("no winnow command has used this server for %.0fs: stopping", now - last_busy)
            server.should_exit = True  # type: ignore[attr-defined]
            return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="winnow-server")
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--idle-minutes", type=float, default=30.0)
    args = parser.parse_args(argv)
    home: Path = args.home
    _configure(home)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")

    import uvicorn
    from prefect.server.api.server import create_app

    api_url = f"http://127.0.0.1:{args.port}/api"
    config = uvicorn.Config(
        create_app(final=True),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    state = ServerState(
        pid=os.getpid(),
        port=args.port,
        api_url=api_url,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        idle_minutes=args.idle_minutes,
        log=str(log_path(home)),
    )
    write_state(home, state)  # callers wait for /health before they use it
    if args.idle_minutes > 0:
        threading.Thread(target=_watch_idle, args=(server, home, args.idle_minutes * 60), daemon=True).start()
    try:
        server.run()
    finally:
        clear_state(home, os.getpid())


if __name__ == "__main__":
    main()
