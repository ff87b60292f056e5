"""Hints name an action with the key it has by default (`{clients.new|ctrl+n}`): each key
written there must be the binding's own, or the hint sends a user without a keymap to a
key that does nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import cope_tui
from cope_tui.app import CopeApp
from cope_tui.dialogs.key_names import named_actions, shown_key
from cope_tui.widgets.keymap_check import _bindings, _ui_classes

SOURCE = Path(cope_tui.__file__).parent


def _defaults() -> dict[str, set[str]]:
    """Each binding id and the keys it has by default, as hints write them."""
    found: dict[str, set[str]] = {}
    for cls in _ui_classes(CopeApp):
        for binding in _bindings(cls):
            found.setdefault(binding.id, set()).update(shown_key(k) for k in binding.key.split(","))
    return found


def _texts(path: Path) -> list[str]:
    """The strings of a module as Python reads them (f-strings' fixed parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_every_key_a_hint_names_is_that_actions_own():
    defaults = _defaults()
    modules = [path for path in SOURCE.rglob("*.py") if path.name != "key_names.py"]  # its examples
    named = [(path.name, ident, key) for path in modules for text in _texts(path) for ident, key in named_actions(text)]
    assert len(named) >= 20  # the hints were found at all
    wrong = [(name, ident, key) for name, ident, key in named if key not in defaults.get(ident, set())]
    assert wrong == []


def test_keys_are_written_as_the_hints_write_them():
    assert [shown_key(k) for k in ("ctrl+n", "f10", "ctrl+backslash", "question_mark", "insert", "shift+f1")] == [
        "ctrl+n", "F10", "ctrl+\\", "?", "insert", "shift+F1"]
