"""Issue 11.6: text with control characters, escape sequences, bidi and zero-width
characters, through the one sanitiser and through every Markdown export.

Properties: what comes out holds no control character (newlines apart), no bidi or
zero-width character, and parses to the same structure as the same records with plain
text: no heading, table row, list, HTML or link comes from what somebody typed.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cope_tui import mdsafe
from cope_tui.export.documents import all_markdown, client_markdown, meeting_markdown
from cope_tui.export.exercise import exercise_markdown
from cope_tui.export.handover import handover_markdown
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.store.store import Store
from helpers.hostile_data import HOSTILE, poison_store, write_demo_db

# What no export and no screen may hold: C0 and C1 controls, DEL, bidi embeddings,
# overrides, isolates and marks, zero-width characters, separators, byte-order mark.
INVISIBLE = "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
NOT_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")  # tab and newline may stay
NOT_IN_EXPORT = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{INVISIBLE}]")  # newline only
NOT_ON_SCREEN = re.compile(f"[\x00-\x1f\x7f-\x9f{INVISIBLE}]")

PIECES = st.sampled_from(
    [
        "\x1b]52;c;Y3VybCBldmls\x07", "\x1b]0;title\x1b\\", "\x1b[31m", "\x1b[21t", "\x1bP1$qm\x1b\\",
        "\x1b_apc\x1b\\", "\x9b2J", "\x9d0;t\x9c", "\x85", "\x1b", "\r", "\r\n", "\n", "\t", "\u2028",
        "\u202e", "\u202d", "\u2066", "\u2069", "\u200e", "\u200b", "\u200d", "\u2060", "\ufeff",
        "\n# heading", "\n- item", "\n1. item", "\n> quote", "\n```\n", "\n    code", "\n---\n", "| cell |",
        "[label](https://hostile.example/)", "![img](https://hostile.example/i.png)", "<b>", "&amp;",
        "https://hostile.example/a", "**", "_", "~~", "\\", "`",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=6), PIECES), max_size=8).map("".join)


# ---- the sanitiser ------------------------------------------------------------------


@given(TEXT)
@settings(max_examples=300)
def test_clean_leaves_no_control_bidi_or_zero_width_and_is_stable(text):
    cleaned = mdsafe.clean(text)
    assert not NOT_IN_TEXT.search(cleaned)
    assert mdsafe.clean(cleaned) == cleaned


@given(TEXT)
@settings(max_examples=300)
def test_one_line_and_terminal_text_hold_nothing_a_terminal_acts_on(text):
    assert not NOT_ON_SCREEN.search(mdsafe.one_line(text))
    assert not NOT_ON_SCREEN.search(mdsafe.drop_hidden(text))


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_ordinary_text_is_never_changed(text):
    """Never lose a word: letters of any script, emoji, punctuation and spaces stay."""
    assert mdsafe.clean(text) == text
    assert mdsafe.drop_hidden(text) == text


def test_whole_escape_sequences_go_and_emoji_keep_their_joiners():
    assert mdsafe.clean("a\x1b]52;c;Y3Vy\x07b\x1b[31mc\x9b2Jd\u202ee\u200bf") == "abcdef"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert mdsafe.clean(family) == family and mdsafe.drop_hidden(family) == family
    assert mdsafe.clean("a\u200db") == "ab"


def test_hidden_characters_are_named_when_refused():
    mdsafe.refuse_hidden("C-0001 Ann-Marie", "The code")  # ordinary text passes
    for bad in ("C-\x9b1", "C-\x9d1", "C\u202e-1", "C-1\u200b", "C-\x1b[31m", "C-1\n2"):
        with pytest.raises(ValueError) as caught:
            mdsafe.refuse_hidden(bad, "The code")
        message = str(caught.value)
        assert message.startswith("The code") and "U+" in message
        assert not NOT_ON_SCREEN.search(message)


def test_a_link_typed_as_markdown_stays_literal():
    """`[label](url)` never becomes a link with text of its own, in CommonMark or GFM
    (where the bare URL in it is linked, as any URL in any text would be)."""
    typed = "see [label](https://hostile.example/) and ![x](https://hostile.example/i.png)"
    for md in (mdsafe.md_text(typed), mdsafe.md_cell(typed)):
        assert not [t for t in _tokens(MarkdownIt("commonmark").parse(md)) if t.type in ("link_open", "image")]
        gfm = list(_tokens(MarkdownIt("gfm-like").parse(md)))
        assert not [t for t in gfm if t.type == "image" or (t.type == "link_open" and t.markup != "linkify")]
        assert not [t for t in gfm if t.type == "text" and t.content == "label"]  # the label alone: a link's text


# ---- every export ---------------------------------------------------------------------

STRUCTURE = (
    "heading_open", "table_open", "tr_open", "th_open", "td_open", "bullet_list_open", "ordered_list_open",
    "list_item_open", "blockquote_open", "fence", "code_block", "hr", "html_block", "html_inline",
    "link_open", "image", "em_open", "strong_open", "s_open",
)
COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"])
GFM = MarkdownIt("gfm-like")  # with linkify: a bare URL becomes a link, as on GitHub


def _tokens(tokens):
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


def structure(markdown: str) -> Counter:
    return Counter(
        (t.type, t.tag) for t in _tokens(COMMONMARK.parse(markdown)) if t.type in STRUCTURE
    )


def links_not_of_a_bare_url(markdown: str) -> list[str]:
    return [t.attrs.get("href", "") for t in _tokens(GFM.parse(markdown)) if t.type == "link_open" and t.markup != "linkify"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_db(folder / "cope.json")
    return folder


def every_export(folder, tmp_path, text: str, code_text: str) -> dict[str, str]:
    """The DB with `text` added to each free text, exported every way there is.

    A word comes first, so that each text shows (an empty one leaves its line out)."""
    work = tmp_path / f"db{len(list(tmp_path.iterdir()))}"
    shutil.copytree(folder, work)
    guide = load_meeting_guide()
    store = Store(work / "cope.json")
    try:
        poison_store(store, guide, " word" + text, code_text)
        out = {"all": all_markdown(guide, store)}
        clients = store.clients()
        for client in clients:
            out[f"handover {client.id}"] = handover_markdown(store, client, guide)
        out["client"] = client_markdown(guide, store, clients[0])
        meeting = next(m for m in store.meetings() if m.finalised)
        out["meeting"] = meeting_markdown(guide, store, meeting)
        for exercise in store.exercises():
            out[f"exercise {exercise.id}"] = exercise_markdown(store, exercise)
        return out
    finally:
        store.close()


@pytest.fixture(scope="module")
def plain_structure(demo_db, tmp_path_factory):
    exports = every_export(demo_db, tmp_path_factory.mktemp("plain"), "", " x")
    return {name: structure(text) for name, text in exports.items()}


def as_code(text: str) -> str:
    """A stored code never held C0 controls (that rule is older than this issue)."""
    code = re.sub("[\x00-\x1f\x7f]", "", text).strip()
    return f" {code[:40]}" if code else " x"


@given(TEXT)
@example(HOSTILE)
@example("\u202eworker-7 [label](https://hostile.example/) https://hostile.example/a")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_export_holds_controls_or_takes_structure_from_typed_text(demo_db, tmp_path, plain_structure, text):
    for name, markdown in every_export(demo_db, tmp_path, text, as_code(text)).items():
        bad = NOT_IN_EXPORT.search(markdown)
        assert bad is None, f"{name}: {bad.group()!r} at {markdown[max(bad.start() - 40, 0):bad.end() + 40]!r}"
        assert structure(markdown) == plain_structure[name], f"{name}: typed text changed the document's structure"
        assert links_not_of_a_bare_url(markdown) == [], f"{name}: typed text made a link of its own"
