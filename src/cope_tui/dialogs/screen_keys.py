"""The actions a screen offers, read from its bindings: help (F1) lists them and the
command palette runs them, so neither can drift from the keys that really work."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.dom import DOMNode
from textual.screen import Screen


def _editors() -> tuple[type, ...]:
    """Editors' keys are the usual text-editing ones; listing them would bury the app's own.
    Imported when help or the palette opens: the first paint needs no TextArea."""
    from textual.widgets import Input, TextArea

    return (Input, TextArea)


@dataclass(frozen=True)
class Action:
    description: str
    action: str
    node: DOMNode
    key: str
    enabled: bool


def screen_actions(screen: Screen) -> list[Action]:
    """The screen's and app's actions first, then those of the focused widget."""
    app = screen.app
    found: dict[tuple[str, str], Action] = {}
    editors = _editors()
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        # Ours all have an id (the [keys] table rebinds by it); the rest are Textual's own
        # widget internals (Scroll Left, Page Right), no use to a facilitator.
        if not binding.description or binding.id is None or isinstance(node, editors):
            continue
        key = (binding.action, binding.description)
        shown = app.get_key_display(binding)
        if key in found:  # one action on two keys: both named ("/" alone, beside a footer's "^l", misled)
            seen = found[key]
            if shown not in seen.key.split(" or "):
                both = f"{shown} or {seen.key}" if binding.show else f"{seen.key} or {shown}"
                found[key] = replace(seen, key=both)
            continue
        found[key] = Action(binding.description, binding.action, node, shown, active.enabled)

    # A screen's own key that an app-wide priority key of the same name hides from
    # active_bindings (enter, which the app takes first to keep keys in order, then hands
    # on): enter opened the meeting or the client, and help did not say so.
    for name, bindings in screen._bindings.key_to_bindings.items():
        shadow = screen.active_bindings.get(name)
        if shadow is None or shadow.node is screen or shadow.binding.description:
            continue  # not hidden, or hidden by a key that is listed itself
        for binding in bindings:
            key = (binding.action, binding.description)
            offered = screen.check_action(binding.action.partition("(")[0], ())
            if binding.description and binding.id is not None and key not in found and offered is not False:
                found[key] = Action(binding.description, binding.action, screen, app.get_key_display(binding),
                                    offered is True)

    def rank(item: Action) -> int:
        return 0 if isinstance(item.node, Screen) else 1 if item.node is app else 2

    return sorted(found.values(), key=rank)
