"""The evidence pack: organised by CQC quality statements, printable, as a PDF and as CSV files."""

from __future__ import annotations

import csv
import io
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.governance.evidence import QUALITY_STATEMENTS
from app.models import AuditEntry
from tests.conftest import post_form
from tests.functional.governance_data import add_reports, feedback, incident, report_row, when

RANGE = "start=2026-01&end=2026-06"


def _some_reports(app, world):
    with app.app_context():
        add_reports(
            [
                report_row(world.willow.id, when(2026, 2), **feedback(when(2026, 2), 2)),
                incident(world.willow.id, when(2026, 4), anonymous=True, reporter_id=None),
            ]
        )


def test_evidence_page_holds_every_quality_statement(app, client, signed_in, world):
    _some_reports(app, world)
    signed_in(world.manager)
    body = client.get(f"/evidence?{RANGE}").get_data(as_text=True)
    for statement in QUALITY_STATEMENTS:
        assert f">{statement}</h2>" in body
    assert "Reports each month" in body and "Download as PDF" in body


def test_pdf_holds_every_quality_statement_heading(app, client, signed_in, world):
    _some_reports(app, world)
    signed_in(world.manager)
    response = client.get(f"/evidence/pack.pdf?{RANGE}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    for statement in QUALITY_STATEMENTS:
        assert statement in text
    assert "Reports each month" in text
    assert "Grace" not in text and "Carer" not in text  # no names of people at all


def test_csv_zip_has_one_parseable_table_per_figure(app, client, signed_in, world):
    _some_reports(app, world)
    signed_in(world.manager)
    response = client.get(f"/evidence/pack.zip?{RANGE}")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"reports.csv", "near_miss_share.csv", "repeats.csv", "feedback.csv"} <= names
    rows = list(csv.reader(io.StringIO(archive.read("reports.csv").decode())))
    assert rows[0] == [
        "Month",
        "Near misses",
        "Incidents, no or low harm",
        "Incidents, moderate harm or worse",
    ]
    assert rows[1] == ["2026-01", "0", "0", "0"]
    assert rows[2] == ["2026-02", "1", "0", "0"]
    assert len(rows) == 7


def test_exports_are_audited(app, client, signed_in, world):
    signed_in(world.manager)
    client.get(f"/evidence/pack.zip?{RANGE}")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "evidence.exported")
        ).one()
        assert entry.actor_id == world.manager.id and '"format": "csv"' in entry.summary


def test_meeting_minutes_and_board_appear_in_the_pack(app, client, signed_in, world):
    signed_in(world.manager)
    post_form(
        client,
        "/meetings/new",
        {
            "kind": "team",
            "held_on": "2026-03-05",
            "title": "March team meeting",
            "attendees": [str(world.staff.id)],
            "themes": "Wet floors after mopping",
            "minutes": "We talked about the falls near misses.",
        },
        page_url="/meetings/new",
    )
    post_form(
        client,
        "/you-said-we-did",
        {
            "you_said": "Night staff could not find the spare hoist sling.",
            "we_did": "Slings now hang in the bathroom on each floor.",
            "changed_on": "2026-04-02",
        },
        page_url="/you-said-we-did",
    )
    body = client.get(f"/evidence?{RANGE}").get_data(as_text=True)
    assert "Team meeting: March team meeting" in body
    assert "Wet floors after mopping" in body
    assert "Slings now hang in the bathroom" in body
