"""Supervision that uses real incidents, and competency observation checklists on a tablet."""

from flask import Blueprint

bp = Blueprint("supervision", __name__)

from app.supervision import (  # noqa: E402,F401
    checklist_views,
    digest,
    evidence,
    figures,
    panels,
    supervision_views,
    views,
)
