"""Reporting near misses and incidents, triage, review, and thanks and learning for reporters."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import cli, conversation_views, home, needs_action, views  # noqa: E402,F401  (routes, panels, commands register on import)
