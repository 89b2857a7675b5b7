"""Telling people: write outbox rows, then deliver them by e-mail or group-chat robot.

`notifications_announce` runs inside the transaction that decided an event (so the rows
exist exactly when the decision committed) and enqueues one delivery task per row after
commit. `notification_send` delivers one row at most once: it first claims the attempt with
a conditional UPDATE, so a duplicated task (a retry and a re-drive, two workers) sends
nothing twice. A failed attempt is retried after 1, 2, 4, 8 and 16 minutes; after the
sixth failure the row is given up (kept, with its last error, for the admin to see).
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from vcdesk.core.rawsql import insert_rows
from vcdesk.notify.choices import Channel, WebhookKind
from vcdesk.notify.models import Notification, Team

MAX_ATTEMPTS = 6
# A claimed attempt that has not finished by then (the worker died) may be tried again.
ATTEMPT_LEASE = timedelta(minutes=5)
WEBHOOK_TIMEOUT_SECONDS = 10
# Notifications per delivery task: few task rows per sweep, yet workers share a large one.
DELIVERY_CHUNK = 20
# More than this at once (a sweep): tasks of SPLIT_PART ids that a worker splits into chunks.
SPLIT_ABOVE = 5 * DELIVERY_CHUNK
SPLIT_PART = 1000


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


@dataclass(frozen=True)
class Announcement:
    """One event to tell: the message, the users told, and what it is about.

    `teams` are told even when none of their members is among `users` (e.g. the head of
    service's team); the teams of the users are added by `notifications_announce`.
    """

    subject: str
    lines: tuple[str, ...]
    user_ids: frozenset[int]
    team_ids: frozenset[int] = frozenset()
    clock_id: int | None = None
    record_id: int | None = None
    level_name: str = ""


def notifications_announce(announcements: Iterable[Announcement]) -> QuerySet[Notification]:
    """Write the outbox rows for these announcements and deliver them after commit; the rows
    written (a query, run only if the caller reads it).

    For each announcement: one e-mail per distinct address among the active users and their
    teams' group addresses, and one robot message per team with a robot. Call inside the
    transaction that decided the events; queries are batched over all announcements.
    """
    announcements = list(announcements)
    user_ids = set().union(*(a.user_ids for a in announcements))
    email_of = dict(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "email")
    )
    teams_of: dict[int, set[int]] = {}
    for team_id, user_id in Team.members.through.objects.filter(user_id__in=email_of).values_list(
        "team_id", "user_id"
    ):
        teams_of.setdefault(user_id, set()).add(team_id)
    team_ids = set().union(*teams_of.values(), *(a.team_ids for a in announcements))
    teams = Team.objects.in_bulk(team_ids)

    now = timezone.now()
    rows = []  # values of ROW_FIELDS
    for announcement in announcements:
        told = announcement.user_ids
        mine = set(announcement.team_ids).union(*(teams_of.get(u, ()) for u in told))
        my_teams = sorted((teams[t] for t in mine if t in teams), key=lambda t: t.name)
        addresses = [email_of[u] for u in sorted(told) if email_of.get(u)]
        addresses += [team.email for team in my_teams if team.email]
        about = (
            announcement.subject[:200],
            announcement.clock_id,
            announcement.record_id,
            announcement.level_name,
            now,  # created_at
            now,  # next_attempt_at: deliver at once
            0,  # attempts
            "",  # last_error
        )
        body = "\n".join(announcement.lines)
        for address in dict.fromkeys(a.lower() for a in addresses):
            rows.append((Channel.EMAIL.value, address, None, body, *about))
        for team in my_teams:
            if team.webhook_kind != WebhookKind.NONE:
                markdown = _markdown(announcement.subject, announcement.lines)
                rows.append((team.webhook_kind, team.name, team.pk, markdown, *about))
    # A sweep writes thousands at once: rows, not model instances (vcdesk.core.rawsql).
    ids = insert_rows(Notification, ROW_FIELDS, rows)
    if ids:
        transaction.on_commit(lambda: notifications_enqueue(ids))
    return Notification.objects.filter(pk__in=ids).order_by("pk")


# The columns notifications_announce writes (sent_at stays NULL: not sent yet).
ROW_FIELDS = (
    "channel",
    "recipient",
    "team",
    "body",
    "subject",
    "clock",
    "record",
    "level_name",
    "created_at",
    "next_attempt_at",
    "attempts",
    "last_error",
)


def _markdown(subject: str, lines: tuple[str, ...]) -> str:
    # Both robots render markdown; a blank line between lines keeps DingTalk from joining them.
    return "\n\n".join((f"**{subject}**", *lines))


def notifications_enqueue(ids: list[int], *, run_after: datetime | None = None) -> None:
    """Enqueue the delivery of these notifications, DELIVERY_CHUNK to a task, in one
    transaction; workers share the tasks. A sweep's thousands go as a few tasks of up to
    SPLIT_PART ids instead, which the worker splits into chunks (`notifications_split`): the
    sweep then writes a handful of task rows, not hundreds."""
    part = DELIVERY_CHUNK if len(ids) <= SPLIT_ABOVE else SPLIT_PART
    _enqueue_parts(ids, part, run_after=run_after)


def notifications_split(ids: list[int]) -> None:
    """Enqueue the delivery of a large part, DELIVERY_CHUNK to a task (run by a worker)."""
    _enqueue_parts(ids, DELIVERY_CHUNK)


def _enqueue_parts(ids: list[int], part: int, *, run_after: datetime | None = None) -> None:
    from vcdesk.notify.tasks import notifications_deliver

    deliver = (
        notifications_deliver.using(run_after=run_after) if run_after else notifications_deliver
    )
    with transaction.atomic():
        for start in range(0, len(ids), part):
            deliver.enqueue(ids[start : start + part])


def notifications_send(*, notification_ids: list[int]) -> None:
    """Deliver each notification; enqueue each failed one again for its retry time."""
    for notification_id in notification_ids:
        retry_at = notification_send(notification_id=notification_id)
        if retry_at is not None:
            notifications_enqueue([notification_id], run_after=retry_at)


class DeliveryFailed(Exception):
    """The mail server or the robot refused or did not answer."""


def notification_send(*, notification_id: int) -> datetime | None:
    """Try to deliver one notification now; return when to try again, or None when it was
    sent, given up, already sent, or is not due (another attempt holds it)."""
    now = timezone.now()
    notification = Notification.objects.select_related("team").filter(pk=notification_id).first()
    if notification is None or notification.sent_at is not None:
        return None
    attempt = notification.attempts + 1
    # Claim this attempt: of two tasks for the same row, only one passes this UPDATE.
    claimed = Notification.objects.filter(
        pk=notification.pk,
        sent_at__isnull=True,
        attempts=notification.attempts,
        attempts__lt=MAX_ATTEMPTS,
        next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return None
    try:
        _deliver(notification)
    except Exception as exc:  # any failure is recorded and retried
        retry_at = now + retry_delay(attempt) if attempt < MAX_ATTEMPTS else None
        Notification.objects.filter(pk=notification.pk, attempts=attempt).update(
            next_attempt_at=retry_at, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return retry_at
    Notification.objects.filter(pk=notification.pk).update(
        sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return None


def notifications_redrive(*, now: datetime | None = None) -> list[int]:
    """Unsent notifications whose attempt is overdue by more than the lease — their task was
    lost (the process stopped between commit and enqueue, a worker died) — enqueued again;
    a duplicate task is harmless (see notification_send). Returns their ids."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            next_attempt_at__isnull=False,
            next_attempt_at__lte=now - ATTEMPT_LEASE,
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    notifications_enqueue(ids)
    return ids


def _deliver(notification: Notification) -> None:
    if notification.channel == Channel.EMAIL:
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient],
            fail_silently=False,
        )
        return
    team = notification.team
    if team is None or not team.webhook_url:
        raise DeliveryFailed("the team or its robot was removed")
    if notification.channel == Channel.WECOM:
        payload = {"msgtype": "markdown", "markdown": {"content": notification.body}}
        _post_json(team.webhook_url, payload)
    elif notification.channel == Channel.DINGTALK:
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": notification.subject, "text": notification.body},
        }
        _post_json(dingtalk_signed_url(team.webhook_url, team.webhook_secret), payload)
    else:
        raise DeliveryFailed(f"unknown channel {notification.channel!r}")


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """The robot URL with DingTalk's signature when the robot signs (加签): `timestamp` in
    milliseconds and `sign` = URL-encoded base64 of HMAC-SHA256(secret, "timestamp\\nsecret")."""
    if not secret:
        return url
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def _post_json(url: str, payload: dict) -> None:
    """POST JSON to a robot; a non-2xx answer or an `errcode` other than 0 is a failure."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}: {exc.read()[:200]!r}") from exc
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return  # a 2xx answer that is not JSON: the robot accepted it
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryFailed(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
