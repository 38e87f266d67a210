"""Notifications: in-app messages, email (invitations, password reset, alerts, digests).

`cli_group=None` puts this blueprint's commands at the top level: `flask --app wsgi mail ...`.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__, cli_group=None)

from app.notifications import cli, panels, push_views, views  # noqa: E402,F401  (they register on import)
from app.notifications.alerts import connect_signals  # noqa: E402

connect_signals()
