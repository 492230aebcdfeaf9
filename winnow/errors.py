"""One exception root. Subclasses carry context; each is transient (retry) or terminal."""

from __future__ import annotations

import errno


class WinnowError(Exception):
    """Root of winnow's own errors."""

    transient = False


class ConfigError(WinnowError):
    """A rule pack or setting is malformed."""


class WarehouseError(WinnowError):
    """The warehouse cannot be opened, migrated or written."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse."""

    transient = True


class SchemaVersionError(WarehouseError):
    """The warehouse was made by a newer winnow."""


class ReadOnlyViolation(WinnowError):
    """A write was attempted on a read-only connection or without --write."""


class WarehouseBusy(WarehouseError):
    """Another ingest holds the writer lock and this run was told not to wait."""

    transient = True

    def __init__(self, message: str, holder: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.holder = holder or {}


# errno values that say "try again" rather than "this will never work".
_TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EIO", "EAGAIN", "EBUSY", "EINTR", "ETIMEDOUT", "ESTALE", "ENETDOWN", "ECONNRESET")
    if hasattr(errno, name)
)


def is_transient(exc: BaseException | None) -> bool:
    """Worth retrying: our own transient errors and I/O errors that come and go (NFS, busy disks)."""
    if isinstance(exc, WinnowError):
        return exc.transient
    if isinstance(exc, TimeoutError):
        return True
    return isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS
