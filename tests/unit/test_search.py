"""Search across clients, meetings and exercises, on real DB files."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cope_tui.cope.exercise import new_exercise, raise_problem
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import add_addendum, finalise, new_row
from cope_tui.records import dump
from cope_tui.search import SearchIndex, index_for, snippet, terms
from cope_tui.store.store import Store


@pytest.fixture
def guide():
    return load_meeting_guide()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db.json")
    yield s
    s.close()


def meeting_with(store, guide, client, when: str, **notes: str):
    """A meeting started at `when` with notes typed into the given steps."""
    meeting = start_meeting(store, guide, client)
    meeting.started = datetime.fromisoformat(when)
    for step_id, text in notes.items():
        meeting.step(step_id).notes = text
    store.put_meeting(meeting)
    return meeting


def test_finds_a_word_typed_in_a_note_at_its_step(store, guide):
    client = create_client(store, "C-0001")
    meeting = meeting_with(store, guide, client, "2025-03-01T10:00", progress="Client mentioned the allotment.")
    found = SearchIndex(store, guide).search("allotment")
    assert found.total == 1
    hit = found.results[0]
    assert (hit.kind, hit.record_id, hit.client_code) == ("meeting", meeting.id, "C-0001")
    assert hit.place == "progress" and hit.place_title == guide.step("progress").title
    assert hit.part == "notes" and hit.when == "2025-03-01 10:00" and hit.label == "first"
    assert hit.snippet == "Client mentioned the allotment."


def test_finds_a_list_row_value_and_names_the_list(store, guide):
    client = create_client(store, "C-0002")
    meeting = meeting_with(store, guide, client, "2025-03-01T10:00")
    spec = guide.step("services").list_spec("referrals")
    meeting.rows("services", "referrals").append(
        new_row(meeting, spec, {"service": "Tenancy sustainment team", "status": "using", "note": "weekly visits"})
    )
    store.put_meeting(meeting)
    found = SearchIndex(store, guide).search("weekly visits")
    assert [r.record_id for r in found.results] == [meeting.id]
    assert found.results[0].place == "services" and found.results[0].part == spec.label
    assert found.results[0].snippet == "weekly visits"


def test_checklist_text_from_the_guide_is_not_a_hit(store, guide):
    """Fixed checklist rows carry the guide's wording in every meeting: not the user's words."""
    client = create_client(store, "C-0003")
    meeting_with(store, guide, client, "2025-03-01T10:00")
    fixed = next(row for row in store.meeting(store.meetings()[0].id).rows("boundaries", "boundaries"))
    fixed_text = next(iter(fixed.values.values()))
    assert SearchIndex(store, guide).search(fixed_text).total == 0


def test_client_code_hits_come_first_then_newest_meetings(store, guide):
    rent = create_client(store, "RENT-7")
    other = create_client(store, "C-0004", note="Talks about rent often")
    old = meeting_with(store, guide, other, "2024-01-05T09:00", progress="rent arrears letter")
    new = meeting_with(store, guide, other, "2025-06-05T09:00", progress="rent paid on time")
    found = SearchIndex(store, guide).search("rent")
    ids = [r.record_id for r in found.results]
    assert ids == [rent.id, other.id, new.id, old.id]
    assert found.results[0].part == "code" and found.results[1].part == "note"


def test_all_words_must_match_in_any_case(store, guide):
    client = create_client(store, "C-0005")
    only_bus = meeting_with(store, guide, client, "2025-01-01T10:00", progress="The BUS is late.")
    only_fare = meeting_with(store, guide, client, "2025-01-02T10:00", needs="a fare")
    both = meeting_with(store, guide, client, "2025-01-03T10:00", progress="bus", services="Fare paid")
    index = SearchIndex(store, guide)
    assert [r.record_id for r in index.search("bus FARE").results] == [both.id]
    assert [r.record_id for r in index.search("Bus").results] == [both.id, only_bus.id]
    assert [r.record_id for r in index.search("fARe").results] == [both.id, only_fare.id]
    assert index.search("bus taxi").total == 0
    assert index.search("   ").total == 0 and index.search("").results == []


def test_a_client_code_narrows_to_that_clients_meetings(store, guide):
    mine = create_client(store, "C-0006")
    theirs = create_client(store, "C-0007")
    wanted = meeting_with(store, guide, mine, "2025-01-01T10:00", progress="dental clinic")
    meeting_with(store, guide, theirs, "2025-01-02T10:00", progress="dental clinic")
    found = SearchIndex(store, guide).search("c-0006 dental")
    assert [r.record_id for r in found.results] == [wanted.id]
    assert found.results[0].place == "progress"


def test_client_fields_and_addenda_are_searched(store, guide):
    client = create_client(store, "C-0008", others=["grandmother"], note="Prefers mornings")
    meeting = meeting_with(store, guide, client, "2025-01-01T10:00")
    finalise(meeting, "worker-1")
    add_addendum(meeting, "Corrected the benefit amount", "worker-1")
    store.put_meeting(meeting)
    index = SearchIndex(store, guide)
    assert index.search("grandmother").results[0].part == "significant others"
    hit = index.search("benefit amount").results[0]
    assert (hit.record_id, hit.part, hit.place) == (meeting.id, "addendum", None)


def test_a_record_saved_after_indexing_is_found_and_its_old_text_is_not(store, guide):
    client = create_client(store, "C-0009")
    meeting = meeting_with(store, guide, client, "2025-01-01T10:00", progress="first draft words")
    index = SearchIndex(store, guide)
    assert index.search("draft").total == 1
    assert index.refresh() == 0  # nothing changed: nothing re-read

    meeting.step("progress").notes = "rewritten about the allotment"
    store.put_meeting_doc(meeting.id, dump(meeting))  # what the autosaver does
    assert index.search("allotment").total == 1
    assert index.search("draft").total == 0
    later = create_client(store, "C-0010", note="new referral from the library")
    assert [r.record_id for r in index.search("library").results] == [later.id]
    store.delete("clients", later.id)
    assert index.search("library").total == 0


def test_an_index_over_a_reopened_file_finds_what_was_saved(tmp_path, guide):
    path = tmp_path / "db.json"
    store = Store(path)
    client = create_client(store, "C-0011")
    meeting_with(store, guide, client, "2025-01-01T10:00", support="neighbour helps with shopping")
    store.close()
    reopened = Store(path, read_only=True)
    try:
        found = index_for(reopened, guide).search("NEIGHBOUR")
        assert found.total == 1 and found.results[0].place == "support"
        assert index_for(reopened) is index_for(reopened)  # one index per store
    finally:
        reopened.close()


def test_exercises_are_found_at_their_section(store, guide):
    exercise = new_exercise("North clinic", date(2025, 5, 1), facilitator="team lead")
    raise_problem(exercise, "manual", "Waiting room has no water")
    store.put_exercise(exercise)
    found = SearchIndex(store, guide).search("water")
    assert [(r.kind, r.place, r.label) for r in found.results] == [("exercise", "plan", "North clinic")]


def test_snippets_are_one_clean_line_around_the_match(store, guide):
    client = create_client(store, "C-0012")
    long_note = "start " + "filler words " * 20 + "the \x1b[31mkey\x1b[0m\tword\r\nhere " + "more text " * 20
    meeting_with(store, guide, client, "2025-01-01T10:00", progress=long_note)
    text = SearchIndex(store, guide).search("key").results[0].snippet
    assert "\n" not in text and "\x1b" not in text and "\t" not in text
    assert "the key word here" in text
    assert text.startswith("…") and text.endswith("…") and len(text) <= 80


def test_query_words_and_snippet_helpers():
    assert terms("  Bus  fare BUS ") == ["fare", "bus"]
    assert snippet("short", ["x"]) == "short"
    assert snippet("a\nb\x07c", []) == "a bc"


class CountedText(bytes):
    """A record's indexed text (UTF-8) that counts the word tests made on it."""

    tests = 0

    def __contains__(self, word: object) -> bool:
        CountedText.tests += 1
        return super().__contains__(word)


def test_search_work_grows_with_the_records_not_faster(store, guide, monkeypatch):
    """Not a benchmark (see benchmarks/search.py): a guard against an accidental quadratic,
    counting the work instead of timing it (a timed test fails on a busy machine and passes
    a slow algorithm on a fast one)."""
    client = create_client(store, "C-0013")
    base = start_meeting(store, guide, client)
    doc = dump(base)
    for i in range(3000):
        copy = dict(doc, id=f"m{i:05d}", started=f"2025-01-01T{i % 24:02d}:00:00")
        copy["steps"] = dict(doc["steps"], progress=dict(doc["steps"]["progress"], notes=f"note number {i} about rent"))
        store.put("meetings", copy["id"], copy)
    records = 1 + 1 + 3000  # the client, its first meeting and the copies
    index = SearchIndex(store, guide)
    assert index.refresh() == records  # each record read once
    assert index.refresh() == 0  # and not again while nothing changed
    for entries in index._entries.values():
        for entry in entries.values():
            entry.text = CountedText(entry.text)

    found = index.search("number 2999 rent")
    assert found.total == 1
    # At most one test per word and record (each pass sees what the words before it
    # left): linear in the records; a quadratic slip would make millions.
    assert 0 < CountedText.tests <= len(found.words) * records

    built = []
    result = SearchIndex._result
    monkeypatch.setattr(SearchIndex, "_result", lambda self, *a: built.append(1) or result(self, *a))
    everywhere = index.search("rent")
    assert everywhere.total == 3000
    assert len(built) == len(everywhere.results) == 100  # results are built for what is shown


def test_the_cached_index_goes_with_its_store(tmp_path, guide):
    import gc
    import weakref

    store = Store(tmp_path / "db.json")
    index = weakref.ref(index_for(store, guide))
    store.close()
    del store
    gc.collect()
    assert index() is None


def test_the_index_reads_through_the_stores_public_raw_method(store, guide):
    """Search uses `Store.raw` and `Store.raw_versions`, copies taken under the store's lock,
    not its private snapshot."""
    client = create_client(store, "C-0011", note="walks the dog at dawn")
    docs = store.raw("clients")
    assert [d["id"] for d in docs] == [client.id]
    docs.clear()  # the caller's own list: the store keeps its records
    assert [d["id"] for d in store.raw("clients")] == [client.id]
    assert store.raw("meetings") == []

    # (issue 14: the index asks for each table's record versions, then reads only the
    # records it has not indexed yet, so it never holds every meeting at once)
    read = []
    public = store.raw_versions
    store.raw_versions = lambda table: read.append(table) or public(table)
    assert SearchIndex(store, guide).search("dawn").total == 1
    assert {"clients", "meetings", "exercises"} <= set(read)


def test_a_query_no_longer_wanted_stops_and_answers_nothing(store, guide):
    """Typing on cancels the query before: it stops at the next chunk, or the next result
    (at 50,000 meetings a query is tenths of a second of the interpreter)."""
    client = create_client(store, "C-0201")
    for day in range(1, 6):
        meeting_with(store, guide, client, f"2025-03-0{day}T10:00", progress="rent arrears again")
    index = SearchIndex(store, guide)
    asked: list[int] = []
    assert index.search("rent", stop=lambda: asked.append(1) or True) is None
    assert asked  # it asked, and stopped at once
    later = []
    found = index.search("rent", stop=lambda: later.append(1) or len(later) > 3)
    assert found is None and len(later) == 4  # stopped while the results were being made
    assert index.search("rent", stop=lambda: False).total == 5


def test_results_are_made_from_what_was_read_until_the_record_changes(store, guide, monkeypatch):
    """Each letter typed asks for mostly the same newest results again: a record is read
    once for them, and read again only once it was saved since."""
    client = create_client(store, "C-0202")
    meetings = [meeting_with(store, guide, client, f"2025-04-0{d}T10:00", progress="food bank voucher") for d in (1, 2, 3)]
    index = SearchIndex(store, guide)
    index.refresh()  # (the index reads what changed before each query: not counted here)
    reads: list[str] = []
    real_get = store.get
    monkeypatch.setattr(store, "get", lambda table, key: reads.append(key) or real_get(table, key))
    assert index.search("food").total == 3
    assert sorted(reads) == sorted(m.id for m in meetings)
    reads.clear()
    assert [r.snippet for r in index.search("food bank").results] == ["food bank voucher"] * 3
    assert reads == []
    changed = meetings[1]
    changed.step("progress").notes = "food bank voucher and a winter coat"
    store.put_meeting(changed)
    found = index.search("food bank")
    assert set(reads) == {changed.id}  # (the index's own refresh, then the result)
    assert "food bank voucher and a winter coat" in [r.snippet for r in found.results]
