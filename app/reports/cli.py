"""`flask --app wsgi reports release-anonymous`: run it from cron every minute.

It releases the anonymous reports whose random release time has come (app/reports/anonymity.py).
App processes also check on ordinary pages, at most once a minute, so reports still reach
managers if cron stops; cron makes sure they do on a quiet night with nobody signed in.
"""

from __future__ import annotations

import click
from flask import current_app, request
from flask_login import current_user

from app.reports import anonymity, bp

bp.cli.short_help = "Anonymous report release."


@bp.cli.command("release-anonymous")
def release_anonymous_command() -> None:
    """Release the anonymous reports that are due, in one shuffled batch."""
    released = anonymity.release_due()
    click.echo(f"{released} anonymous report{'s' if released != 1 else ''} released.")
    from app.reports import conversation

    answers = conversation.release_due()
    click.echo(f"{answers} message{'s' if answers != 1 else ''} from anonymous reporters released.")


# Requests that never run the check: sending a report (its own sender's request must not
# release anything), static files and the offline app's own files.
_NO_CHECK_PREFIXES = ("/static/", "/sw.js", "/manifest.webmanifest", "/api/")


@bp.before_app_request
def release_due_anonymous_reports() -> None:
    """Release what is due on an ordinary signed-in page, at most once a minute per process.

    The cheap tests come first: between two checks this hook reads one time from memory and
    sends nothing to the database, and it does not load the signed-in person either (the view
    does that when it needs to)."""
    if not current_app.config.get("ANONYMOUS_RELEASE_ON_REQUESTS"):
        return
    if request.method != "GET" or request.path.startswith(_NO_CHECK_PREFIXES):
        return
    if not anonymity.request_check_due():
        return
    if not current_user.is_authenticated:
        return
    anonymity.release_from_requests()
