"""LearnLoop: learning after incidents in adult social care.

create_app() reads like a table of contents: settings, extensions, the hooks that run on every
commit (app/hooks.py: the only ones), blueprints, commands, error pages and security headers.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import pool
from app.config import build_config
from app.extensions import compress, csrf, db, htmx, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment's settings (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    env = (config or {}).get("ENV_NAME") or os.environ.get("LEARNLOOP_ENV", "development")
    app.config.update(build_config(env, Path(app.instance_path)))
    app.config.update(config or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = pool.engine_options(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_session_hooks(app)
    register_input_checks(app)
    register_edit_versions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    if proxies := int(os.environ.get("TRUSTED_PROXIES", "0")):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    from app import cache, sqlite

    cache.init_cache(app)

    sqlite.tune_connections(app)
    pool.check_checkouts(app)


def register_session_hooks(app: Flask) -> None:
    """The page cache's generation bump and the mail and push senders, after every commit (app/hooks.py).
    Nothing else runs behind `db.session.commit()`: every other write is explicit."""
    from app.hooks import register_session_hooks as register

    register(app)


def register_input_checks(app: Flask) -> None:
    """Bounded ids in URLs and unusable input refused at the door (before any route exists)."""
    from app.inputs import init_inputs

    init_inputs(app)


def register_edit_versions(app: Flask) -> None:
    """A save from an out-of-date form is refused with what changed (app/concurrency.py)."""
    from app.concurrency import init_concurrency

    init_concurrency(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area (see DESIGN.md): each is a package under app/."""
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.debriefs import bp as debriefs_bp
    from app.governance import bp as governance_bp
    from app.governance.share_public import bp as share_bp
    from app.home import bp as home_bp
    from app.library import bp as library_bp
    from app.library import induction_bp
    from app.notifications import bp as notifications_bp
    from app.people import bp as people_bp
    from app.pwa import bp as pwa_bp
    from app.reflections import bp as reflections_bp
    from app.reports import bp as reports_bp
    from app.safeguarding import bp as safeguarding_bp
    from app.supervision import bp as supervision_bp

    for blueprint in (
        home_bp,
        auth_bp,
        people_bp,
        admin_bp,
        reports_bp,
        debriefs_bp,
        reflections_bp,
        supervision_bp,
        safeguarding_bp,
        library_bp,
        induction_bp,
        governance_bp,
        share_bp,
        notifications_bp,
        pwa_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from app.cli import register_commands as register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register_error_handlers

    register_error_handlers(app)


def register_request_hooks(app: Flask) -> None:
    from app.navigation import nav_for, nav_groups, signed_in_header
    from app.security import init_security

    init_security(app)
    app.after_request(_buffer_static_files)
    app.jinja_env.globals["nav_for"] = nav_for
    app.jinja_env.globals["nav_groups"] = nav_groups
    app.jinja_env.globals["signed_in_header"] = signed_in_header


def _buffer_static_files(response):
    """Read small static files into memory so Flask-Compress can gzip them as well as brotli
    (it compresses streamed responses with brotli only, and plain-HTTP browsers ask for gzip)."""
    from flask import request

    if request.endpoint == "static" and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()
    return response
