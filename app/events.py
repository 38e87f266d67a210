"""Signals one feature sends and others act on, so features stay loosely coupled.

Reports send `report_submitted` and `report_feedback_given`; notifications subscribe and tell
the right people; the dashboard and supervision read the data itself, not these signals.
Senders pass the record as the sender and nothing personal in keyword arguments.

    from app.events import report_submitted
    report_submitted.send(report)            # in the service, after commit

    @report_submitted.connect
    def alert_managers(report, **extra): ...
"""

from blinker import Namespace

_signals = Namespace()

report_submitted = _signals.signal("report-submitted")
report_feedback_given = _signals.signal("report-feedback-given")
report_status_changed = _signals.signal("report-status-changed")
restrictive_practice_recorded = _signals.signal("restrictive-practice-recorded")
safeguarding_concern_raised = _signals.signal("safeguarding-concern-raised")
safeguarding_escalation_overdue = _signals.signal("safeguarding-escalation-overdue")
observation_recorded = _signals.signal("observation-recorded")
