"""What a team sync asks the user for, in the app: the team passphrase, a login at the
server, a new team's passphrase (typed twice). Each answer is kept in the runner's memory
for the session and never written anywhere; the sync then runs again."""

from __future__ import annotations


class TeamPrompts:
    """Part of the TeamSync mixin. Needs the app's settings, push_screen, sync_runner,
    _run_sync and _ask_if_needed."""

    _login_typed = False  # a login typed here went with the last sync

    def _ask_once(self, prompt, answered) -> None:
        """One of the sync's questions at a time. F10 pressed again while one is open (or
        a sync's answer arriving meanwhile) stacked a second one under it: once the first
        was answered, the words typed next, meant for the notes, went hidden into a
        passphrase field. The question open already is the one to answer."""
        if any(getattr(screen, "sync_question", False) for screen in self.screen_stack):
            return
        prompt.sync_question = True
        self.push_screen(prompt, answered)

    def _ask_team_passphrase(self, why: str) -> None:
        """`why`: the sync's word on it (needed; not the right one; changed by a member)."""
        from ..dialogs.text_prompt import TextPrompt

        def given(text: str | None) -> None:
            if text and self.sync_runner is not None:
                self.sync_runner.team_passphrase = text
                self._run_sync()

        self._ask_once(
            TextPrompt("Team passphrase", why or f"The team's passphrase for {self.settings.sync_remote}:",
                       required="Type the team passphrase, or press esc.", secret=True),
            given,
        )

    def _ask_login(self) -> None:
        """The server wants a member's login (none set in COPE_TUI_SYNC_USER and
        COPE_TUI_SYNC_PASSWORD, or not accepted): asked here, kept in memory for the
        session, never written anywhere."""
        from ..dialogs.text_prompt import TextPrompt

        remote = self.settings.sync_remote
        again = "That login was not accepted. " if self._login_typed else ""

        def named(user: str | None) -> None:
            if not user:
                return

            def given(password: str | None) -> None:
                if password and self.sync_runner is not None:
                    self.sync_runner.login = (user, password)
                    self._login_typed = self._ask_if_needed = True
                    self._run_sync()

            self._ask_once(TextPrompt("Log in", f"Password for {user} at {remote}:", secret=True,
                                        required="Type the password, or press esc."), given)

        self._login_typed = False
        self._ask_once(TextPrompt("Log in", f"{again}{remote} asks for your login at the team's server. User name:",
                                    required="Type your user name, or press esc.", keeps_words=False), named)

    def _start_team(self) -> None:
        """The server holds no team yet: this member starts it here, choosing the team
        passphrase, typed twice as at a terminal (a typo would lock the team out of its
        records). Leaving either prompt starts nothing."""
        from ..dialogs.text_prompt import TextPrompt
        from ..store.crypto import short_passphrase

        def long_enough(text: str) -> str | None:
            problem = short_passphrase(text)
            return problem and problem[0].upper() + problem[1:]

        def chosen(text: str | None) -> None:
            if not text:
                return

            def again(second: str | None) -> None:
                if second and self.sync_runner is not None:
                    self.sync_runner.new_team = text
                    self._ask_if_needed = True  # another member was first: their passphrase is asked for
                    self._run_sync()

            self._ask_once(
                TextPrompt("Start the team", "The same team passphrase again:", secret=True,
                           required="Type it again, or press esc to start nothing.",
                           check=lambda second: None if second == text else "Not the same as the first one: type it again."),
                again,
            )

        self._ask_once(
            TextPrompt("Start the team",
                       f"{self.settings.sync_remote} holds no team yet. Start it here: choose the team passphrase "
                       "(a few words are easy to remember and hard to guess). Every member types it to join.",
                       required="Type the new team passphrase, or press esc.", check=long_enough, secret=True),
            chosen,
        )
