"""`flask --app wsgi twofactor rotate-key`: after putting a new key first in
TOTP_ENCRYPTION_KEY, seal every two-step secret with it so the old key can be removed."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth import twofactor

twofactor_cli = AppGroup("twofactor", help="Look after two-step sign-in.")


@twofactor_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Seal every two-step secret with the first key in TOTP_ENCRYPTION_KEY (audited)."""
    result = twofactor.reseal_all()
    click.echo(
        f"Two-step secrets: {result.resealed} sealed again with the newest key, "
        f"{result.already_current} already used it."
    )
    if result.unreadable:
        ids = ", ".join(str(user_id) for user_id in result.unreadable)
        raise click.ClickException(
            f"No key in TOTP_ENCRYPTION_KEY opens the secrets of {len(result.unreadable)} "
            f"account(s) (user ids {ids}); they were left unchanged. Put back the key they were "
            "sealed with, or ask those people to sign in with a recovery code and turn two-step "
            "sign-in off and on again."
        )
    click.echo("Every secret now uses the newest key: older keys can be removed.")
