"""Is the Dask scheduler the batches would go to there? Parsed and probed with one TCP connection
before Prefect starts (no Prefect import here): Dask itself would wait 30 s, inside the flow, and
the engine connects to nothing (tests/test_security.py), so the probe lives with the runner."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

DASK_PORT = 8786
CONNECT_SECONDS = 2.0


class BadAddress(ValueError):
    """Not a scheduler address (a usage error)."""


def probe(address: str, timeout: float = CONNECT_SECONDS) -> str | None:
    """None when the scheduler accepts a connection, else why not; BadAddress when `address` is
    not tcp://HOST[:PORT] (or tls://, or HOST:PORT)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or not parts.hostname:
        raise BadAddress(f"--dask-address {address!r} is not a scheduler address: use tcp://HOST:8786")
    try:
        port = parts.port or DASK_PORT
    except ValueError:
        raise BadAddress(f"--dask-address {address!r} has no valid port: use tcp://HOST:8786") from None
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        return "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
    return None
