"""Who else has opened a communiqué's change form lately, kept in the cache.

A courtesy, not a lock: it tells an editor that someone may be editing the same communiqué, before
the optimistic concurrency check (admin.VersionHistoryMixin) has to refuse a save. Each opening
of the form records its user and time under the communiqué's key; entries older than the window
are dropped. Two openings at the very same moment may lose one of them (the cache offers no
atomic update of a dictionary): the next opening records it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(minutes=10)


def presence_key(communique_id: int | str) -> str:
    return f"communiques:presence:{communique_id}"


def recent_openings(communique_id: int | str) -> dict[int, float]:
    """Return, by user id, when each user last opened the form within the window (timestamps)."""
    try:
        openings = cache.get(presence_key(communique_id)) or {}
    except Exception as error:
        # Each cache backend raises its own errors (redis.ConnectionError…). Without the cache
        # the form still opens and saves; it just cannot tell who else has it open.
        logger.warning("The cache is unreachable (%s): presence is not shown.", error)
        return {}
    oldest = (timezone.now() - WINDOW).timestamp()
    return {user_id: at for user_id, at in openings.items() if at > oldest}


def note_opened(communique_id: int | str, user: Any) -> None:
    """Record that the user opened the communiqué's change form now."""
    openings = recent_openings(communique_id)
    openings[user.pk] = timezone.now().timestamp()
    try:
        cache.set(presence_key(communique_id), openings, int(WINDOW.total_seconds()))
    except Exception as error:
        logger.warning("The cache is unreachable (%s): this opening is not recorded.", error)


@dataclass(frozen=True)
class Opening:
    name: str
    at: dt.datetime

    def describe(self) -> SafeString:
        """Say who opened the form and how long ago, the name isolated in <bdi>."""
        minutes = int((timezone.now() - self.at).total_seconds() // 60)
        if minutes < 1:
            message = gettext("Also opened by %(name)s less than a minute ago.")
        else:
            message = ngettext(
                "Also opened by %(name)s %(count)d minute ago.",
                "Also opened by %(name)s %(count)d minutes ago.",
                minutes,
            )
        # The translated sentence is escaped, then given the escaped name in its <bdi>: a
        # right-to-left name must not reorder the sentence around it.
        name = format_html("<bdi>{}</bdi>", self.name)
        return mark_safe(escape(message) % {"name": name, "count": minutes})


def others_recently(communique_id: int | str, user: Any) -> list[Opening]:
    """Return who else opened the communiqué's change form within the window, latest first."""
    openings = recent_openings(communique_id)
    openings.pop(user.pk, None)
    if not openings:
        return []
    users = get_user_model().objects.in_bulk(openings)
    found = [
        Opening(
            name=users[user_id].get_full_name() or users[user_id].get_username(),
            at=dt.datetime.fromtimestamp(at, tz=dt.UTC),
        )
        for user_id, at in openings.items()
        if user_id in users
    ]
    return sorted(found, key=lambda opening: opening.at, reverse=True)
