"""The keys that hints and toasts name, as the user has them.

A hint written as "Press ctrl+n to add one" goes on saying ctrl+n after the user gave
that action another key in `[keys]`, and Textual then takes ctrl+n away from it: the
only words on the screen send the user to a key that does nothing. So a text names the
action too, `"Press {clients.new|ctrl+n} to add one"`, and `with_keys` writes the key
that runs it now: the user's first key for it, else the key written there (the
binding's own; tests/unit/test_key_names.py checks the two agree).
"""

from __future__ import annotations

import re

from textual.dom import DOMNode
from textual.keys import _character_to_key

_ACTION = re.compile(r"\{([a-z_]+\.[a-z_]+)\|([^{}|]+)\}")
# Textual's names of printable signs, back to the signs: question_mark is ?.
_SIGNS = {_character_to_key(chr(code)): chr(code) for code in range(33, 127)}


def shown_key(key: str) -> str:
    """A key as the hints write it: ctrl+n, F10, ctrl+\\, insert, ?."""
    *modifiers, name = key.strip().split("+")
    name = name.upper() if re.fullmatch(r"f\d{1,2}", name) else _SIGNS.get(name, name)
    return "+".join([*modifiers, name])


def _either(keys: list[str]) -> str:
    """One key, or "delete (or ctrl+d)": a fallback for keyboards without the first."""
    return keys[0] + "".join(f" (or {key})" for key in keys[1:])


def with_keys(node: DOMNode, text: str) -> str:
    """`text` with each `{binding.id|key}` (or `{binding.id|key,fallback}`) written as the
    keys that run that action now."""
    user_keys: dict[str, str] = getattr(node.app, "user_keys", {})

    def keys(found: re.Match[str]) -> str:
        mine = user_keys.get(found[1])
        return _either([shown_key(k) for k in mine.split(",")] if mine else found[2].split(","))

    return _ACTION.sub(keys, text)


def own_key(node: DOMNode, key: str) -> str:
    """The key that now runs what `node`'s own binding on `key` runs (a dialog's ctrl+s,
    whatever its id); `key` itself where the node binds nothing to it (enter in a field)."""
    user_keys: dict[str, str] = getattr(node.app, "user_keys", {})
    for binding in node._bindings.key_to_bindings.get(key, ()):
        mine = user_keys.get(binding.id or "")
        if mine:
            return shown_key(mine.split(",")[0])
    return shown_key(key)


def named_actions(text: str) -> list[tuple[str, str]]:
    """The (binding id, key as written) pairs a text names, for the check of them."""
    return [(ident, key) for ident, keys in _ACTION.findall(text) for key in keys.split(",")]
