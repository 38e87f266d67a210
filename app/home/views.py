"""Home and health check."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter
from app.home import bp
from app.home.panels import panels_for


@bp.get("/")
@login_required
def index():
    return render_template("home/index.html", user=current_user, panels=panels_for(current_user))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 when the database answers; 503 otherwise, so a load balancer stops sending traffic."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        _discard_session()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def _discard_session() -> None:
    """Throw the failed session away; on a dead connection even the rollback can fail."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.invalidate()
