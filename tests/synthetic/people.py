"""Synthetic people: names, resident IDs consistent with age and sex, phones, health."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from archive.identifiers import resident_id_check_char

from . import pools
from .pools import SEARCH_NAMES


def age_on(birth: date, ref: date) -> int:
    """Age in completed years on ``ref``."""
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Member:
    name: str
    relation: str  # to the head: 本人, 配偶, 子, 女
    sex: str  # 男 / 女
    age: int  # on the household's reference_date
    birth_date: date
    id_number: str
    phone: str  # "" for children
    co_resident: bool  # False for a non-co-resident obligor (赡扶养义务人)
    marital_status: str = "未婚"
    health: str = "健康"
    illness: str = "无"  # 重大疾病病种
    disability: str = "无"  # 残疾种类和等级
    student: bool = False

    @property
    def id_type(self) -> str:
        return "身份证" if self.age >= 16 else "户口簿"


class PeopleGen:
    """Draws names and IDs, never the same twice (nor a name containing a SEARCH_NAME)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.used_ids: set[str] = set()
        self.used_names: set[str] = set()

    def name(self, rng: random.Random, sex: str, surname: str | None = None, young=False) -> str:
        chars = pools.MALE_CHARS if sex == "男" else pools.FEMALE_CHARS
        if young:
            chars += pools.CHILD_CHARS
        for _ in range(100):
            s = surname or rng.choice(pools.SURNAMES)
            given = "".join(rng.choice(chars) for _ in range(1 if rng.random() < 0.3 else 2))
            name = s + given
            if any(p in name for p in SEARCH_NAMES) or name in self.used_names:
                continue
            self.used_names.add(name)
            return name
        return name  # pragma: no cover - pools are large enough

    def resident_id(self, rng: random.Random, region: str, birth: date, sex: str) -> str:
        while True:
            seq = rng.randrange(0, 1000)
            if (seq % 2 == 1) != (sex == "男"):
                seq = (seq + 1) % 1000
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            value = body + resident_id_check_char(body)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def person(self, rng, ref, region, relation, sex, age, co_resident, surname=None, **kw):
        upper = ref.replace(year=ref.year - age) if (ref.month, ref.day) != (2, 29) else None
        upper = upper or date(ref.year - age, 2, 28)
        lower = date(upper.year - 1, upper.month, min(upper.day, 28)) + timedelta(days=1)
        birth = lower + timedelta(days=rng.randrange((upper - lower).days + 1))
        if age_on(birth, ref) != age:  # pragma: no cover - defensive
            birth = upper
        born_in = region if rng.random() < 0.75 else rng.choice(pools.BIRTH_REGION_CODES)
        name = kw.pop("name", None) or self.name(rng, sex, surname, young=age < 30)
        number = "" if age < 16 else phone(rng)
        marital = kw.pop("marital_status", None)
        if marital is None:
            marital = "未婚" if age < 24 else rng.choice(("已婚", "已婚", "已婚", "离异", "丧偶"))
        return Member(
            name=name,
            relation=relation,
            sex=sex,
            age=age,
            birth_date=birth,
            id_number=self.resident_id(rng, born_in, birth, sex),
            phone=number,
            co_resident=co_resident,
            marital_status=marital,
            **kw,
        )


def phone(rng: random.Random) -> str:
    prefix = rng.choice(("130", "133", "135", "136", "138", "139", "150", "152", "155", "158"))
    return prefix + f"{rng.randrange(10**8):08d}"


def health(rng: random.Random, age: int, sick: bool) -> dict[str, str]:
    if sick:
        care = rng.choice(("部分自理", "完全自理", "不能自理"))
        work = "无劳动能力" if care != "完全自理" or age >= 60 else "部分劳动能力"
        return {"health": "患病", "illness": f"{rng.choice(pools.ILLNESSES)}（{care}，{work}）"}
    if age >= 70:
        return {"health": rng.choice(pools.HEALTH_POOR)}
    return {"health": rng.choice(pools.HEALTH_GOOD)}
