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


def test_pack_holds_samples_of_learning_without_people(app, client, signed_in, world):
    from tests.functional.learning_data import build_learning_half_year

    with app.app_context():
        build_learning_half_year(world)
    signed_in(world.manager)
    body = client.get(f"/evidence?{RANGE}").get_data(as_text=True)
    # What reviews learned, with the person reference taken out; never an anonymous report's.
    assert "the person was nearly given a double dose" in body
    assert "JB-12" not in body
    assert "Anonymous report learning" not in body
    assert "Riverside" not in body.split("</header>")[1]
    # Debrief learning summaries, supervision and observation counts, bulletins, restrictions.
    assert "Dry-mop the floor after cleaning" in body
    assert "3 supervisions held with 2 people; 1 read and acknowledged" in body
    assert "3 observations finished: 2 competent, 1 not yet competent" in body
    assert "Read and understood by 2 of 8 staff (25%)" in body
    assert "7 restrictions recorded; 2 unplanned (29%)" in body
    assert "Restrictive practice: Physical restraint" in body
    assert "3 of 7 restrictions (43%)." in body


def test_pdf_holds_every_heading_and_the_new_sections(app, client, signed_in, world):
    from tests.functional.learning_data import build_learning_half_year

    with app.app_context():
        build_learning_half_year(world)
    signed_in(world.manager)
    response = client.get(f"/evidence/pack.pdf?{RANGE}")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    for heading in (
        *QUALITY_STATEMENTS,
        "Debriefs held, and leaders at debriefs about serious harm",
        "Restrictive practices each month, by type",
        "Safeguarding concerns and escalations each month",
        "Supervisions held each month",
        "Medication competency observations each month",
        "New starters and their induction reading",
        "Unsafe workarounds raised and resolved",
        "What we learned: Falls (incident)",
        "Learning bulletin: Double checks for medicines",
        "Restrictive practice: overview",
        "Observed practice: Medication administration",
    ):
        assert heading in text, heading
    assert "JB-12" not in text and "Anonymous report learning" not in text


def test_new_csvs_parse(app, client, signed_in, world):
    from tests.functional.learning_data import build_learning_half_year

    with app.app_context():
        build_learning_half_year(world)
    signed_in(world.manager)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/evidence/pack.zip?{RANGE}").data))
    tables = {
        name: list(csv.reader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
    }
    assert tables["debriefs.csv"][0] == [
        "Month",
        "Debriefs held",
        "About moderate harm or worse",
        "A leader attended",
    ]
    assert tables["debriefs.csv"][1] == ["2026-01", "2", "1", "1"]
    for key in (
        "restrictive_practice",
        "escalations",
        "supervision",
        "medication_competency",
        "induction",
        "workarounds",
    ):
        rows = tables[f"{key}.csv"]
        assert rows[0][0] == "Month" and len(rows) == 7, key
    learning = tables["learning_learning_outcomes.csv"]
    assert learning[0] == ["Title", "Text", "Evidence category", "Date"]
    assert learning[1][1].startswith("the person was nearly given a double dose")
    assert len(learning) == 2  # the anonymous report's learning is not there
    assert "safe_and_effective_staffing_supervision_and_observations.csv" in tables
    assert "safeguarding_restrictive_practice_themes.csv" in tables


def test_medication_sits_under_medicines_optimisation_and_observations_are_processes(
    app, client, signed_in, world
):
    import re

    _some_reports(app, world)
    signed_in(world.manager)
    body = client.get(f"/evidence?{RANGE}").get_data(as_text=True)
    sections = dict(
        re.findall(r'<h2 id="qs-\d+">([^<]+)</h2>(.*?)(?=<h2 id="qs-|\Z)', body, flags=re.S)
    )
    assert "Medication incidents each month" in sections["Medicines optimisation"]
    assert "Medication incidents each month" not in sections["Safe and effective staffing"]
    assert '<span class="tag">Observation</span>' not in body


def test_the_quality_statement_mapping_is_data_checked_on_load(tmp_path):
    import json

    import pytest

    from app.governance.evidence import EVIDENCE_MAP_FILE, load_evidence_map

    mapping = json.loads(EVIDENCE_MAP_FILE.read_text())
    mapping["figures"]["medication"]["quality_statement"] = "Not a statement"
    changed = tmp_path / "evidence_map.json"
    changed.write_text(json.dumps(mapping))
    with pytest.raises(ValueError, match="Not a statement"):
        load_evidence_map(changed)
