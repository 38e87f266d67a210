"""Personal reflections from templates: private to their author unless shared with a supervisor."""

from flask import Blueprint

bp = Blueprint("reflections", __name__)

from app.reflections import panels, views  # noqa: E402,F401
