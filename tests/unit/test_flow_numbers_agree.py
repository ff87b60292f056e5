"""Client flow: one definition per figure, shared by the register, the summary, the chart
and the report (issue 13, point 7).

The case that disagreed: arrival 06:30 and a contact 06:45-07:00 with no departure. On the
day it is still an open visit (the register showed its waiting so far); the summary counted
it as a finished 30-minute visit.
"""

from __future__ import annotations

from datetime import date, time

from cope_tui.cope import client_flow
from cope_tui.cope import exercise as cope
from cope_tui.cope.client_flow import Contact, Visit, by_visit_type, chart, client_times
from cope_tui.cope.flow_register import register_rows
from cope_tui.export.exercise import exercise_markdown
from cope_tui.store.store import Store

VISITS = [Visit(1, "first", time(6, 30))]
CONTACTS = [Contact(1, "nurse", time(6, 45), time(7, 0))]
SEVEN_OH_FIVE = 7 * 60 + 5


def test_on_the_day_a_visit_without_departure_is_open_and_counted_so_far():
    (row,) = client_times(VISITS, CONTACTS, now=SEVEN_OH_FIVE)
    assert not row.finished
    assert (row.total, row.contact, row.waiting) == (35, 15, 20)
    (first, everyone) = by_visit_type([row])
    assert (everyone.clients, everyone.finished) == (1, 0)
    assert everyone.mean_total is None and everyone.mean_waiting is None  # means are over finished visits only
    assert "(still in the facility)" in "\n".join(chart([row]))


def test_after_the_day_the_visit_ends_with_its_last_contact():
    (row,) = client_times(VISITS, CONTACTS)
    assert row.finished and (row.total, row.contact, row.waiting) == (30, 15, 15)
    everyone = by_visit_type([row])[-1]
    assert (everyone.finished, everyone.mean_total, everyone.mean_waiting) == (1, 30.0, 15.0)


def test_an_open_contact_counts_until_now_on_the_day():
    (row,) = client_times(VISITS, [Contact(1, "nurse", time(6, 45))], now=SEVEN_OH_FIVE)
    assert not row.finished and (row.total, row.contact, row.waiting) == (35, 20, 15)


def test_the_definitions_are_stated_in_words():
    text = client_flow.DEFINITIONS.lower()
    for word in ("total", "contact", "waiting", "finished"):
        assert word in text


def _today_exercise() -> cope.Exercise:
    ex = cope.new_exercise("Site", date(2026, 3, 2))
    cope.add_visit(ex, "first", "06:30")
    cope.add_contact(ex, 1, "nurse", "06:45", "07:00")
    ex.flow_date = date.today()
    return ex


def test_register_and_report_use_the_same_figures(monkeypatch, tmp_path):
    monkeypatch.setattr(client_flow, "now_clock", lambda: time(7, 5))
    ex = _today_exercise()
    (_, cells), = register_rows(ex, client_flow.live_minutes(ex.flow_date))
    assert cells[3:7] == ["waiting", "35", "15", "20"]
    store = Store(tmp_path / "db.json")
    try:
        report = exercise_markdown(store, ex)
    finally:
        store.close()
    assert "| 1 | first | 06:30 | 35 so far | 15 | 20 so far |" in report
    assert "still here" in report.lower() or "still in the facility" in report
    assert "30" not in report.split("### By visit type")[1].split("###")[0]  # no finished 30-minute visit
    assert client_flow.DEFINITIONS in report
