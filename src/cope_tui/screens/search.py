"""F4 from anywhere: find a word in every client, meeting and exercise, and open the match.

Queries run in a worker thread (about 20-40 ms at 10,000 meetings), a short pause after
the last key, so typing never waits for them. A result opens where the match is: a
client on their screen, a meeting at the step holding the words, an exercise at its
section.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ..search import Found, Result, SearchIndex, index_for

DEBOUNCE = 0.12  # seconds after the last key before a query runs
HINT = (
    "Type words to find in client details, meeting notes, fields and lists, addenda and "
    "COPE exercises. Every word must appear; case does not matter. ↑/↓ choose, enter opens."
)


class SearchScreen(Screen[Result | None]):
    DEFAULT_CSS = """
    SearchScreen #search-input { height: 3; }
    SearchScreen #search-status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    SearchScreen #search-results { height: 1fr; border: none; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("down", "move(1)", "Next result", show=False, id="search.down"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search.up"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="sensitive-screen")
        self._timer = None
        self._shown: list[Result] = []
        self._words: list[str] = []  # the shown results' words, marked in their snippets
        self._ready = False
        self.answered: str | None = None  # the query the results on show belong to
        self._open_when_answered = False  # enter came before the results of what was typed
        self._moved_ahead = 0  # up/down typed before those results: applied when they come

    @property
    def index(self) -> SearchIndex:
        session = self.app.session
        return index_for(session.store)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search clients, meetings and exercises", id="search-input")
        yield Static("Reading the records…", id="search-status")
        yield OptionList(id="search-results", classes="sensitive")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Search"
        search = self.query_one("#search-input", Input)
        search.value = self.index.last_query
        search.select_all()  # the last query is shown again; typing replaces it
        search.focus()
        self.app.capture_all()  # what is in open editors goes to the saver now...
        self.run_worker(self._prepare, thread=True, group="search-prepare")

    def _prepare(self) -> None:
        """...and is written before the first query, so words typed a moment ago are found."""
        session = self.app.session
        try:
            session.flush()
            index_for(session.store, session.meeting_guide).refresh()
        except Exception as exc:  # noqa: BLE001 - a search that cannot run must not take the app down
            self._from_thread(self._failed, exc)
            return
        self._from_thread(self._prepared)

    def _failed(self, exc: Exception) -> None:
        if self.is_attached:
            self.query_one("#search-status", Static).update(
                Text(f"Search could not read the records: {exc}. Press esc and try again.")
            )

    def _prepared(self) -> None:
        self._ready = True
        self._query_now()

    def _from_thread(self, callback, *args) -> None:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:
            pass  # the app has stopped

    # ---- querying --------------------------------------------------------------

    @on(Input.Changed, "#search-input")
    def _typed(self) -> None:
        self._moved_ahead = 0  # a move before more typing was meant for older results
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._query_now)

    def _query_now(self) -> None:
        if not self._ready or not self.is_attached:
            return
        query = self.query_one("#search-input", Input).value
        self.index.last_query = query
        if not query.split():
            self._show(query, None)
            return
        self.run_worker(lambda: self._run(query), thread=True, exclusive=True, group="search")

    def _run(self, query: str) -> None:
        worker = get_current_worker()  # a newer query cancels it: then it stops, and shows nothing
        try:
            found = self.index.search(query, stop=lambda: worker.is_cancelled)
        except Exception as exc:  # noqa: BLE001 - see _prepare
            self._from_thread(self._failed, exc)
            return
        if found is not None:
            self._from_thread(self._show, query, found)

    def _show(self, query: str, found: Found | None) -> None:
        if not self.is_attached or query != self.query_one("#search-input", Input).value:
            return  # an older query, overtaken by typing
        self.answered = query
        status = self.query_one("#search-status", Static)
        results = self.query_one("#search-results", OptionList)
        self._shown = found.results if found else []
        self._words = found.words if found else []
        self._fill(results)
        if found is None:
            status.update(HINT)
        elif not found.total:
            status.update(Text(f"Nothing holds every word of '{query.strip()}'. Try fewer or shorter words."))
        else:
            shown = len(found.results)
            more = f"; the first {shown} are shown, add a word to narrow" if found.total > shown else ""
            status.update(f"{found.total} found in {found.seconds * 1000:.0f} ms{more}.")
        if self._shown:
            results.highlighted = max(0, min(len(self._shown) - 1, self._moved_ahead))
        self._moved_ahead = 0
        if self._open_when_answered:
            self._open_when_answered = False
            self._open(results.highlighted or 0)

    def _fill(self, results: OptionList) -> None:
        """The head line is cut to the list's width: the list wraps each option's text, and
        a long step name wrapped onto the snippet's line ("Helpful" / " coping")."""
        width = max(20, results.scrollable_content_region.width - 1)
        results.set_options([Option(_prompt(r, self._words, width), id=str(i)) for i, r in enumerate(self._shown)])

    def on_resize(self) -> None:
        """Cut again to the new width, the same result highlighted."""
        if not self._shown:
            return
        results = self.query_one("#search-results", OptionList)
        highlighted = results.highlighted
        self.call_after_refresh(self._refill, highlighted)

    def _refill(self, highlighted: int | None) -> None:
        if not self.is_attached or not self._shown:
            return
        results = self.query_one("#search-results", OptionList)
        self._fill(results)
        results.highlighted = highlighted

    # ---- moving and opening ------------------------------------------------------

    def action_move(self, delta: int) -> None:
        """Typed ahead of the results of the query (down, down, enter in one burst), the
        moves wait for them: they were lost, and enter opened the first result."""
        if self.answered != self.query_one("#search-input", Input).value:
            self._moved_ahead = max(0, self._moved_ahead + delta)
            return
        results = self.query_one("#search-results", OptionList)
        if results.option_count:
            now = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, now + delta))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.answered != event.value:  # typed fast: open the first match once it is known
            self._open_when_answered = True
            hold = getattr(self.app, "hold_keys_while", None)
            if hold is not None:  # the keys typed next wait for it, and go to what opens
                hold(lambda: self._open_when_answered and self.is_attached)
            return
        results = self.query_one("#search-results", OptionList)
        if results.highlighted is not None:
            self._open(results.highlighted)

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option_index)

    def _open(self, index: int) -> None:
        if 0 <= index < len(self._shown):
            self.dismiss(self._shown[index])

    def action_close(self) -> None:
        self.dismiss(None)


def _prompt(result: Result, words: list[str], width: int = 78) -> Text:
    if result.kind == "client":
        head = f"{result.client_code}  client · {result.part}"
    elif result.kind == "exercise":
        head = f"{result.label}  {result.when}  COPE exercise · {result.place_title}"
    else:
        where = f" · {result.place_title}" if result.place_title else ""
        part = f" · {result.part}" if result.part and result.part != "client code" else ""
        head = f"{result.client_code}  {result.when}  {result.label} meeting{where}{part}"
    text = Text(head, style="bold")
    text.truncate(width, overflow="ellipsis")
    text.append("\n  ")
    body = Text(result.snippet or "(no text)", style="" if result.snippet else "dim")
    body.highlight_words(words, style="reverse", case_sensitive=False)
    text.append_text(body)
    return text
