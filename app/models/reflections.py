"""Personal reflections, written from a template, private to their author unless shared.

A reflection shared with the author's supervisor becomes a prompt in their next supervision.
Reflections may come from the offline outbox: `client_id` (unique) and `device_time` are kept,
with a hash of the body so a repeat can be told from a different entry with the same id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedDraftMixin, UTCDateTime, utcnow
from app.models.debriefs import Debrief, Prompt
from app.models.people import User, _enum
from app.models.reports import LabelledEnum, Report


class ReflectionTemplate(LabelledEnum):
    # Plain names a care worker recognises; the values keep the models' textbook names
    # (Gibbs's reflective cycle; Rolfe's "What? So what? Now what?").
    HELPED_HINDERED = (
        "helped_hindered",
        "Quick: what helped, what got in the way, what could change",
    )
    GIBBS = "gibbs", "Step by step: what happened, how I felt, what I'd do next time"
    WHAT_SO_WHAT = "what_so_what", "Short: what happened, why it matters, what I'll do now"
    POSITIVE_RISK = "positive_risk", "A risk we supported: what they wanted, the risks, next time"

    @property
    def prompts(self) -> tuple[Prompt, ...]:
        return REFLECTION_PROMPTS[self]


REFLECTION_PROMPTS: dict[ReflectionTemplate, tuple[Prompt, ...]] = {
    ReflectionTemplate.HELPED_HINDERED: (
        Prompt("helped", "What helped?", "People, tools or habits that made things go well."),
        Prompt("hindered", "What got in the way?", "Anything that made the shift harder."),
        Prompt("could_change", "What could change?", "One thing that would make it easier."),
    ),
    ReflectionTemplate.GIBBS: (
        Prompt("description", "What happened?", "A short account, in your own words."),
        Prompt("feelings", "What were you thinking and feeling?", "It is fine to be honest."),
        Prompt("evaluation", "What was good and not so good?", "About the situation, not blame."),
        Prompt("analysis", "Why do you think it went that way?", "What about the work shaped it."),
        Prompt("conclusion", "What else could have been done?", "Other options you can see now."),
        Prompt("action_plan", "What will you do next time?", "Anything you want to try or learn."),
    ),
    ReflectionTemplate.WHAT_SO_WHAT: (
        Prompt("what", "What happened?", "And what was your part in it?"),
        Prompt("so_what", "Why does it matter?", "What did you learn?"),
        Prompt("now_what", "What will you do now?", "Or what will you ask for?"),
    ),
    ReflectionTemplate.POSITIVE_RISK: (
        Prompt("wanted", "What did the person want?", "Their wishes, in their words if you can."),
        Prompt("risks", "What were the risks?", "To them and to others, and how likely."),
        Prompt("least_restrictive", "What was the least restrictive option?", "What you tried."),
        Prompt("next_time", "What would we try next time?", "Ideas for their plan or the team."),
    ),
}


class Reflection(SyncedDraftMixin, Base):
    __tablename__ = "reflection"
    __table_args__ = (Index("ix_reflection_author_created", "author_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    template: Mapped[ReflectionTemplate] = mapped_column(
        _enum(ReflectionTemplate, "reflection_template"),
        default=ReflectionTemplate.HELPED_HINDERED,
    )
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    debrief_id: Mapped[int | None] = mapped_column(ForeignKey("debrief.id", ondelete="SET NULL"))
    shared_with_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(16), default="web")

    author: Mapped[User] = relationship()
    report: Mapped[Report | None] = relationship()
    debrief: Mapped[Debrief | None] = relationship()

    def answered_prompts(self) -> list[tuple[Prompt, str]]:
        """The template's prompts with the author's answers, skipping empty ones."""
        return [(p, self.answers[p.key]) for p in self.template.prompts if self.answers.get(p.key)]
