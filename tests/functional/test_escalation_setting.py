"""SAFEGUARDING_ESCALATION_HOURS is the one time limit for escalating a safeguarding concern:
the home page, the dashboard and the evidence pack all read it."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import ConcernType, SafeguardingConcern
from app.models.base import utcnow


def _concern_raised_hours_ago(app, world, hours: float) -> str:
    """One concern, not escalated; answers the dashboard range of its (UTC) month."""
    raised = utcnow() - timedelta(hours=hours)
    with app.app_context():
        db.session.add(
            SafeguardingConcern(
                service_id=world.willow.id,
                person_reference="AB12",
                concern_type=list(ConcernType)[0],
                what_happened="Bruise on arm, no account given",
                raised_at=raised,
                recorded_by_id=world.manager.id,
            )
        )
        db.session.commit()
    month = f"{raised:%Y-%m}"
    return f"start={month}&end={month}&service={world.willow.id}"


def _counted(body: str) -> str:
    """The dashboard's "Not escalated after N hours" value."""
    label = body.index("Not escalated after 4 hours")
    return body[label:].split("<dd>", 1)[1].split("</dd>", 1)[0]


def test_every_place_flags_a_concern_past_the_configured_limit(
    app, client, signed_in, world, monkeypatch
):
    monkeypatch.setitem(app.config, "SAFEGUARDING_ESCALATION_HOURS", 4)
    query = _concern_raised_hours_ago(app, world, 6)
    signed_in(world.manager)

    home = client.get("/").get_data(as_text=True)
    assert "1 safeguarding concern has not been escalated" in home
    assert "within 4 hours" in home

    dashboard = client.get(f"/dashboard?{query}").get_data(as_text=True)
    assert "1 not escalated after 4 hours." in dashboard
    assert _counted(dashboard) == "1"

    evidence = client.get(f"/evidence?{query}").get_data(as_text=True)
    assert "1 not escalated after 4 hours." in evidence
    assert _counted(evidence) == "1"


def test_within_the_configured_limit_nothing_is_flagged(app, client, signed_in, world, monkeypatch):
    monkeypatch.setitem(app.config, "SAFEGUARDING_ESCALATION_HOURS", 8)
    query = _concern_raised_hours_ago(app, world, 6)
    signed_in(world.manager)
    assert "No safeguarding escalations are overdue." in client.get("/").get_data(as_text=True)
    dashboard = client.get(f"/dashboard?{query}").get_data(as_text=True)
    assert "not escalated after" not in dashboard
    assert "Not escalated after 8 hours" in dashboard
