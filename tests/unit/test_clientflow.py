"""Client-flow analysis: per-client times, impossible times refused, summaries and chart."""

from __future__ import annotations

import re
from datetime import time

import pytest

from cope_tui.cope.client_flow import Contact, FlowError, Visit, by_hour, by_visit_type, chart, check_contact, check_visit, client_times, parse_clock

VISITS = [
    Visit(1, "first", time(8, 0)),
    Visit(2, "follow-up", time(8, 10)),
    Visit(3, "first", time(9, 30)),
]
CONTACTS = [
    Contact(1, "receptionist", time(8, 5), time(8, 10)),
    Contact(1, "nurse", time(8, 40), time(9, 0)),
    Contact(2, "nurse", time(9, 10), time(9, 20)),
    Contact(3, "counsellor", time(9, 35), None),
]


def test_per_client_total_contact_and_waiting():
    rows = {r.number: r for r in client_times(VISITS, CONTACTS)}
    assert (rows[1].total, rows[1].contact, rows[1].waiting) == (60, 25, 35)
    assert (rows[2].total, rows[2].contact, rows[2].waiting) == (70, 10, 60)
    assert rows[3].total is None and rows[3].waiting is None  # still with the counsellor
    assert [r.number for r in client_times(VISITS, CONTACTS)] == [1, 2, 3]


def test_departure_closes_a_visit():
    rows = client_times([Visit(1, "first", time(8, 0), time(8, 30))], [])
    assert (rows[0].total, rows[0].contact, rows[0].waiting) == (30, 0, 30)


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        (Contact(1, "nurse", time(7, 50), time(8, 0)), "before client 1 arrived"),
        (Contact(1, "nurse", time(9, 30), time(9, 10)), "ends (09:10) before it starts"),
        (Contact(1, "doctor", time(8, 50), time(9, 5)), "already with nurse"),
        (Contact(3, "nurse", time(9, 40), time(9, 45)), "still open"),
        (Contact(9, "nurse", time(9, 40), time(9, 45)), "not in the register"),
    ],
)
def test_impossible_contacts_are_refused_with_the_reason(contact, reason):
    with pytest.raises(FlowError, match=re.escape(reason)):
        check_contact(VISITS, CONTACTS, contact)


def test_back_to_back_contacts_are_fine_and_editing_ignores_itself():
    check_contact(VISITS, CONTACTS, Contact(1, "pharmacist", time(9, 0), time(9, 5)))
    old = CONTACTS[1]
    check_contact(VISITS, CONTACTS, Contact(1, "nurse", time(8, 45), time(9, 0)), replacing=old)


def test_visits_are_checked():
    with pytest.raises(FlowError, match="already in the register"):
        check_visit(VISITS, Visit(2, "first", time(10, 0)))
    with pytest.raises(FlowError, match="before arriving"):
        check_visit(VISITS, Visit(7, "first", time(10, 0), time(9, 0)))


def test_clock_parsing():
    assert parse_clock("9:05") == time(9, 5)
    assert parse_clock("1430") == time(14, 30)
    with pytest.raises(FlowError, match="HH:MM"):
        parse_clock("25:00")
    with pytest.raises(FlowError):
        parse_clock("noon")


def test_summaries_and_chart():
    rows = client_times(VISITS, CONTACTS)
    kinds = {s.label: s for s in by_visit_type(rows)}
    assert kinds["first"].clients == 2 and kinds["first"].mean_waiting == 35.0
    assert kinds["all"].clients == 3 and kinds["all"].max_waiting == 60
    hours = {s.label: s for s in by_hour(rows)}
    assert hours["08:00-08:59"].clients == 2 and hours["09:00-09:59"].mean_total is None
    lines = chart(rows, width=30)
    assert lines[1].startswith("#1") and "░" in lines[1] and "█" in lines[1]
    assert "still in the facility" in lines[3]
    assert all(len(line) <= 80 for line in lines)
