"""Rule sets: the presets of rules §4 and the contradictions an admin could type."""

import pytest

from portal.campaigns.rules import (
    CheckinMode,
    InvalidRules,
    RouteMode,
    load_preset,
    parse_rules,
    preset_names,
)


def test_the_three_presets_match_the_table_of_spec_4(app):
    assert preset_names() == ("eco-walk", "motherland-100", "teachers-7day")
    with app.test_request_context():
        _, eco = load_preset("eco-walk")
        _, motherland = load_preset("motherland-100")
        _, teachers = load_preset("teachers-7day")
    assert (eco.length_days, eco.qualify_steps, eco.daily_cap, eco.total_cap) == (64, 5000, None, None)
    assert eco.route.mode is RouteMode.PER_QUALIFIED_DAY and eco.route.landmarks == 13
    assert eco.health_distance_km == 1.61 and eco.donation_steps_per_yuan == 100_000
    assert (motherland.length_days, motherland.qualify_steps, motherland.daily_cap) == (100, 6000, 10_000)
    assert motherland.checkin is CheckinMode.POINTS and motherland.settle_window is not None
    assert motherland.route.total_steps == 700_000 and motherland.teams.size == 6
    assert (motherland.teams.member_goal, motherland.teams.team_goal) == (6000, 36_000)
    assert (teachers.length_days, teachers.qualify_steps, teachers.daily_cap, teachers.total_cap) == (
        7,
        6000,
        20_000,
        140_000,
    )
    assert teachers.checkin is CheckinMode.REQUIRED and teachers.ranking.top_n == 600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"daily_cap": 4000}, "每日上限低于达标步数"),
        ({"total_cap": 3000}, "总上限低于单日达标步数"),
        ({"implausible_steps": 5000}, "异常步数上限"),
        ({"route": {"mode": "cumulative_steps", "landmarks": 13}}, "累计步数"),
        ({"route": {"mode": "per_qualified_day", "landmarks": 0}}, "至少需要一个地标"),
        ({"route": {"mode": "per_qualified_day", "landmarks": 9}}, "地标数多于活动天数"),
        ({"teams": {"enabled": True, "member_goal": 6000, "team_goal": 5000}}, "团队目标低于"),
        ({"ranking": {"kinds": ["team"]}}, "团队排行榜需要启用团队"),
        ({"settle_window": {"start": "22:00:00", "end": "20:00:00"}}, "结算时段"),
    ],
)
def test_contradictions_are_refused_in_chinese(app, change, message):
    rules = {"length_days": 7, "qualify_steps": 5000}
    rules.update(change)
    with app.test_request_context(), pytest.raises(InvalidRules) as raised:
        parse_rules(rules)
    assert message in str(raised.value.message)


def test_unknown_keys_and_wrong_types_are_refused(app):
    with app.test_request_context():
        with pytest.raises(InvalidRules):
            parse_rules({"length_days": 7, "qualify_steps": 5000, "qualify_step": 6000})
        with pytest.raises(InvalidRules):
            parse_rules({"length_days": "a week", "qualify_steps": 5000})


def test_rules_round_trip_through_json(app):
    with app.test_request_context():
        _, rules = load_preset("motherland-100")
    assert parse_rules(rules.model_dump(mode="json")) == rules
