import pytest

from archive.audit import verify_chain
from archive.filing import file_item
from archive.models import Household


@pytest.mark.django_db
def test_file_item_gives_gap_free_archive_numbers(make_household, make_item):
    household = make_household("420102")
    first = file_item(make_item(household, "SQS"))
    second = file_item(make_item(household, "RHB"))
    assert first.archive_number == "Z420102-HD·2024-D10-GC-0001"
    assert second.archive_number == "Z420102-HD·2024-D10-GC-0002"
    assert first.retention_start.isoformat() == "2025-01-01"
    assert verify_chain().intact


@pytest.mark.django_db
def test_county_user_sees_only_own_county(make_user, make_household):
    mine = make_household("420102", "张伟")
    make_household("420105", "刘洋")
    user = make_user("420102")
    assert list(Household.objects.visible_to(user)) == [mine]
    city = make_user("420100")
    assert Household.objects.visible_to(city).count() == 2
