"""One exception root. Subclasses carry context; each is transient (retry) or terminal."""

from __future__ import annotations


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
