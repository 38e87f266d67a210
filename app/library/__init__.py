"""The learning library (/library), learning bulletins and the induction pathway (/induction).

Two blueprints: `library` for articles, bulletins and search, `induction` for the reading list
new starters work through. Both share the services in this package.
"""

from flask import Blueprint

bp = Blueprint("library", __name__)
induction_bp = Blueprint("induction", __name__)

from app.library import (  # noqa: E402,F401  (routes, panels, figures, evidence, offline pages)
    cli,
    digest,
    evidence,
    figures,
    offline,
    panels,
    views,
)
