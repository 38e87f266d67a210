"""The page a share link opens, for inspectors and commissioners who have no LearnLoop account.

A separate blueprint so that nothing of the signed-in app comes with it: its own page frame
with no navigation and no links into LearnLoop, no script, no cookie (no CSRF token, so the
passcode form is exempt: it changes nothing but what the sender reads), and headers that keep
the page out of search engines, caches and Referer headers. Rate limits come from the settings
SHARE_PAGE_LIMIT (every request, per address), SHARE_PDF_LIMIT (PDFs, which take seconds to
make, per address) and SHARE_PASSCODE_FAILURES (wrong passcodes, per link, so guessing from
many addresses does not help).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from app.extensions import csrf, limiter
from app.governance import sharing
from app.governance.charts import render_chart
from app.models import EvidenceShare

bp = Blueprint("share", __name__, url_prefix="/shared")
csrf.exempt(bp)


def _page_limit() -> str:
    return current_app.config["SHARE_PAGE_LIMIT"]


def _pdf_limit() -> str:
    return current_app.config["SHARE_PDF_LIMIT"]


def _passcode_limit() -> str:
    return current_app.config["SHARE_PASSCODE_FAILURES"]


def _link_key() -> str:
    """Wrong passcodes count per link (by its hash: the token is never stored anywhere)."""
    return "share-link:" + sharing.token_hash((request.view_args or {}).get("token", ""))


def _passcode_refused(response) -> bool:
    return response.status_code == 401


_per_address = limiter.limit(_page_limit, scope="share-page")
_pdfs_per_address = limiter.limit(_pdf_limit, scope="share-pdf")
_per_link = limiter.limit(
    _passcode_limit,
    key_func=_link_key,
    methods=["POST"],
    deduct_when=_passcode_refused,
    scope="share-passcode",
)


@bp.after_request
def _private_headers(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _plain_error(error: HTTPException):
    """Errors on share pages use the share frame: nothing here leads into LearnLoop."""
    code = error.code or 500
    messages = {
        404: ("Link not found", "This link does not exist. Check it was copied in full."),
        410: (
            "This link no longer works",
            "It has expired or was withdrawn. Ask the person who sent it for a new one.",
        ),
        429: ("Too many attempts", "Please wait a few minutes and try again."),
    }
    title, hint = messages.get(code, ("Something went wrong", "Please try again later."))
    return render_template("governance/share/message.html", title=title, hint=hint), code


# Registered per code: an app-wide handler for a code would otherwise win over a generic one.
for _code in (400, 404, 405, 410, 413, 429, 500):
    bp.register_error_handler(_code, _plain_error)


def _open_link(token: str) -> EvidenceShare:
    share = sharing.find_share(token)
    if share is None:
        abort(404)
    if share.state(sharing.as_of_now()) != "active":
        abort(410)
    return share


@bp.route("/<token>", methods=["GET", "POST"])
@_per_address
@_per_link
def page(token: str):
    share = _open_link(token)
    unlock = None
    if share.passcode_hash:
        if request.method == "GET":
            return render_template("governance/share/passcode.html", token=token)
        if not sharing.passcode_matches(share, request.form.get("passcode", "")):
            sharing.record_wrong_passcode(share)
            return (
                render_template("governance/share/passcode.html", token=token, wrong=True),
                401,
            )
        unlock = sharing.unlock_for(share)
    elif request.method == "POST":
        abort(405)
    pack = sharing.shared_pack(share)
    sharing.record_view(share, "page")
    return render_template(
        "governance/share/page.html",
        pack=pack,
        token=token,
        unlock=unlock,
        render_chart=render_chart,
        fewer=sharing.FEWER,
    )


@bp.route("/<token>/pack.pdf", methods=["GET", "POST"])
@_per_address
@_pdfs_per_address
def pdf(token: str):
    share = _open_link(token)
    if not sharing.is_unlocked(share, request.form.get("unlock")):
        return (
            render_template("governance/share/passcode.html", token=token, again=True),
            401,
        )
    body = sharing.render_pdf(sharing.shared_pack(share))
    sharing.record_view(share, "pdf")
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{sharing.pdf_filename(share)}"'},
    )
