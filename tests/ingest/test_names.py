"""Known names: a name cell misread by the engine is matched to the known member of the
household the form names; an ambiguous, far or empty one is left as read, never invented."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Item, Member, Subtype
from ingest import formocr
from ingest.knownnames import KnownHousehold, match_form, match_name
from ingest.linking import LinkDecision
from ingest.models import Batch, Document, FormResult

HEAD_ID = "420102198503151007"
WIFE_ID = "420102198704201023"
SON_ID = "420102201009011011"


def _family() -> KnownHousehold:
    return KnownHousehold(
        HEAD_ID,
        "张伟华",
        (("张伟华", HEAD_ID), ("李秀英", WIFE_ID), ("张浩然", SON_ID), ("王建国", "")),
    )


def test_the_ids_are_valid():
    from archive.identifiers import is_valid_resident_id

    assert all(is_valid_resident_id(i) for i in (HEAD_ID, WIFE_ID, SON_ID))


def test_a_misread_name_whose_row_id_is_a_members_becomes_that_members_name():
    family = _family()
    assert match_name("李秀荚", WIFE_ID, family) == "李秀英"  # one character off
    assert match_name("李秀", WIFE_ID, family) == "李秀英"  # one character lost
    assert match_name("李禾荚", WIFE_ID, family) == "李秀英"  # two wrong, the ID says whose
    assert match_name("赵钱孙", WIFE_ID, family) is None  # nothing of hers: too far
    assert match_name("赵钱英孙", WIFE_ID, family) is None  # another length, half wrong
    assert match_name("李秀荚", "", family) == "李秀英"  # without the ID: one off, one name
    assert match_name("张浩然", WIFE_ID, family) == "张浩然"  # another member, read right


def test_without_an_id_only_one_close_name_of_the_same_length_is_taken():
    family = _family()
    assert match_name("王建田", "", family) == "王建国"
    assert match_name("王建", "", family) is None  # another length: not without the ID
    assert match_name("张伟然", "", family) is None  # one off 张伟华 and 张浩然: ambiguous
    assert match_name("赵钱孙", "", family) is None  # far from everyone
    assert match_name("", WIFE_ID, family) is None  # an empty cell stays empty
    assert match_name("  |", WIFE_ID, family) is None


def test_match_form_records_read_and_matched_cells():
    fields = {
        "members": [
            {"name": "张伟华", "relation": "本人", "id_number": HEAD_ID},
            {"name": "李秀荚", "relation": "配偶", "id_number": WIFE_ID},
            {"name": "", "relation": "子女", "id_number": SON_ID},
        ],
        "obligors": [{"name": "王建田", "relation": "父母", "id_number": ""}],
    }
    names = match_form("home_visit", fields, [_family()])
    assert [m["name"] for m in fields["members"]] == ["张伟华", "李秀英", ""]
    assert fields["obligors"][0]["name"] == "王建国"
    assert names == [
        {"path": "members/0/name", "source": "read", "read": "张伟华", "value": "张伟华"},
        {"path": "members/1/name", "source": "matched", "read": "李秀荚", "value": "李秀英"},
        {"path": "obligors/0/name", "source": "matched", "read": "王建田", "value": "王建国"},
    ]


def test_a_form_of_an_unknown_household_is_left_as_read():
    fields = {"members": [{"name": "李秀荚", "relation": "本人", "id_number": WIFE_ID}]}
    names = match_form("home_visit", fields, [])
    assert fields["members"][0]["name"] == "李秀荚" and names[0]["source"] == "read"


def test_a_roster_checks_each_row_against_its_own_household():
    other = KnownHousehold("420102199001011017", "刘洋", (("刘洋", "420102199001011017"),))
    fields = {
        "roster": [
            {
                "head_name": "张伟化",
                "head_id": HEAD_ID,
                "members": [{"name": "李秀荚", "id_number": WIFE_ID}],
            },
            {"head_name": "刘详", "head_id": "420102199001011017", "members": []},
        ]
    }
    match_form("commission", fields, [_family(), other])
    assert fields["roster"][0]["head_name"] == "张伟华"
    assert fields["roster"][0]["members"][0]["name"] == "李秀英"
    assert fields["roster"][1]["head_name"] == "刘洋"


@pytest.mark.django_db
def test_attach_matches_the_misread_cell_to_the_known_member_in_the_jurisdiction(
    hubei, make_household, client, make_user
):
    household = make_household("420102", "张伟华")
    wife = Member.objects.create(household=household, name="李秀英", id_number="", relation="配偶")
    elsewhere = make_household("420103", "刘洋")  # another county: not this agency's to match
    Member.objects.create(household=elsewhere, name="刘建国", id_number="", relation="父母")
    form = {
        "template": "home_visit",
        "fields": {
            "members": [
                {"name": "张伟化", "relation": "本人", "id_number": household.head_id_number},
                {"name": "李秀荚", "relation": "配偶", "id_number": ""},
            ],
            "obligors": [],
        },
    }
    roster = {
        "template": "review_application",
        "fields": {"rows": [{"head_name": "刘详", "head_id": elsewhere.head_id_number}]},
    }
    items = []
    for n, each in enumerate((form, roster)):
        batch = Batch.objects.create(source=Batch.Source.COMMAND, agency=hubei["420102"])
        document = Document.objects.create(
            batch=batch, original_name=f"f{n}.png", status=Document.Status.QUEUED
        )
        FormResult.objects.create(document=document, pages=[], form=each)
        item = Item.objects.create(
            agency=hubei["420102"],
            subtype=Subtype.objects.get(code="RHB"),
            category="process",
            title="入户核查表",
        )
        formocr.attach(item, document, LinkDecision(None, (), ""))
        item.refresh_from_db()
        items.append(item)
    members = items[0].fields["form"]["fields"]["members"]
    assert [m["name"] for m in members] == [household.head_name, wife.name]
    assert [n["source"] for n in items[0].fields["form"]["names"]] == ["matched", "matched"]
    assert items[0].fields["form"]["names"][1]["read"] == "李秀荚"
    # The stored extraction keeps what the engine read.
    assert (
        FormResult.objects.get(document__original_name="f0.png").form["fields"]["members"][1][
            "name"
        ]
        == "李秀荚"
    )
    # Outside the batch agency's jurisdiction nothing is matched.
    rows = items[1].fields["form"]["fields"]["rows"]
    assert rows[0]["head_name"] == "刘详"
    # The item page says which names were matched, and from what was read.
    client.force_login(make_user("420102"))
    page = client.get(reverse("archive_item:detail", args=[items[0].pk])).content.decode()
    assert "李秀荚 → 李秀英" in page
