"""Reporting near misses and incidents, triage, review, and thanks and learning for reporters."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import (  # noqa: E402,F401  (routes, commands, figures, evidence, panels)
    cli,
    conversation_views,
    evidence,
    figures,
    panels,
    views,
)
