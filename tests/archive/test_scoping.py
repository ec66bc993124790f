"""archive.scoping: ``agency_visible_to`` (the walk up from one agency) gives the same answer
as ``visible_to`` / ``visible_agency_ids`` for every user and every agency of Hubei."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Agency, User
from archive.scoping import AGENCY_ANCESTORS, agency_visible_to

pytestmark = pytest.mark.django_db


def test_the_walk_up_agrees_with_the_one_rule_everywhere(hubei, make_user):
    users = [make_user(code) for code in ("420000", "420100", "420102", "420500", "421300")]
    users.append(User.objects.create_user("root", is_superuser=True))
    users.append(User.objects.create_user("nobody"))  # no agency: sees nothing
    retired = make_user("420102", username="retired")
    retired.is_active = False
    users.append(retired)
    agencies = list(Agency.objects.select_related(AGENCY_ANCESTORS))
    assert len(agencies) > 100
    for user in users:
        visible = user.visible_agency_ids
        expected = {a.pk: user.is_active and (visible is None or a.pk in visible) for a in agencies}
        with CaptureQueriesContext(connection) as queries:
            got = {a.pk: agency_visible_to(user, a) for a in agencies}
        assert got == expected, user.username
        assert len(queries) == 0, user.username  # everything it needs was loaded
    # A city user sees its counties and not its neighbours' (the answer is not all-True).
    city = users[1]
    assert sum(agency_visible_to(city, a) for a in agencies) == len(city.visible_agency_ids)
