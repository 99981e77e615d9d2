"""The funnel's numbers on hand-built timelines, where every expected value is worked out by hand."""
from __future__ import annotations

import pytest

from funnel_world import T0, World, at
from onboarding.reporting.funnel import compute_funnel, visits
from onboarding.reporting.rows import FunnelInputs, TransitionRow


def dwell_of(report, state):
    return next(d for d in report.dwell if d.state == state)


def test_a_timeline_starts_submitted_at_creation_and_ends_with_an_open_visit():
    transitions = [TransitionRow("A", at(0.25), "submitted", "checking"),
                   TransitionRow("A", at(1), "checking", "needs_documents")]
    timeline = visits(at(0), transitions, at(5))
    assert [(v.state, v.seconds / 3600, v.is_open) for v in timeline] == [
        ("submitted", 0.25, False), ("checking", 0.75, False), ("needs_documents", 4.0, True)]


def test_median_and_p90_per_state_over_visits_with_linear_interpolation():
    w = World()
    for app_id, hours_checking in (("A", 1), ("B", 2), ("C", 4)):
        w.app(app_id, 0, (0, "checking"), (hours_checking, "approved"), (hours_checking + 1, "shipped"))
    checking = dwell_of(w.report(100), "checking")
    assert (checking.visits, checking.open_visits) == (3, 0)
    assert checking.median_hours == 2.0
    assert checking.p90_hours == pytest.approx(3.6)  # 2 + (4 - 2) * 0.8
    assert checking.max_hours == 4.0
    approved = dwell_of(w.report(100), "approved")
    assert approved.median_hours == 1.0


def test_even_count_median_is_the_mean_of_the_middle_two():
    w = World()
    w.app("A", 0, (1, "checking"), (2, "approved"))
    w.app("B", 0, (3, "checking"), (4, "approved"))
    assert dwell_of(w.report(10), "submitted").median_hours == 2.0  # 1 h and 3 h


def test_the_current_state_counts_up_to_as_of_but_final_states_do_not():
    w = World()
    w.app("waiting", 0, (0, "checking"), (2, "needs_documents"))          # open 8 h at as_of 10
    w.app("done", 0, (0, "checking"), (1, "needs_documents"), (3, "checking"), (4, "rejected"))
    report = w.report(10)
    needs = dwell_of(report, "needs_documents")
    assert (needs.visits, needs.open_visits) == (2, 1)
    assert needs.median_hours == 5.0  # 2 h closed, 8 h open
    assert needs.max_hours == 8.0
    assert "rejected" not in {d.state for d in report.dwell}
    checking = dwell_of(report, "checking")
    assert checking.visits == 3 and checking.open_visits == 0  # "done" visited checking twice


def test_approved_and_shipped_are_waiting_states_so_their_open_visit_counts():
    w = World()
    w.app("A", 0, (0, "checking"), (1, "approved"))
    approved = dwell_of(w.report(25), "approved")
    assert (approved.visits, approved.open_visits, approved.median_hours) == (1, 1, 24.0)


def test_everything_dated_after_as_of_is_ignored():
    w = World()
    w.app("A", 0, (1, "checking"), (2, "needs_documents"), (30, "checking"))
    w.app("later", 20, (21, "checking"))
    w.decision("A", 2, "document_blurry")
    w.decision("A", 29, "document_expired")
    w.rounds("A", 2, 29)
    report = w.report(10)
    assert report.total_applications == 1
    assert report.count_in("needs_documents") == 1 and report.count_in("checking") == 0
    assert [(c.code, c.latest, c.ever) for c in report.deficiency_codes] == [("document_blurry", 1, 1)]
    assert [(b.rounds, b.applications) for b in report.request_rounds] == [(0, 0), (1, 1)]
    assert dwell_of(report, "needs_documents").median_hours == 8.0


def test_counts_per_state_list_every_state_and_split_by_merchant_type():
    w = World()
    w.app("A", 0, merchant_type="small_micro")
    w.app("B", 0, (1, "checking"), merchant_type="enterprise")
    w.app("C", 0, (1, "checking"), merchant_type="small_micro")
    report = w.report(2)
    assert report.by_merchant_type == {"small_micro": 2, "enterprise": 1}
    by_state = {s.state: s for s in report.by_state}
    assert list(by_state)[:3] == ["submitted", "checking", "needs_documents"]
    assert len(by_state) == 10 and by_state["active"].total == 0
    assert by_state["checking"].by_merchant_type == {"small_micro": 1, "enterprise": 1}
    assert by_state["submitted"].total == 1


def test_deficiency_codes_latest_versus_ever_counted_once_per_application():
    w = World()
    w.app("A", 0)
    w.decision("A", 1, "document_blurry", "document_missing")
    w.decision("A", 2, "document_missing")            # latest for A
    w.app("B", 0)
    w.decision("B", 1, "document_missing", "document_missing")  # the same code twice in one decision
    w.app("C", 0)
    w.decision("C", 1, "name_mismatch")
    w.decision("C", 3)                                 # latest for C: clean
    report = w.report(5)
    assert [(c.code, c.latest, c.ever) for c in report.deficiency_codes] == [
        ("document_missing", 2, 2), ("document_blurry", 0, 1), ("name_mismatch", 0, 1)]


def test_decisions_at_the_same_time_take_the_higher_id_as_latest():
    w = World()
    w.app("A", 0)
    w.decision("A", 1, "document_blurry", decision_id=7)
    w.decision("A", 1, "document_expired", decision_id=9)
    latest = {c.code: c.latest for c in w.report(2).deficiency_codes}
    assert latest == {"document_expired": 1, "document_blurry": 0}


def test_rounds_histogram_is_contiguous_from_zero():
    w = World()
    for app_id in "ABCDE":
        w.app(app_id, 0)
    w.rounds("A", 1, 2, 3)
    w.rounds("B", 1)
    w.rounds("C", 1)
    assert [(b.rounds, b.applications) for b in w.report(5).request_rounds] == [(0, 2), (1, 2), (2, 0), (3, 1)]


def test_time_to_approval_runs_from_creation_to_the_first_approval():
    w = World()
    w.app("A", 0, (1, "checking"), (2, "approved"), (30, "shipped"))          # 2 h
    w.app("B", 10, (11, "checking"), (12, "manual_review"), (20, "approved"))  # 10 h
    w.app("C", 0, (1, "checking"), (60, "approved"))                           # 60 h
    w.app("D", 0, (1, "checking"), (2, "rejected"))
    summary = w.report(100).time_to_approval
    assert (summary.count, summary.median_hours) == (3, 10.0)
    assert summary.p90_hours == pytest.approx(50.0)  # 10 + (60 - 10) * 0.8
    counts = {b.label: b.count for b in summary.bins}
    assert counts["1–4 h"] == 1 and counts["4–12 h"] == 1 and counts["2–3 d"] == 1
    assert sum(counts.values()) == 3


def test_waiting_lists_show_the_oldest_first_with_rounds_and_latest_codes():
    w = World()
    w.app("new", 0, (0, "checking"), (8, "needs_documents"), name="新店")
    w.app("old", 0, (0, "checking"), (2, "needs_documents"))
    w.app("review", 0, (0, "checking"), (3, "manual_review"), merchant_type="enterprise")
    w.app("gone", 0, (0, "checking"), (1, "needs_documents"), (4, "expired"))
    w.decision("old", 2, "document_expired", "document_blurry")
    w.rounds("old", 2)
    report = w.report(10, waiting_limit=5)
    assert [a.application_id for a in report.waiting_on_merchants] == ["old", "new"]
    old = report.waiting_on_merchants[0]
    assert (old.waiting_hours, old.age_hours, old.request_rounds) == (8.0, 10.0, 1)
    assert old.latest_codes == ["document_blurry", "document_expired"]
    assert old.waiting_since == at(2)
    assert report.waiting_on_merchants[1].business_name == "新店"
    assert [(a.application_id, a.merchant_type, a.waiting_hours) for a in report.waiting_on_staff] == [
        ("review", "enterprise", 7.0)]
    assert len(w.report(10, waiting_limit=1).waiting_on_merchants) == 1


def test_events_at_the_same_instant_keep_their_recorded_order():
    w = World()
    w.app("A", 0, (1, "checking"), (1, "needs_documents"), (1, "checking"), (2, "approved"))
    report = w.report(3)
    assert report.count_in("approved") == 1
    assert dwell_of(report, "needs_documents").median_hours == 0.0
    assert dwell_of(report, "checking").visits == 2


def test_an_empty_world_gives_an_empty_report():
    report = compute_funnel(FunnelInputs(), T0)
    assert report.is_empty and report.total_applications == 0
    assert [s.total for s in report.by_state] == [0] * 10
    assert report.dwell == [] and report.deficiency_codes == [] and report.request_rounds == []
    assert report.time_to_approval.count == 0 and report.time_to_approval.median_hours is None
    assert report.waiting_on_staff == [] and report.waiting_on_merchants == []


def test_unknown_states_and_merchant_types_are_kept_after_the_known_ones():
    w = World()
    w.app("A", 0, (1, "on_hold"), merchant_type="franchise")
    w.app("B", 0, merchant_type="small_micro")
    report = w.report(5)
    assert [s.state for s in report.by_state][-1] == "on_hold"
    assert list(report.by_merchant_type) == ["small_micro", "franchise"]
    assert dwell_of(report, "on_hold").open_visits == 1
