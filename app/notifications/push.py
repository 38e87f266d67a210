"""Web Push through an outbox, so a push never blocks or breaks a save.

What a push says: only "LearnLoop: something new for you" and a path on this site to open.
Never a name, a report's words or what kind of event it was: a phone's lock screen is seen by
anyone nearby, and the push service (Google, Mozilla, Apple) reads nothing but ciphertext
anyway. The page opened shows the detail after sign-in, or after the receipt code.

How a push travels, as email does (app/notifications/mail.py):

1. `queue_for_person()` or `queue_for_receipt()` adds an `OutboundPush` row per subscription
   to the current transaction: a rolled-back change pushes nothing.
2. After the commit a background thread sends what is due (`PUSH_SEND_AFTER_COMMIT`), and
   `flask --app wsgi push worker` retries failures with backoff
   (`PUSH_RETRY_BASE_SECONDS` x 2^attempts) until `PUSH_MAX_ATTEMPTS`.
3. A push service answering 404 or 410 says the subscription is gone: it is deleted.

Keys: VAPID (RFC 8292) with `VAPID_PRIVATE_KEY` from the environment, made by
`flask --app wsgi push generate-keys`; the public key the browser needs is derived from it.
Encryption (RFC 8291, aes128gcm) and signing are pywebpush's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from email.utils import parseaddr
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from requests import RequestException
from sqlalchemy import delete, select, update

from app import outbox
from app.extensions import db
from app.models import OutboundPush, PushStatus, PushSubscription, User, utcnow
from app.outbox import AfterCommitSender

log = logging.getLogger("learnloop.push")

TITLE = "LearnLoop"
BODY = "Something new for you"
RECEIPT_PATH = "/reports/receipt"
# In-app notification kinds that also go to the person's phones, when they turned push on:
# thanks and learning on their report, and the managers' alerts.
PUSH_KINDS = frozenset(
    {
        "report_feedback",
        "report_alert",
        "restrictive_practice",
        "safeguarding",
        "escalation_overdue",
        "conversation",
    }
)
GONE_STATUSES = frozenset({404, 410})


# ---- keys ---------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_keys() -> tuple[str, str]:
    """A new VAPID key pair: the private key (32 bytes) and the public key (an uncompressed
    P-256 point), both base64url without padding."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _b64(private), public_key_of(_b64(private))


@cache
def public_key_of(private_key: str) -> str:
    """The application server key a browser subscribes with, from the private key."""
    vapid = Vapid.from_string(private_key=private_key)
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(point)


def is_enabled() -> bool:
    return bool(current_app.config.get("VAPID_PRIVATE_KEY"))


def public_key() -> str | None:
    private = current_app.config.get("VAPID_PRIVATE_KEY")
    return public_key_of(private) if private else None


def subject() -> str:
    """Who the push services may contact about our pushes (RFC 8292): a mailto: or https URL."""
    config = current_app.config
    if config.get("VAPID_SUBJECT"):
        return config["VAPID_SUBJECT"]
    base = config.get("APP_BASE_URL") or ""
    if base.startswith("https://"):
        return base
    return "mailto:" + (parseaddr(config.get("MAIL_FROM") or "")[1] or "no-reply@learnloop.invalid")


def payload(path: str) -> str:
    return json.dumps({"title": TITLE, "body": BODY, "path": path})


# ---- subscriptions ------------------------------------------------------------------------


class SubscriptionInvalid(ValueError):
    pass


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _checked(data) -> tuple[str, str, str]:
    """The endpoint and keys of a browser's PushSubscription.toJSON(), or SubscriptionInvalid."""
    if not isinstance(data, dict):
        raise SubscriptionInvalid("No subscription was sent.")
    endpoint = data.get("endpoint")
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        raise SubscriptionInvalid("The subscription has no endpoint.")
    if len(endpoint) > 2000:
        raise SubscriptionInvalid("The endpoint is too long.")
    for value, limit in ((p256dh, 200), (auth, 100)):
        if not isinstance(value, str) or not value or len(value) > limit:
            raise SubscriptionInvalid("The subscription keys are missing.")
    return endpoint, p256dh, auth


def subscribe(data, *, user: User | None = None, receipt_hash: str | None = None) -> None:
    """Keep a browser's subscription for a person or for one receipt code (committed). The
    same endpoint subscribing again replaces the old row, whoever it belonged to."""
    if (user is None) == (receipt_hash is None):
        raise ValueError("A subscription belongs to a person or to a receipt code.")
    endpoint, p256dh, auth = _checked(data)
    digest = endpoint_hash(endpoint)
    db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint_hash == digest))
    created = utcnow()
    if receipt_hash is not None:  # the day only: a moment would sit beside sign-ins
        created = created.replace(hour=0, minute=0, second=0, microsecond=0)
    db.session.add(
        PushSubscription(
            endpoint_hash=digest,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            user_id=user.id if user else None,
            receipt_hash=receipt_hash,
            created_at=created,
        )
    )
    db.session.commit()


def unsubscribe(endpoint: str, *, user: User | None = None, receipt_hash: str | None = None):
    """Forget one endpoint, only if it belongs to this person or this receipt code."""
    query = delete(PushSubscription).where(
        PushSubscription.endpoint_hash == endpoint_hash(endpoint or "")
    )
    if user is not None:
        query = query.where(PushSubscription.user_id == user.id)
    else:
        query = query.where(PushSubscription.receipt_hash == receipt_hash)
    removed = db.session.execute(query).rowcount
    db.session.commit()
    return removed


def subscribed(endpoint: str, user: User) -> bool:
    return (
        db.session.scalar(
            select(PushSubscription.id).where(
                PushSubscription.endpoint_hash == endpoint_hash(endpoint or ""),
                PushSubscription.user_id == user.id,
            )
        )
        is not None
    )


# ---- queueing -----------------------------------------------------------------------------


def _queue(subscriptions, path: str) -> int:
    count = 0
    for subscription in subscriptions:
        db.session.add(
            OutboundPush(
                subscription_id=subscription.id,
                path=path[:200],
                status=PushStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
            )
        )
        count += 1
    if count:
        sender.mark_queued()
    return count


def queue_for_person(user_id: int, path: str) -> int:
    """One push to each of the person's devices (in the caller's transaction)."""
    if not is_enabled():
        return 0
    found = db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id))
    return _queue(found, path)


def queue_for_receipt(receipt_hash: str | None) -> int:
    """One push to each phone that asked to hear about this receipt code's report."""
    if not receipt_hash or not is_enabled():
        return 0
    found = db.session.scalars(
        select(PushSubscription).where(PushSubscription.receipt_hash == receipt_hash)
    )
    return _queue(found, RECEIPT_PATH)


def for_notification(user: User, kind: str, link: str | None) -> None:
    """Called for every in-app notification: the kinds in PUSH_KINDS go to the person's
    phones too, while their account is active."""
    if kind in PUSH_KINDS and user.active:
        queue_for_person(user.id, link or "/notifications")


# ---- delivery -----------------------------------------------------------------------------


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Send every push that is due; return how many were sent, retried, failed or gone."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "gone": 0}
    if not is_enabled():
        return counts
    due = outbox.due_ids(OutboundPush, PushStatus, limit)
    for push_id in due:
        outcome = _deliver_one(push_id)
        if outcome:
            counts[outcome] += 1
    return counts


def send(subscription: PushSubscription, path: str):
    """Encrypt and send one push now (raises WebPushException or RequestException)."""
    config = current_app.config
    return webpush(
        {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        },
        data=payload(path),
        vapid_private_key=Vapid.from_string(private_key=config["VAPID_PRIVATE_KEY"]),
        vapid_claims={"sub": subject()},
        ttl=24 * 3600,
        timeout=config["PUSH_TIMEOUT_SECONDS"],
        headers={"Urgency": "normal"},
    )


def _deliver_one(push_id: int) -> str | None:
    push = outbox.claim(OutboundPush, PushStatus, push_id)
    if push is None:
        return None
    subscription = push.subscription
    if subscription is None:  # unsubscribed since it was queued
        push.status = PushStatus.GONE
        db.session.commit()
        return "gone"
    try:
        send(subscription, push.path)
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in GONE_STATUSES:
            return _gone(push, subscription, status)
        return _record_failure(push, f"push service answered {status}")
    except RequestException as error:
        return _record_failure(push, type(error).__name__)
    push.status = PushStatus.SENT
    push.attempts += 1
    push.sent_at = utcnow()
    push.last_error = None
    db.session.commit()
    return "sent"


def _gone(push: OutboundPush, subscription: PushSubscription, status: int) -> str:
    """The push service no longer knows this subscription: forget it (and its waiting pushes)."""
    push.status = PushStatus.GONE
    push.attempts += 1
    push.last_error = f"push service answered {status}: subscription removed"
    db.session.execute(
        update(OutboundPush)
        .where(
            OutboundPush.subscription_id == subscription.id,
            OutboundPush.status == PushStatus.PENDING,
        )
        .values(status=PushStatus.GONE)
    )
    db.session.delete(subscription)
    db.session.commit()
    return "gone"


def _record_failure(push: OutboundPush, reason: str) -> str:
    config = current_app.config
    return outbox.record_failure(
        push,
        PushStatus,
        reason,
        max_attempts=config["PUSH_MAX_ATTEMPTS"],
        base_seconds=config["PUSH_RETRY_BASE_SECONDS"],
    )


# The background sender after each commit that queued a push (hooks in app/hooks.py).
sender = AfterCommitSender("push", "push_queued", "PUSH_SEND_AFTER_COMMIT", deliver_due)
send_after_commit = sender.send_after_commit
forget_queued_pushes = sender.forget_queued
wait_for_background_delivery = sender.wait_for_background_delivery
