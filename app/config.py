"""Settings read from the environment, with safe defaults for development.

Production refuses to start without a real SECRET_KEY, DATABASE_URL, TOTP_ENCRYPTION_KEY and
APP_BASE_URL;
development generates a secret into the instance folder on first run so `make run` just works.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _release_minutes() -> int:
    """Anonymous reports wait for release at most this long; windows start at midnight UTC,
    so the length must divide a day (and a report stays in the month it was sent in)."""
    minutes = _int("ANONYMOUS_RELEASE_MINUTES", 15)
    if not 1 <= minutes <= 120 or 1440 % minutes:
        raise RuntimeError(
            "ANONYMOUS_RELEASE_MINUTES must be between 1 and 120 and divide a day "
            "(for example 5, 10, 15, 20, 30 or 60)."
        )
    return minutes


def _development_secret(instance_path: Path) -> str:
    """Read, or create once, a random secret kept in the instance folder (never in git)."""
    secret_file = instance_path / "secret_key"
    if secret_file.exists():
        return secret_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    secret_file.write_text(secret)
    secret_file.chmod(0o600)
    return secret


def _totp_encryption_key(production: bool) -> str | None:
    """One or more Fernet keys, comma-separated, the newest first; checked here so that a
    mistyped key stops the app at start-up rather than at a manager's next sign-in."""
    value = (os.environ.get("TOTP_ENCRYPTION_KEY") or "").strip()
    if production and not value:
        raise RuntimeError("TOTP_ENCRYPTION_KEY must be set in production.")
    if not value:
        return None
    try:
        for key in value.split(","):
            Fernet(key.strip())
    except ValueError:
        raise RuntimeError(
            "TOTP_ENCRYPTION_KEY must be one or more Fernet keys separated by commas."
        ) from None
    return value


def build_config(env: str, instance_path: Path) -> dict:
    """Return the settings for `env` ("development", "testing" or "production")."""
    production = env == "production"
    database_url = os.environ.get("DATABASE_URL")
    secret_key = os.environ.get("SECRET_KEY")
    if production and not secret_key:
        raise RuntimeError("SECRET_KEY must be set in production.")
    if production and not database_url:
        raise RuntimeError("DATABASE_URL must be set in production.")
    totp_encryption_key = _totp_encryption_key(production)
    redis_url = os.environ.get("REDIS_URL")
    absolute_hours = _int("SESSION_ABSOLUTE_HOURS", 12)
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key or _development_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url
        or f"sqlite:///{instance_path / 'learnloop.sqlite3'}",
        # Pool options are chosen for the database in create_app (app/pool.py); connections to
        # PostgreSQL are replaced after this long in any case.
        "POOL_RECYCLE_SECONDS": _int("POOL_RECYCLE_SECONDS", 1800),
        "REDIS_URL": redis_url,
        # Seals two-step sign-in secrets in the database (app/auth/twofactor.py). Unset outside
        # production: a key is then derived from SECRET_KEY.
        "TOTP_ENCRYPTION_KEY": totp_encryption_key,
        # Sign-in throttling: only failed attempts count (see auth.views). Each limit is a
        # ladder, so the wait grows with the failures (a minute, then ten, then an hour)
        # instead of a long lockout that someone could use to keep staff out.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get(
            "LOGIN_FAILURES_PER_ACCOUNT", "5 per minute; 10 per 10 minutes; 20 per hour"
        ),
        "LOGIN_FAILURES_PER_ADDRESS": os.environ.get(
            "LOGIN_FAILURES_PER_ADDRESS", "30 per 5 minutes; 100 per hour"
        ),
        # New starters see the induction reading list for this many weeks from their start date.
        "LIBRARY_INDUCTION_WEEKS": _int("LIBRARY_INDUCTION_WEEKS", 12),
        # Server-side sessions: idle and absolute limits.
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 60),
        "SESSION_ABSOLUTE_HOURS": absolute_hours,
        # Records kept this many years before `flask retention review` lists them.
        "RETENTION_YEARS": _int("RETENTION_YEARS", 10),
        "RETENTION_SERIOUS_YEARS": _int("RETENTION_SERIOUS_YEARS", 20),
        "BACKUP_DIR": os.environ.get("BACKUP_DIR") or str(instance_path / "backups"),
        "REMEMBER_COOKIE_DURATION": timedelta(hours=absolute_hours),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=absolute_hours),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_NAME": "__Host-remember" if production else "remember_token",
        # A browser that signed in to an account is a known device for it (app/auth/devices.py).
        "DEVICE_COOKIE_NAME": "__Host-device" if production else "device",
        "DEVICE_COOKIE_DAYS": _int("DEVICE_COOKIE_DAYS", 90),
        # Safeguarding concerns not escalated within this many hours stand out to managers.
        "SAFEGUARDING_ESCALATION_HOURS": float(os.environ.get("SAFEGUARDING_ESCALATION_HOURS", 24)),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "TESTING": env == "testing",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # A report is a repeat of one about the same person and category this many days before.
        "REPORT_REPEAT_DAYS": _int("REPORT_REPEAT_DAYS", 30),
        # Anonymous reports reach managers at a random point within this many minutes.
        "ANONYMOUS_RELEASE_MINUTES": _release_minutes(),
        # ... released by cron and also checked on ordinary pages, at most once a minute per
        # process. Off in tests by default, so the pages' query counts stay exact.
        "ANONYMOUS_RELEASE_ON_REQUESTS": _bool("ANONYMOUS_RELEASE_ON_REQUESTS", env != "testing"),
        # The report form's order of kinds of event is counted again after this many seconds
        # in each process (app/reports/categories.py says why a few minutes late is fine).
        "CATEGORY_ORDER_SECONDS": _int("CATEGORY_ORDER_SECONDS", 300),
        # Pages and static files go out compressed: a first visit on one bar of signal matters.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
        ],
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        **_mail_settings(env),
        **_push_settings(env),
    }


# Where links in emails point when APP_BASE_URL is unset (never in production).
DEFAULT_BASE_URLS = {"development": "http://127.0.0.1:5000", "testing": "http://localhost"}


def _app_base_url(env: str) -> str:
    """The start of every link in every email. Never taken from a request: the Host header
    is whatever the sender of the request wrote, so a reset asked for with
    `Host: evil.example` would mail a link to someone else's site."""
    value = (os.environ.get("APP_BASE_URL") or "").strip().rstrip("/")
    if not value:
        if env == "production":
            raise RuntimeError(
                "APP_BASE_URL must be set in production, e.g. https://learnloop.example.org"
            )
        return DEFAULT_BASE_URLS.get(env, DEFAULT_BASE_URLS["development"])
    if not value.startswith(("https://", "http://")) or "/" in value.split("://", 1)[1]:
        raise RuntimeError(
            "APP_BASE_URL must be a scheme and host only, e.g. https://learnloop.example.org"
        )
    return value


def _mail_settings(env: str) -> dict:
    """Email: SMTP, links in emails, invitation and reset lifetimes (see app/notifications)."""
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "LearnLoop <no-reply@learnloop.invalid>"),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 20),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 6),
        "MAIL_RETRY_BASE_SECONDS": _int("MAIL_RETRY_BASE_SECONDS", 60),
        # Send queued mail in a background thread after each commit; tests switch it off and
        # deliver explicitly, and `flask mail worker` retries whatever is left either way.
        "MAIL_SEND_AFTER_COMMIT": _bool("MAIL_SEND_AFTER_COMMIT", env != "testing"),
        "APP_BASE_URL": _app_base_url(env),
        "INVITATION_HOURS": _int("INVITATION_HOURS", 72),
        "PASSWORD_RESET_HOURS": _int("PASSWORD_RESET_HOURS", 2),
        "RESET_REQUESTS_PER_ADDRESS": os.environ.get(
            "RESET_REQUESTS_PER_ADDRESS", "10 per 15 minutes"
        ),
        # Share links (app/governance/share_public.py): every request to a link's pages per
        # address, PDFs per address, and wrong passcodes per link whatever the address.
        "SHARE_PAGE_LIMIT": os.environ.get("SHARE_PAGE_LIMIT", "60 per minute"),
        "SHARE_PDF_LIMIT": os.environ.get("SHARE_PDF_LIMIT", "10 per 10 minutes"),
        "SHARE_PASSCODE_FAILURES": os.environ.get(
            "SHARE_PASSCODE_FAILURES", "5 per 15 minutes; 20 per day"
        ),
    }


def _push_settings(env: str) -> dict:
    """Web Push (app/notifications/push.py). Without VAPID_PRIVATE_KEY push is off and the
    account page says so; make one with `flask --app wsgi push generate-keys`."""
    return {
        "VAPID_PRIVATE_KEY": (os.environ.get("VAPID_PRIVATE_KEY") or "").strip() or None,
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT") or None,
        "PUSH_MAX_ATTEMPTS": _int("PUSH_MAX_ATTEMPTS", 6),
        "PUSH_RETRY_BASE_SECONDS": _int("PUSH_RETRY_BASE_SECONDS", 60),
        "PUSH_TIMEOUT_SECONDS": _int("PUSH_TIMEOUT_SECONDS", 10),
        "PUSH_SEND_AFTER_COMMIT": _bool("PUSH_SEND_AFTER_COMMIT", env != "testing"),
        "RECEIPT_CHECKS_PER_ADDRESS": os.environ.get(
            "RECEIPT_CHECKS_PER_ADDRESS", "30 per hour; 100 per day"
        ),
        "RECEIPT_NEWS_PER_ADDRESS": os.environ.get("RECEIPT_NEWS_PER_ADDRESS", "300 per hour"),
    }
