"""The evidence pack: the dashboard's figures and samples of learning, organised by the CQC
quality statements, as a printable page, a PDF and a zip of CSV files.

Anonymous reporters never appear: nothing here reads a reporter at all.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.governance.figures import Figure, Scope, figures_for, month_name
from app.governance.services import DashboardChoice, pulse_results
from app.models import Meeting, Service, YouSaidWeDid
from app.registry import Registry
from app.spreadsheets import SafeWriter

EVIDENCE_MAP_FILE = Path(__file__).with_name("evidence_map.json")


def load_evidence_map(path: Path = EVIDENCE_MAP_FILE) -> dict:
    """The CQC mapping, as data (evidence_map.json): quality statements in order, where each
    figure and sample goes, and the evidence categories renamed for LearnLoop's own records."""
    mapping = json.loads(path.read_text(encoding="utf-8"))
    statements = mapping["quality_statements"]
    placed = [f["quality_statement"] for f in mapping["figures"].values()]
    unknown = {s for s in [*placed, *mapping["items"].values()] if s not in statements}
    if unknown:
        raise ValueError(f"{path.name}: not a listed quality statement: {sorted(unknown)}")
    return mapping


EVIDENCE_MAP = load_evidence_map()
QUALITY_STATEMENTS = tuple(EVIDENCE_MAP["quality_statements"])


def _category(name: str) -> str:
    return EVIDENCE_MAP["category_renames"].get(name, name)


def place_figure(fig: Figure) -> Figure:
    """Put a figure where the mapping says (its own tags are the fallback)."""
    placed = EVIDENCE_MAP["figures"].get(fig.key, {})
    fig.quality_statement = placed.get("quality_statement", fig.quality_statement)
    fig.evidence_category = _category(placed.get("evidence_category", fig.evidence_category))
    return fig


@dataclass
class EvidenceItem:
    """A sample of learning, tagged with its CQC evidence category."""

    title: str
    text: str
    evidence_category: str
    date: str = ""


@dataclass
class Section:
    quality_statement: str
    figures: list[Figure] = field(default_factory=list)
    items: list[EvidenceItem] = field(default_factory=list)


@dataclass
class EvidencePack:
    title: str
    scope: Scope
    services: list[str]
    sections: list[Section]
    tables: dict[str, tuple[list[str], list[list]]]


EVIDENCE_ITEMS = Registry("evidence pack samples")
SAMPLES = 10  # the newest few of each kind of record


def evidence_items(quality_statement: str, order: int) -> Callable:
    """Register `build(scope) -> [EvidenceItem]` under a quality statement (evidence_map.json
    may move it). Areas register theirs from their own package (app/reports/evidence.py, ...);
    lower orders come first within a section."""
    return EVIDENCE_ITEMS.register(order, quality_statement=quality_statement)


@evidence_items("Governance, management and sustainability", order=10)
def meeting_minutes(scope: Scope) -> list[EvidenceItem]:
    meetings = db.session.scalars(
        select(Meeting)
        .options(selectinload(Meeting.learning_items), selectinload(Meeting.attendees))
        .where(
            Meeting.service_id.in_(scope.service_ids),
            Meeting.held_on >= scope.first_month,
            Meeting.held_on < scope.end.date(),
        )
        .order_by(Meeting.held_on.desc())
        .limit(20)
    ).all()
    return [
        EvidenceItem(
            title=f"{m.kind.label}: {m.title}",
            text=(
                f"{len(m.attendees)} attended. Learning discussed: "
                + (
                    "; ".join(
                        item.theme if not item.report_id else f"report {item.report_id}"
                        for item in m.learning_items
                    )
                    or "none recorded"
                )
                + f". Minutes: {m.minutes[:400]}"
            ),
            evidence_category="Processes",
            date=m.held_on.isoformat(),
        )
        for m in meetings
    ]


@evidence_items("Learning, improvement and innovation", order=20)
def you_said_we_did(scope: Scope) -> list[EvidenceItem]:
    entries = db.session.scalars(
        select(YouSaidWeDid)
        .where(
            YouSaidWeDid.service_id.in_(scope.service_ids),
            YouSaidWeDid.changed_on >= scope.first_month,
            YouSaidWeDid.changed_on < scope.end.date(),
        )
        .order_by(YouSaidWeDid.changed_on.desc())
        .limit(20)
    ).all()
    return [
        EvidenceItem(
            f"You said: {e.you_said[:120]}",
            f"We did: {e.we_did}",
            "Feedback from staff and leaders",
            e.changed_on.isoformat(),
        )
        for e in entries
    ]


@evidence_items("Learning culture", order=30)
def staff_pulse(scope: Scope) -> list[EvidenceItem]:
    items = []
    for quarter in pulse_results(scope.service_ids)[:4]:
        if quarter.averages is None:
            text = f"{quarter.answers} answers: fewer than 5, so not shown."
        else:
            text = (
                f"{quarter.answers} answers. Safe to report {quarter.averages['safe_to_report']}/5; "
                f"hear back {quarter.averages['hear_back']}/5; talk without blame "
                f"{quarter.averages['talk_without_blame']}/5."
            )
        items.append(
            EvidenceItem(f"Staff pulse {quarter.quarter}", text, "Feedback from staff and leaders")
        )
    return items


def build_pack(choice: DashboardChoice) -> EvidencePack:
    scope = choice.scope
    sections = {name: Section(name) for name in QUALITY_STATEMENTS}
    tables = {}
    for fig in map(place_figure, figures_for(scope)):
        sections.get(fig.quality_statement, sections["Learning culture"]).figures.append(fig)
        tables[fig.key] = fig.table()
    for entry in EVIDENCE_ITEMS:
        build = entry.build
        statement = EVIDENCE_MAP["items"].get(build.__name__, entry.details["quality_statement"])
        items = build(scope)
        for item in items:
            item.evidence_category = _category(item.evidence_category)
        sections[statement].items.extend(items)
        if items:
            key = f"{statement.split(',')[0].lower().replace(' ', '_')}_{build.__name__}"
            tables[key] = (
                ["Title", "Text", "Evidence category", "Date"],
                [[i.title, i.text, i.evidence_category, i.date] for i in items],
            )
    names = db.session.scalars(
        select(Service.name).where(Service.id.in_(scope.service_ids)).order_by(Service.name)
    ).all()
    period = f"{month_name(scope.months[0])} to {month_name(scope.months[-1])}"
    return EvidencePack(
        f"Learning culture evidence: {', '.join(names)}, {period}",
        scope,
        list(names),
        list(sections.values()),
        tables,
    )


def describe(choice: DashboardChoice) -> dict:
    return {
        "services": list(choice.scope.service_ids),
        "from": choice.scope.months[0],
        "to": choice.scope.months[-1],
    }


def filename(choice: DashboardChoice) -> str:
    return f"learnloop-evidence-{choice.scope.months[0]}-to-{choice.scope.months[-1]}"


PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "print.css"


def _no_fetching(url: str, *args, **kwargs):
    """The PDF is built from our own HTML and stylesheet only: fetch nothing, from nowhere."""
    raise ValueError(f"The evidence pack does not load {url}")


def render_pdf(pack: EvidencePack) -> bytes:
    """Render the print template with WeasyPrint (imported here: it is slow to import)."""
    from weasyprint import CSS, HTML

    from app.governance.charts import render_chart

    html = render_template("governance/evidence_print.html", pack=pack, render_chart=render_chart)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )


def render_zip(pack: EvidencePack) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (headers, rows) in pack.tables.items():
            text = io.StringIO()
            writer = SafeWriter(text)  # no cell can start a spreadsheet formula
            writer.writerow(headers)
            writer.writerows(rows)
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()
