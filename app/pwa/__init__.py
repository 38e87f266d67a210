"""The installable, offline app: manifest, service worker, offline page and the outbox page."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from app.pwa import views  # noqa: E402,F401
