"""The user's keys: the `[keys]` table of config.toml (read by settings.py) checked against
the app's own bindings before Textual's keymap applies it.

Textual swaps a rebound key in silently and, on a clash, quietly lets one binding win. A
facilitator would then find a key doing something else in the middle of a meeting, so
every entry is checked first: an unknown id, a key Textual cannot name, or a key another
action on the same screen already answers is named by its line and left out, and the
action keeps its default key.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator

from textual.binding import Binding
from textual.keys import Keys, _character_to_key
from textual.widgets import Input, TextArea

from ..settings import KeySetting

_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED = frozenset(k.value for k in Keys) | {"space", "backspace", "delete", "insert", "escape", "enter", "tab"}
_UI_PACKAGES = ("cope_tui.screens", "cope_tui.widgets", "cope_tui.dialogs")


def _ui_classes(app_class: type) -> Iterator[type]:
    """Every class of the app's UI that declares bindings (the app's own included)."""
    yield app_class
    seen: set[type] = {app_class}
    for package_name in _UI_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls not in seen and cls.__module__ == module.__name__ and "BINDINGS" in vars(cls):
                    seen.add(cls)
                    yield cls


def _bindings(cls: type) -> list[Binding]:
    """A class's bindings with their bases', as Textual merges them; only ours have ids."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        for item in vars(klass).get("BINDINGS", ()):
            if isinstance(item, Binding) and item.id:
                found.append(item)
    return found


def _keys(text: str) -> list[str]:
    return [_character_to_key(k) if len(k) == 1 else k for k in (part.strip() for part in text.split(","))]


# What Textual calls keys: its named keys, and the names it gives printable signs
# ("question_mark", "left_square_bracket", letters and digits as themselves).
_KNOWN = frozenset(k.value for k in Keys) | {_character_to_key(chr(c)) for c in range(33, 127)} | {"space"}


# Keys a terminal does not pass on as themselves: the README's rule for our own keys,
# applied to the user's.
_NOT_DELIVERED = {
    "ctrl+b": "is tmux's prefix key: under tmux it never reaches cope-tui",
    "ctrl+enter": "reaches cope-tui as a plain enter in most terminals, tmux and SSH",
    "ctrl+question_mark": "is not a key most terminals can send",
}


def _editor_keys() -> dict[str, str]:
    """The control and function keys the text fields and the notes editor answer, with
    what they do there. One of them on an action would either take it from a note being
    typed (the app's keys and priority keys come first) or do nothing while a text box has
    the cursor; either way it fights the typist."""
    found: dict[str, str] = {}
    for widget in (TextArea, Input):
        for item in widget.BINDINGS:
            if not isinstance(item, Binding):
                continue
            for key in _keys(item.key):
                if key.startswith("ctrl+") or (key[:1] == "f" and key[1:].isdigit()):
                    found.setdefault(key, item.action.split("(")[0].replace("_", " "))
    return found


def _unfit(keys: list[str], defaults: set[str]) -> str:
    """Why the first of `keys` that is not one of the action's own defaults fights the
    keyboard, or ''."""
    editor = _editor_keys()
    for key in keys:
        if key in defaults:
            continue
        if key in _NOT_DELIVERED:
            return f"'{key}' {_NOT_DELIVERED[key]}; pick another key."
        if key in editor:
            return f"'{key}' is a key of the text fields and notes ({editor[key]}), where typing needs it; pick another key."
    return ""


def _bad_key(key: str) -> bool:
    *modifiers, name = key.split("+")
    return name not in _KNOWN or any(m not in _MODIFIERS for m in modifiers)


def check_keymap(entries: Iterable[KeySetting], where: str, app_class: type) -> tuple[dict[str, str], list[str]]:
    """The keymap to apply, and a warning (naming the line) for each entry left out."""
    entries = list(entries)
    app_bindings = _bindings(app_class)
    # Each place a binding acts: a class's own bindings with the app's, which act everywhere.
    places = [_bindings(cls) + ([] if cls is app_class else app_bindings) for cls in _ui_classes(app_class)]
    known = {b.id for place in places for b in place}
    keymap: dict[str, str] = {}
    warnings: list[str] = []

    def warn(entry: KeySetting, what: str) -> None:
        warnings.append(f"'{where}' line {entry.line}: [keys] {entry.binding_id}: {what} The line is ignored.")

    for entry in entries:
        if entry.binding_id not in known:
            close = difflib.get_close_matches(entry.binding_id, sorted(known), n=3)
            warn(entry, "no action has this id." + (f" Did you mean {' or '.join(close)}?" if close else ""))
            continue
        bad = [k for k in _keys(entry.keys) if _bad_key(k)]
        if bad:
            warn(entry, f"'{', '.join(bad)}' is not a key name (for example f8, shift+f1, ctrl+g, question_mark).")
            continue
        defaults = {k for place in places for b in place if b.id == entry.binding_id for k in _keys(b.key)}
        unfit = _unfit(_keys(entry.keys), defaults)
        if unfit:
            warn(entry, unfit)
            continue
        keymap[entry.binding_id] = ",".join(_keys(entry.keys))
    for entry in entries:
        clash = _clash(entry.binding_id, keymap, places) if entry.binding_id in keymap else ""
        if clash:  # left out; the other entry of a clashing pair then keeps its own
            del keymap[entry.binding_id]
            warn(entry, f"{clash} already answers that key on the same screen; pick another key.")
    return keymap, warnings


def _clash(binding_id: str, keymap: dict[str, str], places: list[list[Binding]]) -> str:
    """The id of another action that answers one of `binding_id`'s new keys where it acts."""
    new_keys = set(keymap[binding_id].split(","))
    for here in places:
        mine = next((b for b in here if b.id == binding_id), None)
        if mine is None:
            continue
        for other in here:
            # Another key for the same action is no clash; nor is a hidden fallback
            # ("refuse_...") that only answers while the action itself is disabled.
            if other.action == mine.action or other.action.startswith("refuse_"):
                continue
            keys = set(keymap.get(other.id or "", ",".join(_keys(other.key))).split(","))
            if keys & new_keys:
                return other.id or ""
    return ""
