"""Command palette and help both list the current screen's actions from its bindings,
so neither can drift from the keys that really work."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
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
        if not binding.description or isinstance(node, editors):
            continue
        key = (binding.action, binding.description)
        if key in found:
            continue
        found[key] = Action(binding.description, binding.action, node, app.get_key_display(binding), active.enabled)

    def rank(item: Action) -> int:
        return 0 if isinstance(item.node, Screen) else 1 if item.node is app else 2

    return sorted(found.values(), key=rank)


class CopeCommands(Provider):
    def _actions(self) -> list[Action]:
        return [a for a in screen_actions(self.screen) if a.enabled]

    def _clients(self) -> list[tuple[str, str]]:
        session = getattr(self.app, "session", None)
        return [(c.code, c.id) for c in session.store.clients()] if session else []

    def _run(self, item: Action):
        return partial(self.app.run_action, item.action, item.node)

    async def discover(self) -> Hits:
        for item in self._actions():
            yield DiscoveryHit(item.description, self._run(item), help=f"key: {item.key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for item in self._actions():
            score = matcher.match(item.description)
            if score > 0:
                yield Hit(score, matcher.highlight(item.description), self._run(item), help=f"key: {item.key}")
        for code, client_id in self._clients():
            label = f"Open client {code}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._open_client, client_id))

    def _open_client(self, client_id: str) -> None:
        from ..screens.client import ClientScreen

        self.app.push_screen(ClientScreen(client_id))
