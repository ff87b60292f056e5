"""The command palette (ctrl+p): the current screen's actions, read from its bindings
as help lists them (dialogs/screen_keys.py), "Open client ..." for every client, and
"Theme: ..." for the themes offered."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..dialogs.screen_keys import Action, screen_actions
from ..settings import THEMES
from .navigation import OpenClient


class CopeCommands(Provider):
    def _actions(self) -> list[Action]:
        return [a for a in screen_actions(self.screen) if a.enabled]

    def _clients(self) -> list[tuple[str, str]]:
        session = getattr(self.app, "session", None)
        return [(c.code, c.id) for c in session.store.clients()] if session else []

    def _run(self, item: Action):
        return partial(self.app.run_action, item.action, item.node)

    def _themes(self) -> list[tuple[str, str]]:
        """("Theme: light", "light") for each theme offered; chosen, it is kept in config.toml."""
        return [(f"Theme: {name}", name) for name in THEMES]

    async def discover(self) -> Hits:
        for item in self._actions():
            yield DiscoveryHit(item.description, self._run(item), help=f"key: {item.key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for item in self._actions():
            score = matcher.match(item.description)
            if score > 0:
                yield Hit(score, matcher.highlight(item.description), self._run(item), help=f"key: {item.key}")
        for label, name in self._themes():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self.app.run_action, f"choose_theme('{name}')"))
        for code, client_id in self._clients():
            label = f"Open client {code}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self.app.post_message, OpenClient(client_id)))
