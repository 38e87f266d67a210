"""`flask --app wsgi mail send | worker | digest`: deliver the outbox and the weekly digest."""

from __future__ import annotations

import time

import click

from app.notifications import bp
from app.notifications.digest import send_weekly_digests
from app.notifications.mail import deliver_due, wait_for_background_delivery


@bp.cli.group("mail")
def mail_group() -> None:
    """Send queued email and the weekly digest."""


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items())


@mail_group.command("send")
def send_command() -> None:
    """Send every email that is due, once (retries wait for their backoff)."""
    click.echo(_summary(deliver_due()))


@mail_group.command("worker")
@click.option("--every", default=30, show_default=True, help="Seconds between passes.")
def worker_command(every: int) -> None:
    """Keep sending: a pass every few seconds, retrying failures with backoff. Ctrl+C stops."""
    click.echo(f"Sending queued email every {every} seconds.")
    while True:
        counts = deliver_due()
        if any(counts.values()):
            click.echo(_summary(counts))
        time.sleep(every)


@mail_group.command("digest")
def digest_command() -> None:
    """Queue the weekly digest for every manager who wants it, then send what is due."""
    queued = send_weekly_digests()
    wait_for_background_delivery()
    click.echo(f"{queued} weekly digests queued.")
    click.echo(_summary(deliver_due()))
