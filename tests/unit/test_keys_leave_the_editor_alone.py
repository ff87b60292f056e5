"""Keys that act over the notes editor never take one of its own (README, "Keys"): the
app's keys and every priority key of a screen, dialog or widget reach us before the
editor, so one of TextArea's keys there (F6 selected the line, F7 selected everything)
would silently stop working while a note is typed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import TextArea

import cope_tui
from cope_tui.app import CopeApp


def _keys(bindings) -> set[str]:
    out: set[str] = set()
    for item in bindings:
        if isinstance(item, Binding):
            out |= {k.strip() for k in item.key.split(",")}
    return out


EDITOR = _keys(TextArea.BINDINGS)


def _classes():
    for info in pkgutil.walk_packages(cope_tui.__path__, "cope_tui."):
        if info.name.split(".")[1] in ("app", "screens", "dialogs", "widgets"):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DOMNode) and cls.__module__ == module.__name__ and not issubclass(cls, TextArea):
                    yield cls


def test_the_app_keys_are_not_the_editors():
    taken = _keys(b for b in CopeApp.BINDINGS) & EDITOR
    assert taken == set(), f"app keys the notes editor owns: {sorted(taken)}"


def test_no_priority_key_is_one_of_the_editors():
    found = []
    for cls in _classes():
        for item in cls.__dict__.get("BINDINGS", []):
            if isinstance(item, Binding) and item.priority:
                found += [f"{cls.__module__}.{cls.__name__}: {k}" for k in _keys([item]) & EDITOR]
    assert found == []
