"""The question bank (百题问答, seed 000): admins import questions; each member gets a daily set; a right
answer earns what the rules say, once per question."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.permissions import can_manage
from portal.common.audit import record_audit
from portal.common.spreadsheets import read_spreadsheet
from portal.extensions import db
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.points import PointReason
from portal.models.route import Question, QuizAnswer
from portal.orgs.permissions import require
from portal.rewards.errors import AlreadyAnswered, InvalidChoice, NotInQuizSet
from portal.rewards.points import award_points

HEADERS = {
    "text": ("题目", "题目", "question"),
    "choices": ("选项", "选项", "choices"),
    "answer": ("答案", "答案", "answer"),
}
_SEPARATORS = re.compile(r"[|｜;；\n]")
LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class QuestionRow:
    line: int
    text: str
    choices: list[str]
    answer: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def _answer_index(text: str, count: int) -> int | None:
    text = text.strip().upper()
    if len(text) == 1 and text in LETTERS[:count]:
        return LETTERS.index(text)
    if text.isdigit() and 1 <= int(text) <= count:
        return int(text) - 1
    return None


def check_question_rows(data: bytes, filename: str) -> list[QuestionRow]:
    """Each row of an uploaded bank, checked: 题目, 选项 (2 to 8, separated by | or ；), 答案 (A–H or 1–8)."""
    rows = []
    for line, record in enumerate(read_spreadsheet(data, filename, HEADERS), start=2):
        text = record["text"].strip()
        choices = [choice.strip() for choice in _SEPARATORS.split(record["choices"]) if choice.strip()]
        answer = _answer_index(record["answer"], len(choices))
        error = None
        if not 1 <= len(text) <= 300:
            error = _("The question must have 1 to 300 characters.")
        elif not 2 <= len(choices) <= len(LETTERS) or any(len(choice) > 100 for choice in choices):
            error = _("Give 2 to 8 answers of at most 100 characters, separated by | or ；.")
        elif answer is None:
            error = _("The answer must be the letter (A, B …) or number of one of the answers.")
        rows.append(QuestionRow(line, text, choices, answer, error))
    return rows


def import_questions(actor: User | None, campaign: Campaign, rows: list[QuestionRow]) -> int:
    """Add the checked rows to the campaign's bank; refused rows are the caller's to show."""
    require(can_manage(actor, campaign))
    good = [row for row in rows if row.ok]
    db.session.add_all(
        Question(campaign_id=campaign.id, text=row.text, choices=row.choices, answer=row.answer)
        for row in good
    )
    record_audit(
        actor,
        "questions.import",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        after={"imported": len(good)},
    )
    return len(good)


def count_questions(campaign: Campaign) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Question).where(Question.campaign_id == campaign.id)
    )


def _order_key(enrollment_id: int, day: date, question_id: int) -> bytes:
    return hashlib.sha256(f"{enrollment_id}:{day.isoformat()}:{question_id}".encode()).digest()


def daily_set(enrollment: Enrollment, day: date) -> list[Question]:
    """Today's questions for this member: the rules' number, drawn from those not answered on an earlier
    day, in an order fixed for the member and the day (reloading the page keeps the same set)."""
    wanted = campaign_rules(enrollment.campaign).quiz.daily_questions
    if not wanted:
        return []
    answered_before = set(
        db.session.scalars(
            select(QuizAnswer.question_id).where(
                QuizAnswer.enrollment_id == enrollment.id, QuizAnswer.day < day
            )
        )
    )
    questions = db.session.scalars(
        select(Question).where(Question.campaign_id == enrollment.campaign_id)
    ).all()
    candidates = [question for question in questions if question.id not in answered_before]
    candidates.sort(key=lambda question: _order_key(enrollment.id, day, question.id))
    return candidates[:wanted]


def answers_of(enrollment: Enrollment, questions: list[Question]) -> dict[int, QuizAnswer]:
    ids = [question.id for question in questions]
    if not ids:
        return {}
    return {
        answer.question_id: answer
        for answer in db.session.scalars(
            select(QuizAnswer).where(
                QuizAnswer.enrollment_id == enrollment.id, QuizAnswer.question_id.in_(ids)
            )
        )
    }


def answer_quiz_question(
    enrollment: Enrollment, question_id: int, choice: int | None, *, day: date, now: datetime
) -> QuizAnswer:
    """One answer to a question of today's set; a right one earns the rules' points, once."""
    question = next((item for item in daily_set(enrollment, day) if item.id == question_id), None)
    if question is None:
        raise NotInQuizSet()
    if choice is None or not 0 <= choice < len(question.choices):
        raise InvalidChoice()
    answer = QuizAnswer(
        enrollment_id=enrollment.id,
        question_id=question.id,
        day=day,
        choice=choice,
        correct=choice == question.answer,
        answered_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        raise AlreadyAnswered() from None
    if answer.correct:
        points = campaign_rules(enrollment.campaign).quiz.points_per_correct
        award_points(enrollment, PointReason.QUIZ, f"question:{question.id}", points)
    return answer
