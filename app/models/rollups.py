"""Monthly rollups of reports, so the dashboard reads a few hundred small rows whatever the
number of reports (see app/governance/rollups.py, which keeps them current).

`ReportRollup` counts reports by service, month created (UTC, "YYYY-MM") and every property a
figure splits on. `FeedbackDelayRollup` counts reports by the whole seconds from report to first
feedback, so the median is read from a short histogram instead of sorting every report.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ReportRollup(Base):
    __tablename__ = "report_rollup"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    # near_miss, incident (no, low or unknown harm) or serious (moderate harm or worse)
    harm_band: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    is_repeat: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    learning_shared: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)


class FeedbackDelayRollup(Base):
    __tablename__ = "feedback_delay_rollup"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    delay_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)
