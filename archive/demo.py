"""Demo agencies, users and households, so a fresh installation shows something real."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from archive import identifiers
from archive.items import StoredFile, create_item
from archive.models import Agency, Case, File, Household, Item, Member, Subtype, User
from archive.pdf import text_pdf
from archive.roles import ARCHIVIST, INSPECTOR
from archive.storage import store_bytes

DEMO_PASSWORD = "Hedang-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    real_name: str
    region_code: str
    role: str | None
    superuser: bool = False


DEMO_USERS = [
    DemoUser("admin", "系统管理员", "420000", None, superuser=True),
    DemoUser("archivist", "王档案", "420102", ARCHIVIST),
    DemoUser("hanyang", "刘汉阳", "420105", ARCHIVIST),
    DemoUser("wuhan", "陈武汉", "420100", ARCHIVIST),
    DemoUser("inspector", "赵监督", "420100", INSPECTOR),
    DemoUser("province", "孙省级", "420000", "信息管理"),
    DemoUser("reporter", "周报告", "420102", "核对报告"),
]


def _id(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + identifiers.resident_id_check_char(body)


@dataclass(frozen=True)
class DemoHousehold:
    region_code: str
    head: tuple[str, str]  # name, id
    members: tuple[tuple[str, str, str, bool], ...]  # name, id, relation, co_resident
    address: str
    business_type: str
    serial: int


DEMO_HOUSEHOLDS = [
    DemoHousehold(
        "420102",
        ("张伟", _id("420102", "19850315", "123")),
        (
            ("李娜", _id("420102", "19870704", "246"), "配偶", True),
            ("张子涵", _id("420102", "20120901", "032"), "子女", True),
            ("张建国", _id("420106", "19580212", "111"), "父母", False),
        ),
        "武汉市江岸区台北路 88 号 3 栋 502 室",
        "aa",
        17,
    ),
    DemoHousehold(
        "420102",
        (
            "张伟华",
            _id("420102", "19790521", "315"),
        ),
        (("王芳", _id("420102", "19810108", "428"), "配偶", True),),
        "武汉市江岸区惠济路 12 号",
        "ah",
        18,
    ),
    DemoHousehold(
        "420105",
        (
            "刘洋",
            _id("420105", "19660808", "519"),
        ),
        (("刘小雨", _id("420105", "19950303", "620"), "子女", True),),
        "武汉市汉阳区鹦鹉大道 200 号",
        "ab",
        3,
    ),
]


@transaction.atomic
def seed_demo() -> None:
    agencies = {a.region_code: a for a in Agency.objects.all()}
    if "420102" not in agencies:
        raise RuntimeError("请先运行 manage.py load_regions")
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "real_name": spec.real_name,
                "agency": agencies[spec.region_code],
                "is_superuser": spec.superuser,
                "is_staff": spec.superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if spec.role:
            user.groups.add(Group.objects.get(name=spec.role))
    for spec in DEMO_HOUSEHOLDS:
        if not Household.objects.filter(head_id_number=spec.head[1]).exists():
            _seed_household(agencies[spec.region_code], spec)
    # Apps above archive add their own demo data (accounts: commitments, administrators).
    from wagtail import hooks

    for seed in hooks.get_hooks("hedang_seed_demo"):
        seed()


def _seed_household(agency: Agency, spec: DemoHousehold) -> None:
    head_name, head_id = spec.head
    household = Household.objects.create(
        agency=agency, head_id_number=head_id, head_name=head_name, address=spec.address
    )
    Member.objects.create(household=household, name=head_name, id_number=head_id, relation="本人")
    for name, id_number, relation, co_resident in spec.members:
        Member.objects.create(
            household=household,
            name=name,
            id_number=id_number,
            relation=relation,
            co_resident=co_resident,
        )
    issued = dt.date(2024, 3, 18)
    report_number = identifiers.format_report_number(
        agency.region_code, 2024, 3, spec.serial, spec.business_type, "f", 1
    )
    authorization_number = identifiers.format_authorization_number(
        agency.region_code, 2024, spec.serial * 10 + 3
    )
    case = Case.objects.create(
        household=household,
        agency=agency,
        business_type=spec.business_type,
        authorization_number=authorization_number,
        report_number=report_number,
        entrusting_unit=f"{agency.region_name}民政局",
        accepted_on=dt.date(2024, 3, 1),
        reported_on=issued,
    )
    names = "、".join([head_name] + [m[0] for m in spec.members])
    documents = [
        (
            "SQS",
            "居民经济状况信息核对授权书",
            authorization_number,
            dt.date(2024, 3, 1),
            [f"授权书编号：{authorization_number}", f"授权人：{names}", f"户主身份证号：{head_id}"],
        ),
        (
            "RHB",
            "居民家庭经济状况入户核查表",
            "",
            dt.date(2024, 3, 6),
            [
                f"户主姓名：{head_name}",
                f"身份证号码：{head_id}",
                f"家庭住址：{spec.address}",
                "邻里访问情况：邻居反映家庭生活困难，情况属实。",
            ],
        ),
        (
            "HDB",
            "居民家庭经济状况核对报告",
            report_number,
            issued,
            [
                f"报告编号：{report_number}",
                f"户主：{head_name}（{head_id}）",
                f"家庭成员：{names}",
                "公安部门 户籍信息 与申报一致",
                "人社部门 养老保险 月领取 3,215.40 元",
            ],
        ),
    ]
    for code, title, number, date, lines in documents:
        subtype = Subtype.objects.get(code=code)
        pdf = text_pdf(title, lines)
        create_item(
            household=household,
            agency=agency,
            case=case,
            category=subtype.category,
            subtype=subtype,
            title=f"{head_name}户{title}",
            document_number=number,
            responsible=agency.name,
            formation_date=date,
            carrier=Item.Carrier.BOTH,
            files=[
                StoredFile.of(
                    store_bytes(pdf),
                    File.Role.ORIGINAL,
                    "application/pdf",
                    original_name=f"{title}.pdf",
                )
            ],
            pages=["\n".join([title, *lines])],
            file=True,
        )


def login_lines() -> list[str]:
    lines = []
    for spec in DEMO_USERS:
        region = Agency.objects.filter(region_code=spec.region_code).first()
        where = region.region_name if region else spec.region_code
        lines.append(f"{spec.username:<10} / {DEMO_PASSWORD}  {spec.role or '超级管理员'}  {where}")
    return lines
