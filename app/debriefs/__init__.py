"""Team debriefs after incidents (structured, SWARM huddle, After Action Review) and the list
of unsafe workarounds that debriefs and reflections flag."""

from flask import Blueprint

bp = Blueprint("debriefs", __name__)

from app.debriefs import evidence, figures, panels, views  # noqa: E402,F401
