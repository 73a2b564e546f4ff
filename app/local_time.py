"""Times are stored in UTC (naive datetimes, like `utcnow()`); people type and read them in the installation's time
zone, `TIME_ZONE` (an IANA name such as "Europe/Paris"; default UTC). A due date typed as 17:00 means 17:00 where
the class is, not 17:00 in Greenwich."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def installation_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIME_ZONE"])  # ZoneInfo keeps its own cache of zones


def utc_from_local(typed: datetime | None) -> datetime | None:
    """A time as a person typed it (naive, in the installation's zone) as it is stored (naive UTC)."""
    if typed is None:
        return None
    return typed.replace(tzinfo=installation_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def local_from_utc(stored: datetime | None) -> datetime | None:
    if stored is None:
        return None
    return stored.replace(tzinfo=timezone.utc).astimezone(installation_zone())


def local_time(stored: datetime | None, pattern: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Template filter: a stored time as people there read it, with the zone's abbreviation by default."""
    local = local_from_utc(stored)
    return local.strftime(pattern) if local else ""
