"""Times are stored in UTC (naive datetimes, like `utcnow()`); people type and read them in their own time zone: the
one they chose on their account page, or else the installation's, `TIME_ZONE` (an IANA name such as
"Europe/Paris"; default UTC). A due date typed as 17:00 means 17:00 where the teacher is, not 17:00 in Greenwich,
and a learner elsewhere reads it in their own zone, with the zone's abbreviation."""

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, has_request_context
from flask_login import current_user

# Aliases and internals of the time zone database that nobody would look for under their own name.
_NOT_OFFERED = ("Etc/", "SystemV/", "posix", "right/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


@lru_cache(maxsize=1)
def offered_time_zones() -> tuple[str, ...]:
    """The IANA names a person can choose from ("Africa/Nairobi", "America/Bogota" ... and "UTC"), sorted."""
    return tuple(sorted(name for name in available_timezones()
                        if ("/" in name and not name.startswith(_NOT_OFFERED)) or name == "UTC"))


def installation_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIME_ZONE"])  # ZoneInfo keeps its own cache of zones


def display_zone() -> ZoneInfo:
    """The signed-in person's chosen zone, else the installation's (signed out, outside a request, or a zone that a
    newer time zone database no longer knows)."""
    chosen = current_user.time_zone if has_request_context() and current_user.is_authenticated else None
    if chosen:
        try:
            return ZoneInfo(chosen)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return installation_zone()


def utc_from_local(typed: datetime | None) -> datetime | None:
    """A time as a person typed it (naive, in their zone) as it is stored (naive UTC)."""
    if typed is None:
        return None
    return typed.replace(tzinfo=display_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def local_from_utc(stored: datetime | None) -> datetime | None:
    if stored is None:
        return None
    return stored.replace(tzinfo=timezone.utc).astimezone(display_zone())


def local_time(stored: datetime | None, pattern: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Template filter: a stored time as the person reading it reads it, with the zone's abbreviation by default."""
    local = local_from_utc(stored)
    return local.strftime(pattern) if local else ""


def certificate_date(issued_at: datetime) -> str:
    """A certificate's date, in the installation's zone: the same for its holder, its PDF and whoever verifies it,
    wherever each of them is."""
    return issued_at.replace(tzinfo=timezone.utc).astimezone(installation_zone()).strftime("%Y-%m-%d")
