"""A synthetic archive for the search benchmark: households, names, IDs, report numbers and
OCR-like Chinese page text (~300 characters per item, a third with Tesseract's spaces).

Deterministic for a given seed and batch; batches are generated in worker processes.
"""

from __future__ import annotations

import csv
import random
from itertools import accumulate
from pathlib import Path

from archive.identifiers import resident_id_check_char
from search.backends.sqlite import doc_values, fts_values
from search.documents import IndexDocument
from search.text import normalize

ROOT = Path(__file__).resolve().parents[2]

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙"]
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华飞玉兰萍红娥玲芬燕彬鹏辉建国建华文志红梅海波春兰凤英丹宇浩然子轩梓涵一诺欣怡思远晨阳佳琪雨桐俊杰嘉豪"
)
WORDS = (
    "核对 报告 家庭 收入 财产 存款 银行 工资 养老金 退休 车辆 房产 住房 低保 特困 救助 申请 审批 "
    "民政 社区 街道 居委会 户籍 人口 成员 配偶 子女 父母 赡养 抚养 扶养 义务人 月收入 年收入 可支配 "
    "证明 材料 情况 说明 核查 入户 调查 签字 盖章 日期 经办人 审核 意见 符合 不符合 条件 标准 保障 "
    "医疗 教育 就业 临时 残疾 疾病 劳动 能力 无业 失业 务农 种植 养殖 经营 个体 公司 股票 基金 债券 "
    "保险 公积金 社保 缴费 余额 账户 流水 交易 转账 支出 消费 水电 燃气 通讯 房租 贷款 负债 委托 "
    "授权 本人 同意 查询 信息 单位 部门 乡镇 村组 楼栋 湖北省 武汉市 江岸区 黄石市 宜昌市 襄阳市 "
    "荆州市 孝感市 黄冈市 咸宁市 随州市 恩施州 仙桃市 天门市 潜江市 神农架 农村 城镇 居民 最低 生活 "
    "提供 真实 完整 准确 如有 虚假 承担 法律 责任 相关 规定 办理 手续 期间 变化 及时 报告 机构 "
    "部门 核实 比对 数据 公安 人社 住建 税务 市场 监管 不动产 登记 机动车 工商 注册 企业 法人 股东"
).split()
FUNCTION = list("的了在是和与及等为有无其该经按对由已未共计元人户名个月年日")
SUBTYPES = [
    ("process", 1, "核对委托书"), ("process", 2, "核对授权书"), ("process", 8, "入户核查表"),
    ("proof", 9, "基本信息证明"), ("proof", 10, "身份信息证明"), ("proof", 11, "可支配收入证明"),
    ("proof", 12, "财产证明"), ("proof", 13, "支出证明"), ("report", 15, "核对报告"),
    ("report_application", 17, "申报材料"), ("report_application", 18, "审批材料"),
]  # fmt: skip
CODES = {"process": "GC", "proof": "ZM", "report": "BG", "report_application": "YY"}
BUSINESS = ["aa", "aa", "aa", "ab", "ad", "ae", "af", "ah"]
ITEMS_PER_HOUSEHOLD = 5


def regions() -> tuple[list[tuple[int, str, str]], dict[str, list[int]]]:
    """County agencies (id, region code, parent code) and each city's agency ids."""
    with (ROOT / "data" / "hubei_regions.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)]
    counties = [
        (i + 1, r["code"], r["parent_code"]) for i, r in enumerate(rows) if r["level"] == "county"
    ]
    cities: dict[str, list[int]] = {}
    for agency_id, _, parent in counties:
        cities.setdefault(parent, []).append(agency_id)
    return counties, cities


# A long tail of rarer two- and three-character words, as real documents have.
_TAIL_RNG = random.Random(7)
_POOL = "".join(sorted(set("".join(WORDS)) | set(GIVEN)))
TAIL = sorted(
    {"".join(_TAIL_RNG.choices(_POOL, k=_TAIL_RNG.choice((2, 2, 3)))) for _ in range(4000)}
)
_VOCAB = WORDS + FUNCTION + TAIL
_CUM = list(accumulate(1.0 / (rank + 1) ** 1.0 for rank in range(len(_VOCAB))))


def person_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)
    if r < 0.95:
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(COMPOUND) + rng.choice(GIVEN) + rng.choice(GIVEN)


def resident_id(rng: random.Random, region: str) -> str:
    body = f"{region}{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + resident_id_check_char(body)


def page_text(rng: random.Random, names: list[str], ids: list[str], report: str) -> str:
    parts: list[str] = []
    size = 0
    while size < 300:
        words = rng.choices(_VOCAB, cum_weights=_CUM, k=rng.randint(4, 9))
        r = rng.random()
        if r < 0.12:
            words.insert(rng.randrange(len(words)), rng.choice(names))
        elif r < 0.17:
            words.append(f" {rng.choice(ids)} ")
        elif r < 0.27:
            words.append(f" {rng.randint(1, 99999):,}.{rng.randint(0, 99):02d} 元")
        elif r < 0.30:
            words.append(f"{rng.randint(2015, 2024)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日")
        elif r < 0.32:
            words.append(report)
        sentence = "".join(words) + rng.choice("，。；、")
        parts.append(sentence)
        size += len(sentence)
    text = "".join(parts)
    if rng.random() < 0.33:  # Tesseract: a space between every two characters
        text = " ".join(text)
    return text


def generate(first_household: int, households: int, seed: int):
    """Rows for the document and FTS tables, and query samples, for a batch of households."""
    counties, _ = regions()
    rng = random.Random(seed * 1_000_003 + first_household)
    doc_rows, fts_rows = [], []
    samples: dict[str, list] = {"id": [], "name2": [], "name3": [], "name4": [], "report": []}
    for h in range(first_household, first_household + households):
        agency_id, region, _ = counties[rng.randrange(len(counties))]
        head = person_name(rng)
        members = [head] + [person_name(rng) for _ in range(rng.randint(0, 3))]
        ids = [resident_id(rng, region) for _ in members]
        year = rng.randint(2015, 2024)
        business = rng.choice(BUSINESS)
        report = (
            f"第{region}{year}{rng.randint(1, 12):02d}{rng.randint(1, 99999):05d}{business}f1号"
        )
        auth = f"居经授第{region}{year}{rng.randint(1, 99999999):08d}号"
        if rng.random() < 0.01:
            samples["id"].append((ids[0], agency_id))
            samples["report"].append((report, agency_id))
            samples[f"name{len(head)}"].append((head, agency_id))
        for k in range(ITEMS_PER_HOUSEHOLD):
            item_id = h * ITEMS_PER_HOUSEHOLD + k + 1
            category, subtype_id, subtype = SUBTYPES[rng.randrange(len(SUBTYPES))]
            number = f"Z{region}-HD·{year}-D10-{CODES[category]}-{item_id % 10000:04d}"
            doc = IndexDocument(
                item_id=item_id,
                agency_id=agency_id,
                region_code=region,
                household_id=h + 1,
                head_id_number=ids[0],
                archive_number=number,
                category=category,
                subtype_id=subtype_id,
                subtype=subtype,
                business_type=business,
                year=year,
                title=f"{head}户{subtype}",
                keys="\n".join([number, *ids, report, auth]),
                names="\n".join(members),
                text=normalize(page_text(rng, members, ids, report)),
            )
            doc_rows.append(doc_values(doc))
            fts_rows.append(fts_values(doc))
    return doc_rows, fts_rows, samples
