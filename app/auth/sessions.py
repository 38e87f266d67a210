"""Server-side sign-in sessions.

The browser's cookie carries a random token, never the user id; the database keeps only
its hash. That lets logout, deactivation or an admin end a login at once, everywhere,
and gives every sign-in a fresh identifier.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import bindparam, func, select, update

from app.extensions import db
from app.models import Notification, SignInSession, User, utcnow
from app.models.people import hash_token

# Refresh last_seen_at at most this often, so reading pages does not write every time.
_TOUCH_EVERY = timedelta(minutes=1)


def start_session(user: User) -> str:
    """Open a new sign-in session for `user` and return its token for the cookie."""
    token = SignInSession.new_token()
    db.session.add(SignInSession(user_id=user.id, token_hash=hash_token(token)))
    db.session.commit()
    user.sign_in_token = token
    return token


def _expired(created_at, last_seen_at) -> bool:
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    return now - last_seen_at > idle or now - created_at > absolute


def load_session_user(token: str) -> User | None:
    """The active user behind `token`, or None if the session ended, expired or is unknown."""
    # One round trip for the session, its person and the header's count of new notifications:
    # this runs on every signed-in request.
    row = _first_statement(_session_query(), {"token_hash": hash_token(token)})
    if row is None or not row.User.active:
        return None
    user, session_id, created_at, last_seen_at, unread = row
    if _expired(created_at, last_seen_at):
        _update_session(session_id, ended_at=utcnow())
        return None
    if utcnow() - last_seen_at > _TOUCH_EVERY and not carries_anonymous_report():
        _update_session(session_id, last_seen_at=utcnow())
    user.sign_in_token = token
    if has_app_context():
        g.unread_notifications = unread  # read by the header (notifications.views)
    return user


def _update_session(session_id: int, **values) -> None:
    db.session.execute(update(SignInSession).where(SignInSession.id == session_id).values(**values))
    db.session.commit()


# Where an anonymous report arrives: the web form and the offline outbox's API.
ANONYMOUS_REPORT_ENDPOINTS = frozenset({"reports.create", "api.create_report"})
# Where a receipt code is checked for replies, answered or watched (each opens one anonymous
# report; app/reports/conversation_views.py).
RECEIPT_CHECK_ENDPOINTS = frozenset(
    {"reports.receipt", "reports.reporter_message", "reports.news", "reports.receipt_push"}
)


def carries_anonymous_report() -> bool:
    """Whether this request sends an anonymous report, or checks one by its receipt code. Such
    a request must leave no trace of the person signed in: their sign-in's last-seen time is
    not moved (it would tie the report to them), even though the sign-in itself is checked."""
    if not has_request_context() or request.method != "POST":
        return False
    if request.endpoint in RECEIPT_CHECK_ENDPOINTS:
        return True
    if request.endpoint not in ANONYMOUS_REPORT_ENDPOINTS:
        return False
    if request.is_json:
        body = request.get_json(silent=True)
        return isinstance(body, dict) and body.get("anonymous") is True
    from app.reports.services import is_yes

    return is_yes(request.form.get("anonymous"))


def _first_statement(statement, params: dict):
    """Run the request's first statement; on PostgreSQL outside a transaction.

    Why: psycopg opens a transaction with a BEGIN of its own, a round trip before the query,
    and the request's end closes it with a ROLLBACK, another; for a page whose only query is
    this one (the report form), those two were most of its time waiting for PostgreSQL. In
    PostgreSQL's READ COMMITTED (the default, checked here) every statement sees the data as
    of its own start, inside a transaction or not, and this SELECT takes no locks, so it reads
    exactly what it would have read in one. The connection goes back to opening transactions
    straight after it, so whatever the request does next is in a transaction as before."""
    raw = _idle_connection()
    if raw is None:
        return db.session.execute(statement, params).first()
    raw.autocommit = True
    try:
        return db.session.execute(statement, params).first()
    finally:
        if not raw.closed and raw.pgconn.transaction_status == _IDLE:
            raw.autocommit = False


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE


def _idle_connection():
    """The session's psycopg connection when nothing has run on it yet in READ COMMITTED;
    None otherwise (SQLite, another isolation level, or a transaction already open)."""
    dialect = db.engine.dialect
    if dialect.driver != "psycopg":
        return None
    raw = db.session.connection().connection.dbapi_connection
    # Read after connecting: a new process's dialect learns its isolation level on its first
    # connection, so before it the attribute does not exist yet.
    if getattr(dialect, "default_isolation_level", None) != "READ COMMITTED":
        return None
    if raw is None or raw.autocommit or raw.isolation_level is not None:
        return None
    return raw if raw.pgconn.transaction_status == _IDLE else None


@cache
def _session_query():
    """Built once: composing the statement costs more Python than running it. The person is
    the only object loaded; the session's own fields come as plain values (loading the session
    as an object too, with its person joined, cost more Python than the query's round trip)."""
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == SignInSession.user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(
            User,
            SignInSession.id,
            SignInSession.created_at,
            SignInSession.last_seen_at,
            unread,
        )
        .join(SignInSession, SignInSession.user_id == User.id)
        .where(
            SignInSession.token_hash == bindparam("token_hash"), SignInSession.ended_at.is_(None)
        )
    )


def end_session(token: str) -> None:
    db.session.execute(
        update(SignInSession)
        .where(SignInSession.token_hash == hash_token(token), SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()


def end_all_sessions(user: User) -> int:
    """End every open session of `user`; returns how many were open."""
    result = db.session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


def end_other_sessions(user: User) -> int:
    """End every open session of `user` except the one they are using now."""
    keep = hash_token(user.sign_in_token) if user.sign_in_token else ""
    result = db.session.execute(
        update(SignInSession)
        .where(
            SignInSession.user_id == user.id,
            SignInSession.ended_at.is_(None),
            SignInSession.token_hash != keep,
        )
        .values(ended_at=utcnow())
    )
    db.session.commit()
    return result.rowcount
