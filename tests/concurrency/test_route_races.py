"""Once-only rules of the route under real concurrency (PostgreSQL, real threads): a reflection and its
points, a certificate, passing a landmark, a quiz answer and its points."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Certificate, Enrollment, Landmark, LandmarkVisit, PointEntry, Reflection
from portal.models.base import utcnow
from portal.rewards.quiz import answer_quiz_question, check_question_rows, daily_set, import_questions
from portal.route.certificates import issue_certificate
from portal.route.progress import answer_landmark, list_landmarks, write_reflection
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.concurrency.test_races import THREADS, race
from tests.route_helpers import walk_days

pytestmark = pytest.mark.postgres


@pytest.fixture
def walker(app, tree, make_user):
    campaign = running_campaign(tree["js"], "eco-walk", started_days_ago=20)
    enrollment = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu_unit"])
    walk_days(enrollment, [5000] * 13)
    return enrollment.id, list_landmarks(campaign)[0].id


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_racing_right_answers_pass_a_landmark_once(app, walker):
    enrollment_id, landmark_id = walker

    def answer(_index):
        landmark = db.session.get(Landmark, landmark_id)
        answer_landmark(db.session.get(Enrollment, enrollment_id), landmark, landmark.answer)

    assert race(app, answer) == Counter({"ok": THREADS})
    assert _count(LandmarkVisit) == 1


def test_racing_wrong_answers_are_all_counted(app, walker):
    enrollment_id, landmark_id = walker
    answer_landmark(db.session.get(Enrollment, enrollment_id), db.session.get(Landmark, landmark_id), 1)
    db.session.commit()  # the visit exists; now every wrong try increments it

    def answer(_index):
        landmark = db.session.get(Landmark, landmark_id)
        wrong = (landmark.answer + 1) % len(landmark.choices)
        answer_landmark(db.session.get(Enrollment, enrollment_id), landmark, wrong)

    assert race(app, answer) == Counter({"ok": THREADS})
    db.session.expire_all()
    assert db.session.scalar(select(LandmarkVisit.wrong_answers)) == THREADS + 1


def test_racing_reflections_pay_once(app, walker):
    enrollment_id, landmark_id = walker
    enrollment = db.session.get(Enrollment, enrollment_id)
    landmark = db.session.get(Landmark, landmark_id)
    answer_landmark(enrollment, landmark, landmark.answer)
    db.session.commit()

    def reflect(index):
        write_reflection(
            db.session.get(Enrollment, enrollment_id),
            db.session.get(Landmark, landmark_id),
            f"第{index}篇感想，写得很认真。",
        )

    assert race(app, reflect) == Counter({"ok": 1, "AlreadyReflected": THREADS - 1})
    assert _count(Reflection) == 1 and _count(PointEntry) == 1


def test_racing_certificate_requests_issue_one(app, walker):
    enrollment_id, _landmark_id = walker
    assert race(app, lambda _i: issue_certificate(db.session.get(Enrollment, enrollment_id))) == Counter(
        {"ok": THREADS}
    )
    assert _count(Certificate) == 1


def test_racing_quiz_answers_pay_once(app, walker):
    enrollment_id, _landmark_id = walker
    enrollment = db.session.get(Enrollment, enrollment_id)
    import_questions(
        None,
        enrollment.campaign,
        check_question_rows("题目,选项,答案\n几步达标？,5000|3000,A".encode(), "q.csv"),
    )
    db.session.commit()
    question_id = daily_set(enrollment, today_local())[0].id

    def answer(_index):
        answer_quiz_question(
            db.session.get(Enrollment, enrollment_id), question_id, 0, day=today_local(), now=utcnow()
        )

    assert race(app, answer) == Counter({"ok": 1, "AlreadyAnswered": THREADS - 1})
    assert _count(PointEntry) == 1
