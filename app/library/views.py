"""Library and induction pages. Thin: parse, call a service, render.

Article pages carry no personal data, so the service worker may cache them: whether you have
read an article (and the button to say so) is the separate `/library/<slug>/read` partial,
which htmx loads into the page and which also works as a page of its own without JavaScript.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.forms import choices
from app.auth.policy import can, get_or_404, require, services_for
from app.extensions import db
from app.inputs import database_id
from app.library import bp, care_certificate, induction_bp
from app.library.forms import AcknowledgeForm, ArticleForm, BulletinForm
from app.library.induction import (
    PathwayChange,
    all_steps,
    change_pathway,
    in_induction,
    induction_ends,
    induction_weeks,
    new_starters_progress,
    pathway_for,
    pathway_position,
)
from app.library.services import (
    ArticleDraft,
    LibraryError,
    acknowledge,
    article_by_slug,
    articles_for_service,
    available_article,
    bulletin_from_report,
    bulletin_read_rates,
    can_edit,
    editable_article,
    find_articles,
    publish,
    reading_state,
    report_for_bulletin,
    save_article,
    versions_of,
    withdraw,
)
from app.models import CARE_CERTIFICATE_STANDARDS, ArticleKind, Role, Topic, User
from app.reports.just_culture import SENSITIVE_WARNING, is_safeguarding_or_police_matter
from app.validation import FORM

WHOLE_ORGANISATION = "all"


def _audience_choices():
    pairs = [(str(s.id), f"{s.name} only") for s in services_for(current_user)]
    if current_user.role is Role.ADMIN:
        pairs.insert(0, (WHOLE_ORGANISATION, "Every service"))
    return choices(pairs)


def _audience(value: str | None) -> int | None:
    return None if value in (None, "", WHOLE_ORGANISATION) else int(value)


# -- the library -----------------------------------------------------------------------------


@bp.get("/library")
@login_required
def index():
    query = request.args.get("q", "").strip()[:200]
    topic = _enum_arg(Topic, "topic")
    kind = _enum_arg(ArticleKind, "kind")
    articles = find_articles(current_user, query, topic, kind)
    context = {
        "articles": articles,
        "query": query,
        "topic": topic,
        "kind": kind,
        "topics": list(Topic),
        "kinds": list(ArticleKind),
        "can_write": can(current_user, "library.write"),
    }
    if request.htmx and request.htmx.target == "library-results":
        return render_template("library/_results.html", **context)
    return render_template("library/index.html", **context)


def _enum_arg(enum_class, name: str):
    value = request.args.get(name) or None
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


@bp.get("/library/<slug>")
@login_required
def article(slug: str):
    """The article itself: the same for everyone who may read it (no personal data)."""
    found = article_by_slug(current_user, slug)
    return render_template("library/article.html", article=found)


@bp.route("/library/<slug>/read", methods=["GET", "POST"])
@login_required
def acknowledgement(slug: str):
    """Whether you have read this article, and "I have read and understood"."""
    found = article_by_slug(current_user, slug)
    form = AcknowledgeForm()
    error = None
    if form.validate_on_submit():
        try:
            acknowledge(current_user, found, form.version.data)
        except LibraryError as problem:
            error = str(problem)
        else:
            db.session.commit()
            if not request.htmx:
                flash("Thank you. We have noted that you read this.", "success")
                return redirect(url_for("library.acknowledgement", slug=slug))
    context = {
        "article": found,
        "state": reading_state(current_user, found),
        "position": pathway_position(current_user, found),
        "next_item": pathway_for(current_user).next_item if in_induction(current_user) else None,
        "editable": can_edit(current_user, found),
        "error": error,
        "thanked": request.method == "POST" and error is None,
    }
    if request.htmx:
        return render_template("library/_acknowledgement.html", **context)
    return render_template("library/acknowledgement.html", **context)


@bp.route("/library/new", methods=["GET", "POST"])
@login_required
@require("library.write")
def new():
    form = ArticleForm()
    form.service_id.choices = _audience_choices()
    del form.new_version
    if request.method == "GET":
        form.service_id.data = str(current_user.service_id)
    if form.validate_on_submit():
        try:
            saved = save_article(
                current_user, _draft_from(form), publish=request.form.get("action") == "publish"
            )
        except LibraryError as problem:
            _show_error(form, problem)
        else:
            db.session.commit()
            flash(_saved_message(saved), "success")
            return redirect(url_for("library.article", slug=saved.slug))
    return render_template("library/edit.html", form=form, article=None)


@bp.route("/library/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    found = editable_article(current_user, slug)
    if found.is_bulletin:
        return _edit_bulletin(found)
    form = ArticleForm(obj=found if request.method == "GET" else None)
    form.service_id.choices = _audience_choices()
    if request.method == "GET":
        form.topics.data = [t.value for t in found.topics]
        form.standards.data = found.standards
        form.service_id.data = str(found.service_id) if found.service_id else WHOLE_ORGANISATION
    if not found.is_published:
        del form.new_version
    if form.validate_on_submit():
        new_version = form.new_version.data if "new_version" in form else True
        try:
            save_article(
                current_user,
                _draft_from(form, slug=found.slug),
                article=found,
                publish=request.form.get("action") == "publish",
                new_version=new_version,
            )
        except LibraryError as problem:
            _show_error(form, problem)
        else:
            db.session.commit()
            flash(_saved_message(found), "success")
            return redirect(url_for("library.article", slug=found.slug))
    return render_template("library/edit.html", form=form, article=found)


def _edit_bulletin(found):
    """Correct a bulletin (say, to take out something that could identify someone).

    A correction keeps the version, and replaces the kept text of that version too.
    """
    form = BulletinForm(obj=found if request.method == "GET" else None)
    form.service_id.choices = _audience_choices()
    if request.method == "GET":
        form.service_id.data = str(found.service_id) if found.service_id else WHOLE_ORGANISATION
    if form.validate_on_submit():
        draft = ArticleDraft(
            title=form.title.data,
            summary=form.summary.data,
            body="",
            kind=ArticleKind.BULLETIN,
            service_id=_audience(form.service_id.data),
            topics=found.topics,
            standards=found.standards,
            slug=found.slug,
            what_happened=form.what_happened.data,
            what_we_learned=form.what_we_learned.data,
            what_changes=form.what_changes.data,
        )
        try:
            save_article(current_user, draft, article=found, new_version=False)
        except LibraryError as problem:
            _show_error(form, problem)
        else:
            db.session.commit()
            flash("Bulletin corrected.", "success")
            return redirect(url_for("library.article", slug=found.slug))
    return render_template("library/new_bulletin.html", form=form, report=None, bulletin=found)


@bp.post("/library/<slug>/withdraw")
@login_required
def withdraw_article(slug: str):
    found = editable_article(current_user, slug)
    withdraw(current_user, found)
    db.session.commit()
    flash("Withdrawn. It is a draft again, and only managers can see it.", "success")
    return redirect(url_for("library.article", slug=found.slug))


@bp.get("/library/<slug>/versions")
@login_required
def versions(slug: str):
    """What the article said at each version (for the people who write it)."""
    found = editable_article(current_user, slug)
    return render_template("library/versions.html", article=found, versions=versions_of(found))


@bp.post("/library/<slug>/publish")
@login_required
def publish_article(slug: str):
    found = editable_article(current_user, slug)
    publish(current_user, found)
    db.session.commit()
    flash("Published. Everyone it is for can read it now.", "success")
    return redirect(url_for("library.article", slug=found.slug))


def _draft_from(form: ArticleForm, slug: str | None = None) -> ArticleDraft:
    return ArticleDraft(
        title=form.title.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
        topics=[Topic(t) for t in form.topics.data or []],
        standards=list(form.standards.data or []),
        service_id=_audience(form.service_id.data),
        slug=slug,
    )


def _show_error(form, problem: LibraryError) -> None:
    target = getattr(form, problem.field, None) if problem.field != FORM else None
    if target is not None:
        target.errors = [*target.errors, str(problem)]
    else:
        flash(str(problem), "error")


def _saved_message(article) -> str:
    if article.is_published:
        return f"Saved and published: version {article.version}."
    return "Saved as a draft. Only managers can see it until you publish it."


# -- learning bulletins ----------------------------------------------------------------------


@bp.get("/library/bulletins")
@login_required
@require("library.publish")
def bulletins():
    """Each bulletin with how many of your staff have read it."""
    return render_template("library/bulletins.html", rates=bulletin_read_rates(current_user))


@bp.route("/library/bulletins/new", methods=["GET", "POST"])
@login_required
@require("library.publish")
def new_bulletin():
    report_id = request.values.get("report", type=database_id)
    report = None
    if report_id is not None:
        try:
            report = report_for_bulletin(current_user, report_id)
        except LibraryError as problem:
            flash(str(problem), "error")
            return redirect(url_for("library.bulletins"))
    form = BulletinForm()
    form.service_id.choices = _audience_choices()
    if request.method == "GET":
        if report is not None:
            draft = bulletin_from_report(report)
            form.process(
                data={
                    "report": report.id,
                    "title": draft.title,
                    "what_happened": draft.what_happened,
                    "what_we_learned": draft.what_we_learned,
                    "what_changes": draft.what_changes,
                    "service_id": str(draft.service_id),
                }
            )
        else:
            form.service_id.data = str(current_user.service_id)
    if form.validate_on_submit():
        draft = ArticleDraft(
            title=form.title.data,
            summary=form.summary.data,
            body="",
            kind=ArticleKind.BULLETIN,
            service_id=_audience(form.service_id.data),
            report_id=report.id if report else None,
            topics=[Topic.LEARNING],
            what_happened=form.what_happened.data,
            what_we_learned=form.what_we_learned.data,
            what_changes=form.what_changes.data,
        )
        try:
            saved = save_article(current_user, draft, publish=True)
        except LibraryError as problem:
            _show_error(form, problem)
        else:
            db.session.commit()
            flash("Bulletin published. Staff will see it on their home page.", "success")
            return redirect(url_for("library.article", slug=saved.slug))
    return render_template(
        "library/new_bulletin.html",
        form=form,
        report=report,
        bulletin=None,
        sensitive_warning=SENSITIVE_WARNING
        if report is not None and is_safeguarding_or_police_matter(report)
        else None,
    )


# -- induction -------------------------------------------------------------------------------


@induction_bp.get("/induction", endpoint="index")
@login_required
def induction_index():
    """My induction reading list: progress, the next article first, then the rest in order."""
    return render_template(
        "induction/index.html",
        pathway=pathway_for(current_user),
        in_induction=in_induction(current_user),
        ends=induction_ends(current_user),
        weeks=induction_weeks(),
        can_see_team=can(current_user, "induction.team"),
        certificate=care_certificate.progress(current_user),
        standards=CARE_CERTIFICATE_STANDARDS,
    )


@induction_bp.get("/induction/team")
@login_required
@require("induction.team")
def team():
    """Each new starter in my services and how far they are through their reading."""
    return render_template(
        "induction/team.html",
        starters=new_starters_progress(current_user),
        weeks=induction_weeks(),
    )


@induction_bp.route("/induction/manage", methods=["GET", "POST"])
@login_required
@require("induction.manage")
def manage():
    """Managers put their service's induction reading in order, add and remove articles."""
    services = services_for(current_user)
    service_id = request.values.get("service", type=database_id) or current_user.service_id
    service = next((s for s in services if s.id == service_id), None)
    if service is None:
        abort(404)
    if request.method == "POST":
        article_id = request.form.get("article", type=database_id)
        if article_id is None:
            flash("Choose an article first.", "error")
            return redirect(url_for("induction.manage", service=service.id))
        found = available_article(current_user, service.id, article_id)
        try:
            change_pathway(service.id, request.form.get("change", ""), found)
        except PathwayChange as problem:
            flash(str(problem), "error")
        else:
            db.session.commit()
            flash(f"Saved. “{found.title}” {_CHANGED[request.form['change']]}.", "success")
        return redirect(url_for("induction.manage", service=service.id))
    steps = all_steps(service.id)
    on_list = {step.article_id for step in steps}
    return render_template(
        "induction/manage.html",
        service=service,
        services=services,
        steps=steps,
        addable=[a for a in articles_for_service(current_user, service.id) if a.id not in on_list],
    )


@induction_bp.get("/induction/care-certificate")
@login_required
@require("induction.assess")
def care_certificates():
    """New starters in my services and how many Care Certificate standards are assessed."""
    starters = [s.person for s in new_starters_progress(current_user)]
    return render_template(
        "induction/care_certificates.html",
        starters=[care_certificate.progress(person) for person in starters],
    )


@induction_bp.route("/induction/care-certificate/<int:user_id>", methods=["GET", "POST"])
@login_required
def care_certificate_person(user_id: int):
    """Record, standard by standard, knowledge assessed and competence observed."""
    person = get_or_404(User, user_id, "induction.assess")
    errors: dict[str, str] = {}
    if request.method == "POST":
        dates, errors = _assessment_dates(request.form)
        if not errors:
            try:
                care_certificate.record_assessments(current_user, person, dates)
            except care_certificate.AssessmentInvalid as problem:
                errors = problem.first_messages()
            else:
                flash("Care Certificate assessments saved.", "success")
                return redirect(url_for("induction.care_certificate_person", user_id=person.id))
    status = 422 if errors else 200
    return render_template(
        "induction/care_certificate.html",
        progress=care_certificate.progress(person),
        standards=CARE_CERTIFICATE_STANDARDS,
        form=request.form if errors else None,
        errors=errors,
    ), status


def _assessment_dates(form) -> tuple[dict, dict[str, str]]:
    """Two dates per standard from the form; a date that is not one is a 4xx, not a 500."""
    dates, errors = {}, {}
    for standard in CARE_CERTIFICATE_STANDARDS:
        pair = []
        for part in ("knowledge", "competence"):
            name = f"{part}_{standard}"
            raw = (form.get(name) or "").strip()
            try:
                pair.append(date.fromisoformat(raw) if raw else None)
            except ValueError:
                errors[name] = "Enter a date, like 2026-11-20."
                pair.append(None)
        dates[standard] = tuple(pair)
    return dates, errors


_CHANGED = {
    "add": "is now at the end of the list",
    "remove": "is off the list",
    "up": "moved up",
    "down": "moved down",
}
