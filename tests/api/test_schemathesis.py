"""schemathesis generates requests from the OpenAPI document: no 5xx, no response that breaks the schema.

Its pytest plugin does not run under pytest 9 yet, so each operation's hypothesis strategy is driven here.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from portal.campaigns.tokens import issue_personal_token
from portal.extensions import db
from tests.campaign_helpers import enrolled, member_of, running_campaign


@pytest.fixture
def api(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    secret = issue_personal_token(member, "schemathesis").secret
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), secret


def test_api_conforms_to_its_document(api):
    schema, secret = api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"})

        check()
