"""A refusal from a service that no view showed beside its field still tells the person what
to fix (a 400 page with the way back, or JSON under /api), and saves nothing."""

from __future__ import annotations

from app.debriefs.services import DebriefError
from app.validation import Invalid


def _answer(app, path: str, error: Invalid):
    with app.test_request_context(
        path, method="POST", headers={"Referer": f"http://localhost{path}"}
    ):
        return app.make_response(app.handle_user_exception(error))


def test_an_uncaught_refusal_is_a_page_that_says_what_to_fix(app):
    response = _answer(app, "/debriefs/new", DebriefError("title", "Give the debrief a title."))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please check your answers" in page
    assert "Give the debrief a title." in page
    assert 'href="/debriefs/new"' in page  # back to the form it came from


def test_an_uncaught_refusal_under_the_api_is_json_field_by_field(app):
    response = _answer(app, "/api/v1/anything", Invalid({"when": ["Enter a date."]}))
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "Some answers need checking.",
        "errors": {"when": ["Enter a date."]},
    }
