"""Share links: the evidence pack for inspectors and commissioners, read without signing in.

What leaves LearnLoop through a link, and what never does:
- Figures are aggregates, built when the link is opened for the link's services and months,
  with small numbers suppressed: a count from 1 to 4 reads "fewer than 5" in tables, headlines,
  readings and summaries, and is left out of the charts (the staff pulse rule,
  `PULSE_MINIMUM`). In a sentence where a count was suppressed, percentages are hidden too, as
  they would give the count back.
- Learning stories are copies of the evidence pack's samples of learning that the manager
  ticked, and perhaps edited, on the creation page. Before a link is made, every story and the
  note to the reader are checked against the names of the organisation's people and every
  person reference it holds: a link cannot be made while one of them remains.
- The token is 256 bits from `secrets`, shown once; only its SHA-256 hash is stored. The
  passcode, when there is one, is stored as an argon2 hash like a password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import segno
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from app.audit import log_event
from app.extensions import db
from app.governance import evidence
from app.governance.charts import render_chart
from app.governance.evidence import QUALITY_STATEMENTS
from app.governance.figures import Figure, Scope, Series, figures_for, month_name
from app.governance.services import PULSE_MINIMUM, DashboardChoice
from app.models import (
    BestInterestsDecision,
    EvidenceShare,
    PbsReview,
    PositiveRiskSession,
    Report,
    RestrictivePractice,
    SafeguardingConcern,
    Service,
    User,
    utcnow,
)
from app.models import people as people_models
from app.validation import Invalid

MAX_DAYS = 30
DEFAULT_DAYS = 14
PASSCODE_MIN = 6
PASSCODE_MAX = 128
NOTE_MAX = 1000
TITLE_MAX = 200
TEXT_MAX = 4000
MAX_STORIES = 100
UNLOCK_SECONDS = 3600  # after the passcode, the PDF button works this long
FEWER = f"fewer than {PULSE_MINIMUM}"
TOKEN_BYTES = 32  # 256 bits
CATEGORY_MAX = 60
PERSON_REFERENCE_MODELS = (
    Report,
    RestrictivePractice,
    BestInterestsDecision,
    PbsReview,
    SafeguardingConcern,
    PositiveRiskSession,
)


class ShareError(Invalid):
    """Bad input on the creation page: `errors` maps a field to what to fix."""


# -- Tokens, passcodes ------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def find_share(token: str) -> EvidenceShare | None:
    """The link for a token from a URL, by its hash (None for any token we never issued)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        select(EvidenceShare).where(EvidenceShare.token_hash == token_hash(token))
    ).first()


def passcode_matches(share: EvidenceShare, passcode: str) -> bool:
    if not share.passcode_hash or not passcode:
        return False
    try:
        return people_models._hasher.verify(share.passcode_hash, passcode[:PASSCODE_MAX])
    except (VerificationError, InvalidHashError):
        return False


def _unlocker() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="evidence-share-unlock")


def unlock_for(share: EvidenceShare) -> str:
    """A short-lived signed note, put in the page after the right passcode, that lets the PDF
    button work without a cookie (share pages set none) and without asking again."""
    return _unlocker().dumps({"share": share.id})


def is_unlocked(share: EvidenceShare, unlock: str | None) -> bool:
    if not share.passcode_hash:
        return True
    if not unlock:
        return False
    try:
        value = _unlocker().loads(unlock, max_age=UNLOCK_SECONDS)
    except BadSignature:
        return False
    return isinstance(value, dict) and value.get("share") == share.id


def qr_svg(url: str) -> str:
    """The link as a QR code in SVG markup made here (no script, no style), to print."""
    return segno.make(url, error="m").svg_inline(
        scale=5, title="QR code of the share link", svgclass="qr", lineclass=None
    )


# -- Names and person references ----------------------------------------------------------------


@dataclass
class Match:
    text: str  # as written in the story
    kind: str  # "name" or "person reference"


@dataclass
class Watchlist:
    """The names and person references no shared text may hold, for one organisation."""

    names: set[str]
    references: set[str]
    pattern: re.Pattern | None = None

    def __post_init__(self):
        terms = sorted(self.names | self.references, key=len, reverse=True)
        if terms:
            alternation = "|".join(_flexible(term) for term in terms)
            self.pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)

    def matches(self, text: str) -> list[Match]:
        if self.pattern is None or not text:
            return []
        found: dict[str, Match] = {}
        lowered_refs = {r.casefold() for r in self.references}
        for hit in self.pattern.finditer(text):
            written = hit.group(0)
            key = " ".join(written.split()).casefold()
            kind = "person reference" if key in lowered_refs else "name"
            found.setdefault(key, Match(written, kind))
        return list(found.values())


def _flexible(term: str) -> str:
    """A term as a regex whose spaces match any run of white space."""
    return r"\s+".join(re.escape(part) for part in term.split())


def name_parts(full_name: str) -> set[str]:
    """The full name and every part of it of three letters or more ("Mary-Jane Okafor" gives
    "Mary-Jane Okafor", "Mary-Jane", "Mary", "Jane", "Okafor")."""
    full = " ".join(full_name.split())
    parts = {full} if full else set()
    for word in full.split():
        parts.add(word)
        parts.update(re.split(r"[-'’]", word))
    return {p for p in parts if sum(ch.isalpha() for ch in p) >= 3}


def watchlist_for(organisation_id: int) -> Watchlist:
    """Every person of the organisation (any service, active or not) and every person
    reference any of its services holds, in reports and safeguarding records."""
    services = select(Service.id).where(Service.organisation_id == organisation_id)
    names: set[str] = set()
    for full_name in db.session.scalars(select(User.name).where(User.service_id.in_(services))):
        names |= name_parts(full_name)
    references: set[str] = set()
    for model in PERSON_REFERENCE_MODELS:
        rows = db.session.scalars(
            select(model.person_reference)
            .where(model.service_id.in_(services), model.person_reference.is_not(None))
            .distinct()
        )
        references |= {" ".join(r.split()) for r in rows if r and r.strip()}
    return Watchlist({n.casefold() for n in names}, {r.casefold() for r in references})


# -- Small numbers ----------------------------------------------------------------------------


_MONTHS = "|".join(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
_SMALL_COUNT = re.compile(
    r"(?<![\w.,:/%£$-])[1-4](?![\w%/:]|[.,]\d|\s*%|\s+(?:points?|hours?|days?|weeks?|months?|"
    r"years?|" + _MONTHS + r")\b)"
)
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")


def suppress_text(text: str) -> str:
    """Counts 1 to 4 in a sentence read "fewer than 5"; that sentence's percentages are hidden.

    Dates ("3 December"), times ("1:30"), durations ("2 days", "within 24 hours"), scores
    ("4.2/5") and percentages are not counts and stay as they are.
    """
    sentences = re.split(r"(?<=[.;])(\s+)", text)
    out = []
    for sentence in sentences:
        changed, count = _SMALL_COUNT.subn(FEWER, sentence)
        if count:
            changed = _PERCENT.sub("[share not shown]", changed)
        out.append(changed)
    return "".join(out)


def suppress_value(value):
    """A single count from 1 to 4 (a number, or text holding only one) reads "fewer than 5"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and float(value).is_integer() and 1 <= value < PULSE_MINIMUM:
        return FEWER
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.isdigit():
            return suppress_value(int(stripped))
        return suppress_text(value)
    return value


@dataclass
class SharedFigure:
    """A figure as it may leave LearnLoop: counts 1 to 4 suppressed everywhere."""

    key: str
    title: str
    reading: str
    headline: str | None
    headline_label: str | None
    evidence_category: str
    quality_statement: str
    headers: list[str]
    rows: list[list]
    extra_rows: list[tuple[str, str]]
    chart: Figure  # the figure to draw: suppressed months have no mark
    series_names: list[str]
    suppressed: bool = False


def share_figure(fig: Figure) -> SharedFigure:
    counts = fig.unit != "%"
    reading = suppress_text(fig.reading)
    suppressed = False
    chart_series = []
    for series in fig.series:
        values = []
        for value in series.values:
            small = counts and value is not None and 0 < value < PULSE_MINIMUM
            suppressed |= small
            values.append(None if small else value)
        chart_series.append(Series(series.name, values))
    headers, rows = fig.table()
    shown_rows = [[row[0], *[suppress_value(v) if counts else v for v in row[1:]]] for row in rows]
    chart = Figure(
        key=f"shared-{fig.key}",
        title=fig.title,
        reading=reading,
        months=fig.months,
        series=chart_series,
        chart=fig.chart,
        unit=fig.unit,
    )
    headline = fig.headline
    if headline is not None and not headline.endswith("%"):
        headline = suppress_value(headline)
    return SharedFigure(
        key=fig.key,
        title=fig.title,
        reading=reading,
        headline=headline,
        headline_label=fig.headline_label,
        evidence_category=fig.evidence_category,
        quality_statement=fig.quality_statement,
        headers=headers,
        rows=shown_rows,
        extra_rows=[(label, suppress_value(value)) for label, value in fig.extra_rows],
        chart=chart,
        series_names=[s.name for s in fig.series],
        suppressed=suppressed,
    )


# -- Stories ----------------------------------------------------------------------------------


@dataclass
class Story:
    """A sample of learning offered for sharing (or shared): what the reader sees."""

    quality_statement: str
    title: str
    text: str
    evidence_category: str
    date: str = ""
    include: bool = False
    matches: list[Match] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)  # what to shorten before it is shared

    def as_dict(self) -> dict:
        return {
            "quality_statement": self.quality_statement,
            "title": self.title,
            "text": self.text,
            "evidence_category": self.evidence_category,
            "date": self.date,
        }


def candidate_stories(choice: DashboardChoice) -> list[Story]:
    """The evidence pack's samples of learning for this choice, none ticked, counts 1 to 4
    already suppressed, ready for the manager to pick, read and edit."""
    pack = evidence.build_pack(choice)
    return [
        Story(
            section.quality_statement,
            suppress_text(item.title),
            suppress_text(item.text),
            item.evidence_category,
            item.date,
        )
        for section in pack.sections
        for item in section.items
    ]


def stories_from_form(form) -> list[Story]:
    """The stories as posted: story-N-title, -text, -statement, -category, -date, -include."""
    stories = []
    for index in range(MAX_STORIES):
        prefix = f"story-{index}-"
        if f"{prefix}title" not in form:
            break
        statement = form.get(f"{prefix}statement", "")
        category = form.get(f"{prefix}category", "")
        day = form.get(f"{prefix}date", "")
        if statement not in QUALITY_STATEMENTS or not 0 < len(category) <= CATEGORY_MAX:
            raise ShareError({"stories": "The list of learning stories was changed. Start again."})
        if day:
            try:
                date.fromisoformat(day)
            except ValueError:
                raise ShareError(
                    {"stories": "The list of learning stories was changed. Start again."}
                ) from None
        stories.append(
            Story(
                statement,
                " ".join(form.get(f"{prefix}title", "").split()),
                form.get(f"{prefix}text", "").strip(),
                category,
                day,
                include=form.get(f"{prefix}include") == "yes",
            )
        )
    return stories


# -- Making, viewing and revoking links ---------------------------------------------------------


@dataclass
class ShareRequest:
    choice: DashboardChoice
    note: str
    days: str
    passcode: str
    stories: list[Story]


def _too_long(story: Story) -> list[str]:
    """What to shorten in a story to be shared: refused whole with its count, never cut short
    (the manager edited these words for the reader)."""
    found = []
    for name, text, limit in (("title", story.title, TITLE_MAX), ("text", story.text, TEXT_MAX)):
        if len(text) > limit:
            found.append(
                f"The {name} can be up to {limit:,} characters. It has {len(text):,}: "
                f"please shorten it by {len(text) - limit:,}."
            )
    return found


def check_request(user: User, asked: ShareRequest) -> tuple[dict[str, str], list[Match]]:
    """Field errors, and matches of names or person references in the text to be shared (each
    story's matches are also put on the story). A link is made only when both are empty."""
    errors = dict(asked.choice.errors)
    try:
        days = int(asked.days.strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Choose how many days the link works: 1 to {MAX_DAYS}."
    if asked.passcode and not PASSCODE_MIN <= len(asked.passcode) <= PASSCODE_MAX:
        errors["passcode"] = (
            f"A passcode has {PASSCODE_MIN} to {PASSCODE_MAX} characters, or leave it empty."
        )
    if len(asked.note) > NOTE_MAX:
        errors["note"] = (
            f"The note can be up to {NOTE_MAX:,} characters. It has {len(asked.note):,}: "
            f"please shorten it by {len(asked.note) - NOTE_MAX:,}."
        )
    for story in asked.stories:
        if story.include and not (story.title and story.text):
            errors["stories"] = "A story you share needs a title and some text."
        story.too_long = _too_long(story) if story.include else []
    if any(story.too_long for story in asked.stories):
        errors.setdefault("stories", "Some stories are too long: shorten them or leave them out.")
    watchlist = watchlist_for(user.organisation_id)
    note_matches = watchlist.matches(asked.note)
    if note_matches:
        errors["note"] = "Take out the names and person references from the note."
    for story in asked.stories:
        shared_text = f"{story.title}\n{story.text}\n{story.evidence_category}"
        story.matches = watchlist.matches(shared_text) if story.include else []
    if any(story.matches for story in asked.stories):
        errors.setdefault(
            "stories",
            "Some stories name a person or hold a person reference: edit them or leave them out.",
        )
    return errors, note_matches


def create_share(user: User, asked: ShareRequest) -> tuple[EvidenceShare, str]:
    """Make the link (after check_request found nothing) and answer it with its token, which
    is never stored and cannot be shown again."""
    errors, _ = check_request(user, asked)
    if errors:
        raise ShareError(errors)
    scope = asked.choice.scope
    token = new_token()
    now = utcnow()
    share = EvidenceShare(
        service_id=asked.choice.service_id or user.service_id,
        organisation_id=user.organisation_id,
        service_ids=list(scope.service_ids),
        first_month=scope.first_month,
        last_month=scope.last_month,
        note=asked.note.strip(),
        stories=[s.as_dict() for s in asked.stories if s.include],
        token_hash=token_hash(token),
        passcode_hash=people_models._hasher.hash(asked.passcode) if asked.passcode else None,
        created_by_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=int(asked.days)),
        views=0,
    )
    db.session.add(share)
    db.session.flush()
    log_event(
        "share.created",
        share,
        summary={
            "services": share.service_ids,
            "from": scope.months[0],
            "to": scope.months[-1],
            "expires_at": share.expires_at.isoformat(),
            "stories": len(share.stories),
            "passcode": share.passcode_hash is not None,
        },
    )
    db.session.commit()
    return share, token


def record_view(share: EvidenceShare, what: str) -> None:
    """Count a view (page or PDF) and audit it; who opened it is not known, nor kept."""
    now = utcnow()
    db.session.execute(
        update(EvidenceShare)
        .where(EvidenceShare.id == share.id)
        .values(views=EvidenceShare.views + 1, last_viewed_at=now)
    )
    log_event("share.viewed", share, summary={"what": what}, actor=None, channel="share")
    db.session.commit()


def record_wrong_passcode(share: EvidenceShare) -> None:
    log_event("share.passcode_refused", share, actor=None, channel="share")
    db.session.commit()


def revoke(user: User, share: EvidenceShare) -> bool:
    """Stop the link at once. False when it was already revoked."""
    if share.revoked_at is not None:
        return False
    share.revoked_at = utcnow()
    share.revoked_by_id = user.id
    log_event("share.revoked", share, summary={"views": share.views})
    db.session.commit()
    return True


# -- The pack as it is shared -----------------------------------------------------------------


@dataclass
class SharedSection:
    quality_statement: str
    figures: list[SharedFigure]
    stories: list[dict]


@dataclass
class SharedPack:
    title: str
    period: str
    note: str
    expires_at: datetime
    sections: list[SharedSection]


def shared_pack(share: EvidenceShare) -> SharedPack:
    scope = Scope(tuple(share.service_ids), share.first_month, share.last_month)
    sections = {name: SharedSection(name, [], []) for name in QUALITY_STATEMENTS}
    for fig in figures_for(scope):
        sections.get(fig.quality_statement, sections["Learning culture"]).figures.append(
            share_figure(fig)
        )
    for story in share.stories:
        sections.get(story["quality_statement"], sections["Learning culture"]).stories.append(story)
    names = db.session.scalars(
        select(Service.name).where(Service.id.in_(scope.service_ids)).order_by(Service.name)
    ).all()
    period = f"{month_name(scope.months[0])} to {month_name(scope.months[-1])}"
    return SharedPack(
        f"Learning culture evidence: {', '.join(names)}, {period}",
        period,
        share.note,
        share.expires_at,
        list(sections.values()),
    )


def render_pdf(pack: SharedPack) -> bytes:
    """The shared pack as a PDF, from our own template and print stylesheet only."""
    from weasyprint import CSS, HTML

    html = render_template(
        "governance/share/print.html", pack=pack, render_chart=render_chart, fewer=FEWER
    )
    return HTML(string=html, url_fetcher=evidence._no_fetching).write_pdf(
        stylesheets=[CSS(filename=str(evidence.PRINT_CSS))]
    )


def pdf_filename(share: EvidenceShare) -> str:
    return f"learnloop-evidence-{share.first_month:%Y-%m}-to-{share.last_month:%Y-%m}.pdf"


def describe_services(share: EvidenceShare) -> str:
    names = db.session.scalars(
        select(Service.name).where(Service.id.in_(share.service_ids)).order_by(Service.name)
    ).all()
    return ", ".join(names)


def as_of_now() -> datetime:
    return utcnow()
