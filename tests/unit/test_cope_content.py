"""COPE content files load with the expected shape; broken files are reported clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

import cope_tui.content
from cope_tui.content import cope_guides as cc
from cope_tui.content.meeting_guide import ContentError

# The shipped content folder, found through its package: a path built by hand went stale
# when the loaders moved into content/ (it pointed at content/content/, and the scans below
# read no file at all and passed).
CONTENT = Path(cope_tui.content.__file__).parent
SHIPPED_FILES = {"meeting.toml", "stages.toml", "cope_guides.toml", "cope_interview.toml", "record_review.toml", "culture_of_service.toml"}

EXPECTED_GUIDES = [
    "information",
    "access",
    "informed_choice",
    "safe_services",
    "privacy",
    "dignity",
    "continuity",
    "supervision",
    "training",
    "supplies",
]


# ---------------------------------------------------------------- shipped files


def test_shipped_guides_shape() -> None:
    guides = cc.load_guides()
    assert [g.id for g in guides.guides] == EXPECTED_GUIDES
    assert [g.number for g in guides.guides] == list(range(1, 11))
    assert [g.group for g in guides.guides] == ["client rights"] * 7 + ["staff needs"] * 3
    for guide in guides.guides:
        assert len(guide.questions) >= 8, guide.id
        ids = [q.id for q in guide.questions]
        assert len(set(ids)) == len(ids), guide.id
        assert guide.title and guide.intro
        # Mostly "no" is the problem, but some questions are phrased the other way.
        assert {q.problem_when for q in guide.questions} <= {"yes", "no"}
    all_problem = {q.problem_when for g in guides.guides for q in g.questions}
    assert all_problem == {"yes", "no"}


def test_shipped_guides_cached() -> None:
    assert cc.load_guides() is cc.load_guides()
    assert cc.load_interview() is cc.load_interview()
    assert cc.load_record_review() is cc.load_record_review()
    assert cc.load_culture() is cc.load_culture()


def _all_questions() -> list[str]:
    texts = [q.text for g in cc.load_guides().guides for q in g.questions]
    texts += [q.text for q in cc.load_interview().questions]
    return texts


def test_every_question_is_short_and_ends_with_question_mark() -> None:
    for text in _all_questions():
        assert text.endswith("?"), text
        assert len(text) <= 120, text


def test_question_texts_not_repeated() -> None:
    texts = _all_questions()
    assert len(set(texts)) == len(texts)


def test_shipped_interview_shape() -> None:
    interview = cc.load_interview()
    assert interview.title
    assert "anonymous" in interview.intro.lower() or "name is not" in interview.intro.lower()
    assert "choice" in interview.intro.lower() or "voluntary" in interview.intro.lower()
    assert 10 <= len(interview.questions) <= 14
    ids = [q.id for q in interview.questions]
    assert len(set(ids)) == len(ids)
    kinds = {q.kind for q in interview.questions}
    assert kinds == {"yes_no", "open"}
    for q in interview.questions:
        assert (q.problem_when is not None) == (q.kind == "yes_no")


def test_flags() -> None:
    q = cc.load_guides().guide("access").question("q03")  # long waits: "yes" is the problem
    assert q.problem_when == "yes"
    assert q.flags("yes") and not q.flags("no") and not q.flags("not_sure") and not q.flags(None)
    open_q = next(q for q in cc.load_interview().questions if q.kind == "open")
    assert not open_q.flags("yes")


def test_shipped_record_review_shape() -> None:
    review = cc.load_record_review()
    assert review.title
    assert "10" in review.intro and "20" in review.intro
    assert 8 <= len(review.items) <= 12
    ids = [i.id for i in review.items]
    assert len(set(ids)) == len(ids)
    assert cc.RECORD_MARKS == ("present", "missing", "not_applicable")


def test_shipped_culture_shape() -> None:
    culture = cc.load_culture()
    assert [s.id for s in culture.stages] == ["blueprints", "construction", "maintenance"]
    all_ids: list[str] = []
    for stage in culture.stages:
        assert stage.title and stage.intro
        assert 6 <= len(stage.items) <= 10, stage.id
        all_ids += [i.id for i in stage.items]
    assert len(set(all_ids)) == len(all_ids)


def test_the_scans_below_read_every_shipped_content_file() -> None:
    assert {p.name for p in CONTENT.glob("*.toml")} >= SHIPPED_FILES


def test_no_personal_details_in_content() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in CONTENT.glob("*.toml"))
    assert "@" not in text
    assert "Duncan" not in text and "Celeste" not in text
    assert "206." not in text


@pytest.mark.parametrize(
    "phrase",
    [
        "client-oriented",
        "provider-efficient",
        "break the ice",
        "who does what by when",
        "perceived customer effort",
        "pain points",
        "course corrections",
        "process gaps impacting",
        "embraces what",
        "partnership agreements",
        "input/innovation",
        "tap survey",
        "central administration",
        "provocative questions",
        "self-worth",
    ],
)
def test_seed_phrases_not_copied(phrase: str) -> None:
    for path in CONTENT.glob("*.toml"):
        if path.name == "meeting.toml":
            continue
        assert phrase not in path.read_text(encoding="utf-8").lower(), (path.name, phrase)


# ---------------------------------------------------------------- broken files


def _guides_toml(
    n_guides: int = 10,
    n_questions: int = 8,
    *,
    dup_question: bool = False,
    problem: str = "no",
    extra_key: str = "",
) -> str:
    out = ["schema_version = 1", ""]
    for n in range(1, n_guides + 1):
        group = "client rights" if n <= 7 else "staff needs"
        out += [
            "[[guides]]",
            f'id = "g{n:02d}"',
            f"number = {n}",
            f'group = "{group}"',
            f'title = "Guide {n}"',
            'intro = "About this guide."',
        ]
        if n == 1 and extra_key:
            out.append(extra_key)
        # Only the first guide gets `n_questions`; the rest keep the minimum of 8.
        for k in range(1, (n_questions if n == 1 else 8) + 1):
            qid = "q01" if dup_question and k == 2 else f"q{k:02d}"
            out += [
                "[[guides.questions]]",
                f'id = "{qid}"',
                f'text = "Question {k} of guide {n}?"',
                f'problem_when = "{problem if (n, k) == (1, 1) else "no"}"',
            ]
        out.append("")
    return "\n".join(out)


def _write(tmp_path: Path, text: str, name: str = "guides.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_generated_guides_load(tmp_path: Path) -> None:
    guides = cc.load_guides(_write(tmp_path, _guides_toml()))
    assert len(guides.guides) == 10


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (_guides_toml(n_guides=9), "guides"),
        (_guides_toml(n_questions=7), "guides.0.questions"),
        (_guides_toml(dup_question=True), "q01"),
        (_guides_toml(problem="maybe"), "problem_when"),
        (_guides_toml(extra_key='colour = "red"'), "colour"),
        (_guides_toml().replace('title = "Guide 3"\n', ""), "title"),
        (_guides_toml().replace('group = "staff needs"', 'group = "client rights"', 1), "group"),
        (_guides_toml().replace("number = 4", "number = 5"), "number"),
        (_guides_toml().replace('"Question 1 of guide 1?"', '"Question one"'), "text"),
    ],
    ids=[
        "nine_guides",
        "seven_questions",
        "duplicate_question_id",
        "bad_problem_when",
        "unknown_key",
        "missing_title",
        "wrong_group_order",
        "bad_numbering",
        "no_question_mark",
    ],
)
def test_broken_guides_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        cc.load_guides(path)
    message = str(info.value)
    assert str(path) in message
    assert field in message
    assert "Fix" in message


def test_bad_toml_names_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[[guides]\nid = ")
    with pytest.raises(ContentError) as info:
        cc.load_guides(path)
    assert str(path) in str(info.value) and "not valid TOML" in str(info.value)


def test_missing_file_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="Cannot read"):
        cc.load_guides(tmp_path / "nope.toml")


INTERVIEW_OK = """\
title = "T"
intro = "Anonymous and voluntary."

[[questions]]
id = "a"
kind = "yes_no"
text = "Was it fine?"
problem_when = "no"

[[questions]]
id = "b"
kind = "open"
text = "What else?"
"""


def test_interview_broken_variants(tmp_path: Path) -> None:
    assert len(cc.load_interview(_write(tmp_path, INTERVIEW_OK, "i.toml")).questions) == 2
    cases = {
        "problem_when": INTERVIEW_OK.replace('problem_when = "no"\n', ""),
        "kind": INTERVIEW_OK.replace('kind = "open"', 'kind = "scale"'),
        "used twice": INTERVIEW_OK.replace('id = "b"', 'id = "a"'),
        "intro": INTERVIEW_OK.replace('intro = "Anonymous and voluntary."\n', ""),
    }
    for field, text in cases.items():
        path = _write(tmp_path, text, "i.toml")
        with pytest.raises(ContentError) as info:
            cc.load_interview(path)
        assert str(path) in str(info.value) and field in str(info.value), field
    # An open question must not carry problem_when.
    text = INTERVIEW_OK.replace('text = "What else?"', 'text = "What else?"\nproblem_when = "yes"')
    with pytest.raises(ContentError, match="problem_when"):
        cc.load_interview(_write(tmp_path, text, "i.toml"))


def test_record_review_broken(tmp_path: Path) -> None:
    ok = 'title = "R"\nintro = "Check 10-20."\n\n[[items]]\nid = "date"\ntext = "Date"\n'
    assert cc.load_record_review(_write(tmp_path, ok, "r.toml")).items[0].id == "date"
    path = _write(tmp_path, ok + '\n[[items]]\nid = "date"\ntext = "Again"\n', "r.toml")
    with pytest.raises(ContentError) as info:
        cc.load_record_review(path)
    assert str(path) in str(info.value) and "'date'" in str(info.value)
    path = _write(tmp_path, ok.replace('text = "Date"', 'text = "Date"\nweight = 2'), "r.toml")
    with pytest.raises(ContentError, match="weight"):
        cc.load_record_review(path)


def _culture_toml(ids: list[str]) -> str:
    out = []
    for sid in ids:
        out += [
            "[[stages]]",
            f'id = "{sid}"',
            f'title = "{sid.title()}"',
            'intro = "Stage."',
            "[[stages.items]]",
            'id = "one"',
            'text = "Do one thing"',
            "",
        ]
    return "\n".join(out)


def test_culture_broken(tmp_path: Path) -> None:
    good = ["blueprints", "construction", "maintenance"]
    assert len(cc.load_culture(_write(tmp_path, _culture_toml(good), "c.toml")).stages) == 3
    for ids in (good[:2], [good[1], good[0], good[2]], good + ["extra"]):
        path = _write(tmp_path, _culture_toml(ids), "c.toml")
        with pytest.raises(ContentError) as info:
            cc.load_culture(path)
        assert str(path) in str(info.value) and "stages" in str(info.value)
