"""A COPE exercise as a Markdown report, to print, share with the committee or archive.

Pure: it reads the exercise (and, for a follow-up, the exercise it follows) and returns
text; nothing is changed. Every string a user typed, and every text from the content
files, goes through `md_cell` or `md_text`, so it can never become a heading, a table
column, a link or a terminal control sequence. The client-flow chart is the only
fenced block, and it holds nothing but numbers, times and the chart's own marks.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from ..cope import client_flow
from ..content.cope_guides import RECORD_MARKS, load_culture, load_guides, load_interview, load_record_review
from ..cope.exercise import (
    INTERVIEWEES,
    STATUSES,
    Exercise,
    Problem,
    flagged,
    flow_times,
    follow_up_summary,
    interview_numbers,
    progress,
    solved_share,
)
from ..words import counted
from ..mdsafe import md_cell, md_text
from ..store.store import Store

ANSWER_LABEL = {"yes": "yes", "no": "no", "not_sure": "not sure", None: "not answered"}
MARK_LABEL = {"present": "Present", "missing": "Missing", "not_applicable": "Not applicable"}


def table_header(labels: list[str]) -> str:
    return f"| {' | '.join(labels)} |\n|{' --- |' * len(labels)}\n"


def _row(cells: list[object]) -> str:
    return f"| {' | '.join(str(c) for c in cells)} |\n"


def day_text(day: date | None) -> str:
    return day.isoformat() if day else "not set"


def _minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def _dates(exercise: Exercise) -> str:
    if exercise.end and exercise.end != exercise.start:
        return f"{exercise.start:%Y-%m-%d} to {exercise.end:%Y-%m-%d}"
    return f"{exercise.start:%Y-%m-%d}"


class _Report:
    def __init__(self, exercise: Exercise, previous: Exercise | None, today: date):
        self.ex = exercise
        self.previous = previous
        self.today = today
        self.out: list[str] = []
        self.guides = load_guides()
        self.guide_ids = {g.id for g in self.guides.guides}

    def add(self, text: str) -> None:
        self.out.append(text)

    def guide_name(self, guide_id: str) -> str:
        if guide_id in self.guide_ids:
            guide = self.guides.guide(guide_id)
            return f"{guide.number}. {md_cell(guide.title)}"
        return md_cell(guide_id)

    # ---- sections -----------------------------------------------------------------

    def title(self) -> None:
        ex = self.ex
        self.add(f"# COPE exercise: {md_cell(ex.site)}\n\n")
        facts = [f"- Dates: {_dates(ex)}"]
        if ex.facilitator:
            facts.append(f"- Facilitator: {md_cell(ex.facilitator)}")
        if ex.follow_up_of is None:
            facts.append("- First exercise at this site")
        elif self.previous is not None:
            facts.append(f"- Follow-up of the exercise of {self.previous.start:%Y-%m-%d}")
        else:
            facts.append(f"- Follow-up of an exercise no longer in the database (id {md_cell(ex.follow_up_of)})")
        facts.append(f"- Next exercise: {day_text(ex.next_exercise) if ex.next_exercise else 'not set yet'}")
        facts.append(f"- Exercise id: {md_cell(ex.id)}")
        self.add("\n".join(facts) + "\n\n")

    def quality(self) -> None:
        self.add("## What quality means here\n\n")
        text = self.ex.quality.strip()
        self.add(md_text(text) + "\n\n" if text else "Not written yet.\n\n")

    def teams(self) -> None:
        self.add("## Teams\n\n")
        if not self.ex.teams:
            self.add("No teams yet.\n\n")
            return
        self.add(table_header(["Team", "Members", "Guides"]))
        for team in self.ex.teams:
            members = ", ".join(md_cell(m) for m in team.members if m.strip()) or "-"
            guides = ", ".join(self.guide_name(g) for g in team.guides) or "-"
            self.add(_row([md_cell(team.name) or "-", members, guides]))
        self.add("\n")

    def guide_summary(self) -> None:
        ex = self.ex
        self.add("## Self-assessment guides\n\n")
        teams_of: dict[str, list[str]] = {}
        for team in ex.teams:
            for guide_id in team.guides:
                teams_of.setdefault(guide_id, []).append(md_cell(team.name))
        self.add(table_header(["Guide", "Title", "Team", "Answered", "Flags"]))
        with_flags = []
        for guide in self.guides.guides:
            answered, total, flags = progress(ex, guide.id)
            self.add(
                _row([guide.number, md_cell(guide.title), ", ".join(teams_of.get(guide.id, [])) or "-", f"{answered}/{total}", flags])
            )
            if flags:
                with_flags.append(guide)
        self.add("\n### Flagged questions\n\n")
        if not with_flags:
            self.add("No answer points to a problem.\n\n")
        for guide in with_flags:
            self.add(f"#### {guide.number}. {md_cell(guide.title)}\n\n")
            self.add(table_header(["Question", "Answer", "Comment"]))
            for question_id in flagged(ex, guide.id):
                question = guide.question(question_id)
                answer = ex.answer(guide.id, question_id)
                self.add(_row([md_cell(question.text), ANSWER_LABEL.get(answer.value, "-"), md_cell(answer.comment) or "-"]))
            self.add("\n")
        self.other_comments()

    def other_comments(self) -> None:
        """Comments on questions that are not flagged (or not answered yet): written, so kept."""
        rows = []
        for guide in self.guides.guides:
            for question in guide.questions:
                answer = self.ex.answer(guide.id, question.id)
                if answer.comment.strip() and not question.flags(answer.value):
                    rows.append([guide.number, md_cell(question.text), ANSWER_LABEL.get(answer.value, "not answered"), md_cell(answer.comment)])
        if rows:
            self.add("### Comments on other questions\n\n")
            self.add(table_header(["Guide", "Question", "Answer", "Comment"]) + "".join(_row(r) for r in rows) + "\n")

    def interviews(self) -> None:
        ex = self.ex
        self.add("## Client interviews\n\n")
        count = len(ex.interviews)
        self.add(f"{count} client interview{'s' if count != 1 else ''}.\n\n")
        if not count:
            return
        heard = Counter(i.interviewee for i in ex.interviews)
        who = ", ".join(f"{heard[k]} {k}{'s' if heard[k] != 1 else ''}" for k in INTERVIEWEES if heard[k])
        self.add(f"Who was interviewed: {who}.\n\n")
        guide = load_interview()
        self.add(table_header(["Question", "Yes", "No", "Not sure", "Flags"]))
        for question in guide.questions:
            if question.kind != "yes_no":
                continue
            values = Counter(
                (i.answers[question.id].value if question.id in i.answers else None) for i in ex.interviews
            )
            flags = sum(n for value, n in values.items() if question.flags(value))
            self.add(_row([md_cell(question.text), values["yes"], values["no"], values["not_sure"], flags]))
        self.add("\n")
        numbers = interview_numbers(ex)
        for question in guide.questions:
            noted = [(numbers[i.id], i.answers[question.id].comment.strip()) for i in ex.interviews
                     if question.kind != "open" and question.id in i.answers and i.answers[question.id].comment.strip()]
            if noted:
                self.add(f"**Comments on: {md_cell(question.text)}**\n\n")
                self.add("".join(f"- Interview {number}: {md_cell(text)}\n" for number, text in noted) + "\n")
        for question in guide.questions:
            if question.kind != "open":
                continue
            said = Counter(
                i.answers[question.id].comment.strip()
                for i in ex.interviews
                if question.id in i.answers and i.answers[question.id].comment.strip()
            )
            if not said:
                continue
            self.add(f"**{md_cell(question.text)}**\n\n")
            for text, n in sorted(said.items(), key=lambda kv: (-kv[1], kv[0])):
                self.add(f"- {md_cell(text)}{f' ({n})' if n > 1 else ''}\n")
            self.add("\n")

    def records(self) -> None:
        ex = self.ex
        self.add("## Client record review\n\n")
        count = len(ex.record_checks)
        self.add(f"{count} record{'s' if count != 1 else ''} reviewed.\n\n")
        if not count:
            return
        self.add(table_header(["Item", *(MARK_LABEL[m] for m in RECORD_MARKS), "Not marked"]))
        for item in load_record_review().items:
            marks = Counter(c.marks.get(item.id) for c in ex.record_checks)
            self.add(_row([md_cell(item.text), *(marks[m] for m in RECORD_MARKS), marks[None]]))
        self.add("\n")
        short = [c for c in ex.record_checks if any(v == "missing" for v in c.marks.values())]
        if short:
            labels = ", ".join(md_cell(c.label) for c in short)
            self.add(f"Records with a missing item: {labels}.\n\n")

    def flow(self) -> None:
        ex = self.ex
        self.add("## Client flow\n\n")
        rows = flow_times(ex, client_flow.live_minutes(ex.flow_date, self.today))
        if not rows:
            self.add("No client flow recorded.\n\n")
            return
        when = f" on {ex.flow_date:%Y-%m-%d}" if ex.flow_date else ""
        self.add(f"{len(rows)} client{'s' if len(rows) != 1 else ''}{when}; times in minutes.\n\n")
        self.add(f"{client_flow.DEFINITIONS}\n\n")
        self.add(table_header(["Client", "Type", "Arrival", "Total", "Contact", "Waiting"]))
        for r in rows:
            if r.finished:
                total, waiting = _minutes(r.total), _minutes(r.waiting)
            elif r.total is None:
                total, waiting = "still in the facility", "-"
            else:
                total, waiting = f"{r.total} so far", f"{r.waiting} so far"
            self.add(_row([r.number, md_cell(r.visit_type), f"{r.arrival:%H:%M}", total, r.contact, waiting]))
        self.add("\n")
        for heading, summaries in (
            ("By visit type", client_flow.by_visit_type(rows)),
            ("By hour of arrival", client_flow.by_hour(rows)),
        ):
            self.add(f"### {heading}\n\n")
            self.add(table_header(["", "Clients", "Finished", "Mean total", "Mean contact", "Mean waiting", "Longest wait"]))
            for s in summaries:
                self.add(
                    _row([md_cell(s.label), s.clients, s.finished, _minutes(s.mean_total), _minutes(s.mean_contact),
                          _minutes(s.mean_waiting), _minutes(s.max_waiting)])
                )
            self.add("\n")
        self.add("### Waiting and contact time per client\n\n")
        # Only numbers, times and the chart's marks: nothing typed can end the block.
        chart = "\n".join(client_flow.chart(rows)).replace("`", "'")
        self.add(f"```text\n{chart}\n```\n\n")

    def action_plan(self) -> None:
        ex = self.ex
        self.add("## Action plan\n\n")
        if not ex.problems:
            self.add("No problems in the action plan.\n\n")
            return
        counts = Counter(p.status for p in ex.problems)
        overdue = sum(1 for p in ex.problems if p.overdue(self.today))
        summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        self.add(f"{counted(len(ex.problems), 'problem')}: {summary}; {overdue} overdue on {self.today:%Y-%m-%d}.\n\n")
        self.add(table_header(
            ["#", "Priority", "Status", "Problem", "Cause", "Recommendation", "By whom", "By when", "Outside help"]
        ))
        order = {p: i for i, p in enumerate(("high", "medium", "low"))}
        ranked = sorted(enumerate(ex.problems), key=lambda ip: (order.get(ip[1].priority, 9), ip[0]))
        for n, (_, p) in enumerate(ranked, 1):
            by_when = day_text(p.by_when)
            if p.overdue(self.today):
                by_when += " **OVERDUE**"
            problem = md_cell(p.text) + (" (carried)" if p.carried_from else "")
            self.add(
                _row([n, p.priority, p.status, problem, md_cell(p.cause) or "-", md_cell(p.recommendation) or "-",
                      md_cell(p.by_whom) or "-", by_when, "yes" if p.outside_help else "no"])
            )
        self.add("\n")
        self.status_changes([p for _, p in ranked])

    def status_changes(self, ranked: list) -> None:
        """Each problem's dated status changes with their notes, numbered as in the table:
        kept with every change and shown on the exercise screen, they were in no report."""
        lines = [
            f"- {n}. {md_cell(p.text)}: {change.status} on {change.at:%Y-%m-%d %H:%M}"
            + (f" ({md_cell(change.note)})" if change.note else "") + "\n"
            for n, p in enumerate(ranked, 1)
            for change in p.history
        ]
        if lines:
            self.add("**Status changes:**\n\n" + "".join(lines) + "\n")

    def culture(self) -> None:
        ex = self.ex
        self.add("## Culture of service\n\n")
        content = load_culture()
        if content.change:
            self.add(md_text(content.change) + "\n\n")
        if not any(ex.culture.values()):
            self.add("Nothing planned yet.\n\n")
            return
        known = {s.id for s in content.stages}
        stage_ids = [s.id for s in content.stages] + [s for s in ex.culture if s not in known]
        for stage_id in stage_ids:
            items = ex.culture.get(stage_id) or {}
            if not items:
                continue
            stage = content.stage(stage_id) if stage_id in known else None
            self.add(f"### {md_cell(stage.title if stage else stage_id)}\n\n")
            texts = {i.id: i.text for i in stage.items} if stage else {}
            order = list(texts) + [i for i in items if i not in texts]
            self.add(table_header(["Item", "Who", "What", "By when", "Done"]))
            for item_id in order:
                item = items.get(item_id)
                if item is None:
                    continue
                late = " **OVERDUE**" if item.by_when and not item.done and item.by_when < self.today else ""
                self.add(
                    _row([md_cell(texts.get(item_id, item_id)), md_cell(item.who) or "-", md_cell(item.what) or "-",
                          day_text(item.by_when) + late, "yes" if item.done else "no"])
                )
            self.add("\n")

    def changes(self) -> None:
        ex, previous = self.ex, self.previous
        if ex.follow_up_of is None:
            return
        if previous is None:
            self.add("## What changed\n\n")
            self.add("The exercise this one follows is no longer in the database, so the comparison is not shown.\n\n")
            return
        self.add(f"## What changed since {previous.start:%Y-%m-%d}\n\n")
        counts = follow_up_summary(previous, ex)
        self.add(f"- Problems carried forward: {counts['carried']}\n")
        for status in STATUSES:
            self.add(f"- Carried and now {status}: {counts[status]}\n")
        self.add(f"- Solved before the follow-up (not carried): {counts['solved before follow-up']}\n")
        new = [p for p in ex.problems if p.carried_from is None]
        self.add(f"- New problems at this follow-up: {len(new)}\n\n")
        self.solved_share()
        carried = [p for p in ex.problems if p.carried_from is not None]
        if not carried:
            return
        old: dict[str, Problem] = {p.id: p for p in previous.problems}
        self.add(table_header(["Problem", "Status before", "Status now", "By when"]))
        for p in carried:
            before = old.get(p.carried_from or "")
            then = before.status if before is not None else "unknown"
            by_when = day_text(p.by_when) + (" **OVERDUE**" if p.overdue(self.today) else "")
            self.add(_row([md_cell(p.text), then, p.status, by_when]))
        self.add("\n")

    def solved_share(self) -> None:
        """Problems the site could solve alone apart from those needing outside help: only
        the first say much about the team's own follow-through."""
        assert self.previous is not None
        self.add(f"### Problems of {self.previous.start:%Y-%m-%d} solved by now\n\n")
        share = solved_share(self.previous, self.ex)
        for outside, label in ((False, "Needing no outside help"), (True, "Needing outside help")):
            solved, total = share[outside]
            percent = f" ({round(100 * solved / total)}%)" if total else ""
            self.add(f"- {label}: {solved} of {total} solved{percent}\n")
        self.add(
            "\nFor comparison: a published follow-up of COPE sites found about three in four of the "
            "problems that needed no outside help solved.\n\n"
        )

    def text(self) -> str:
        return "".join(self.out).rstrip("\n") + "\n"


def exercise_markdown(store: Store, exercise: Exercise, *, today: date | None = None) -> str:
    """The whole exercise as one Markdown document; `today` decides what is overdue."""
    previous = store.exercise(exercise.follow_up_of) if exercise.follow_up_of else None
    report = _Report(exercise, previous, today or date.today())
    report.title()
    report.quality()
    report.teams()
    report.guide_summary()
    report.interviews()
    report.records()
    report.flow()
    report.action_plan()
    report.culture()
    report.changes()
    return report.text()

