"""Push notifications for this device, from "My account", and `flask --app wsgi push ...`.

POST /account/push (JSON: the browser's PushSubscription) keeps this device's subscription
for the person signed in; POST /account/push/remove (JSON: its endpoint) forgets it. Both
take the CSRF token in the X-CSRFToken header. Anonymous reporters subscribe by receipt code
instead (app/reports/conversation_views.py), never through these.
"""

from __future__ import annotations

import time

import click
from flask import jsonify, request
from flask_login import current_user, login_required

from app.notifications import bp, push


@bp.post("/account/push")
@login_required
def push_subscribe():
    if not push.is_enabled():
        return jsonify(error="Notifications are not set up on this server."), 409
    try:
        push.subscribe((request.get_json(silent=True) or {}).get("subscription"), user=current_user)
    except push.SubscriptionInvalid as error:
        return jsonify(error=str(error)), 400
    return jsonify(subscribed=True), 201


@bp.post("/account/push/remove")
@login_required
def push_unsubscribe():
    endpoint = (request.get_json(silent=True) or {}).get("endpoint")
    push.unsubscribe(str(endpoint or ""), user=current_user)
    return jsonify(subscribed=False)


@bp.app_template_global()
def push_public_key() -> str | None:
    """The VAPID public key for the page's subscribe button (None: push is off here)."""
    return push.public_key()


# ---- commands -------------------------------------------------------------------------------


@bp.cli.group("push")
def push_group() -> None:
    """Web Push: keys and sending."""


@push_group.command("generate-keys")
def generate_keys_command() -> None:
    """Print a new VAPID key pair. Put the private key in VAPID_PRIVATE_KEY; changing it
    later means every device must turn notifications on again."""
    private, public = push.generate_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(
        f"# public key (derived from the private key; browsers get it from the app): {public}"
    )


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items())


@push_group.command("send")
def send_command() -> None:
    """Send every push that is due, once (retries wait for their backoff)."""
    click.echo(_summary(push.deliver_due()))


@push_group.command("worker")
@click.option("--every", default=30, show_default=True, help="Seconds between passes.")
def worker_command(every: int) -> None:
    """Keep sending: a pass every few seconds, retrying failures with backoff. Ctrl+C stops."""
    click.echo(f"Sending queued pushes every {every} seconds.")
    while True:
        counts = push.deliver_due()
        if any(counts.values()):
            click.echo(_summary(counts))
        time.sleep(every)
