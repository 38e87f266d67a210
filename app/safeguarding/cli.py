"""`flask --app wsgi safeguarding check-overdue`: alert on escalations still outstanding.

Run it from cron (every 15 minutes, say). Each overdue concern is alerted once; notifications
subscribe to the `safeguarding_escalation_overdue` signal and tell the managers.
"""

from __future__ import annotations

import click

from app.safeguarding import bp
from app.safeguarding.services import alert_overdue_escalations, escalation_hours


@bp.cli.command("check-overdue")
@click.option("--again", is_flag=True, help="Alert again for concerns already alerted.")
def check_overdue_command(again: bool) -> None:
    """Send an alert for each concern not escalated within the configured hours."""
    sent = alert_overdue_escalations(again=again)
    if not sent:
        click.echo("No new safeguarding escalations are overdue.")
        return
    click.echo(
        f"{sent} safeguarding {'concern' if sent == 1 else 'concerns'} not escalated within "
        f"{escalation_hours():g} hours: {'an alert' if sent == 1 else 'alerts'} sent."
    )
