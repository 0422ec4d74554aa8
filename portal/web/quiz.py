"""The daily quiz of a campaign's question bank, as a member answers it."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import local_today
from portal.campaigns.participation import enrollment_for_member
from portal.common.errors import DomainError
from portal.models.base import utcnow
from portal.rewards.points import points_of
from portal.rewards.quiz import answer_quiz_question, answers_of, daily_set
from portal.web.forms.route import QuizAnswerForm
from portal.web.helpers import show_domain_error
from portal.web.htmx import render

bp = Blueprint("quiz", __name__, url_prefix="/campaigns/<id:campaign_id>/quiz")


def _enrolled_in_quiz_or_404(campaign_id: int):
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    if not campaign_rules(campaign).quiz.daily_questions:
        abort(404)
    return campaign, enrollment


def _page(campaign, enrollment, *, failed_form=None):
    today = local_today(utcnow(), campaign.timezone)
    questions = daily_set(enrollment, today)
    answers = answers_of(enrollment, questions)
    forms = {}
    for question in questions:
        if failed_form is not None and failed_form.question_id.data == str(question.id):
            form = failed_form
        else:
            form = QuizAnswerForm(formdata=None, question_id=str(question.id), prefix=f"q{question.id}")
        form.choice.choices = list(enumerate(question.choices))
        forms[question.id] = form
    return render(
        "quiz/daily.html",
        block="quiz_panel",
        campaign=campaign,
        rules=campaign_rules(campaign),
        today=today,
        questions=questions,
        answers=answers,
        forms=forms,
        points=points_of(enrollment),
    )


@bp.get("/")
@login_required
def daily(campaign_id: int):
    """Today's questions and the answers given so far."""
    campaign, enrollment = _enrolled_in_quiz_or_404(campaign_id)
    return _page(campaign, enrollment)


@bp.post("/<id:question_id>")
@login_required
def answer(campaign_id: int, question_id: int):
    """Answer one question of today's set (once; a right answer earns the rules' points)."""
    campaign, enrollment = _enrolled_in_quiz_or_404(campaign_id)
    form = QuizAnswerForm(prefix=f"q{question_id}")
    form.question_id.data = str(question_id)
    if form.validate_on_submit():
        now = utcnow()
        try:
            answer_quiz_question(
                enrollment, question_id, form.choice.data, day=local_today(now, campaign.timezone), now=now
            )
        except DomainError as error:
            show_domain_error(form, error)
            return _page(campaign, enrollment, failed_form=form)
        return _page(campaign, enrollment)
    return _page(campaign, enrollment, failed_form=form)
