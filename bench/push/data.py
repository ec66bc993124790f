"""The bench's reports: distinct report numbers and households of Wuhan's districts, each
PDF signed by a bench CA the server trusts (made once, in a process pool, before timing)."""

from __future__ import annotations

import json
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.identifiers import format_authorization_number, format_report_number
from archive.identifiers import resident_id_check_char as check_char

DISTRICTS = ("420102", "420103", "420104", "420105", "420106", "420107", "420111", "420112")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建文辉"


@dataclass(frozen=True)
class Job:
    index: int
    report_number: str
    metadata: str  # JSON
    pdf: Path


def _person(rng: random.Random, region: str, year: int, seq: int) -> str:
    body = f"{region}{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq % 1000:03d}"
    return body + check_char(body)


def plan(reports: int, seed: int = 7) -> list[dict]:
    """Metadata of ``reports`` distinct reports: most households have one, some two (of
    another business type), so households are both created and updated."""
    rng = random.Random(seed)
    out: list[dict] = []
    serial: dict[tuple, int] = {}
    household = None
    for index in range(reports):
        if household is None or rng.random() > 0.2:
            region = rng.choice(DISTRICTS)
            head_name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
            household = {
                "region": region,
                "head": {
                    "name": head_name,
                    "id_number": _person(rng, region, 1960 + index % 40, index),
                },
                "members": [
                    {
                        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "id_number": _person(rng, region, 1962 + index % 40, index + 500),
                        "relation": "配偶",
                        "co_resident": True,
                    }
                ],
                "businesses": ["aa", "ad", "ae", "ah"],
            }
        business = household["businesses"].pop(0) if household["businesses"] else "ah"
        region = household["region"]
        month = 1 + index % 9
        key = (region, month)
        serial[key] = serial.get(key, 0) + 1
        number = format_report_number(region, 2024, month, serial[key], business, "f")
        out.append(
            {
                "report_number": number,
                "authorization_number": format_authorization_number(region, 2024, index + 1),
                "business_type": business,
                "entrusting_unit": "武汉市民政局",
                "issued_on": f"2024-{month:02d}-{1 + index % 27:02d}",
                "household": {"head": household["head"], "members": household["members"]},
            }
        )
    return out


def _make(args: tuple[int, dict, str, str]) -> tuple[int, str]:
    index, meta, folder, signer_dir = args
    from tests.push import pki

    signer = _load_signer(Path(signer_dir))
    head = meta["household"]["head"]
    pdf = pki.sign_pdf(pki.report_pdf(meta["report_number"], head["name"], f"{index}.00"), signer)
    path = Path(folder) / f"{index:05d}.pdf"
    path.write_bytes(pdf)
    return index, str(path)


_signer_cache: dict = {}


def _load_signer(folder: Path):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from tests.push import pki

    if "signer" not in _signer_cache:
        key = serialization.load_pem_private_key((folder / "signer-key.pem").read_bytes(), None)
        cert = x509.load_pem_x509_certificate((folder / "signer-cert.pem").read_bytes())
        ca = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
        _signer_cache["signer"] = pki.Signer(key, cert, [ca])
    return _signer_cache["signer"]


def make_pki(folder: Path) -> Path:
    """A bench CA (its certificate in ``folder/trust``) and a platform signer."""
    from cryptography.hazmat.primitives import serialization

    from tests.push import pki

    ca = pki.CA.create("核档基准测试根CA")
    signer = ca.issue("湖北核对平台报告签章（基准）")
    folder.mkdir(parents=True, exist_ok=True)
    ca.write_pem(folder / "trust", "bench-ca.pem")
    (folder / "ca.pem").write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    (folder / "signer-cert.pem").write_bytes(signer.cert.public_bytes(serialization.Encoding.PEM))
    (folder / "signer-key.pem").write_bytes(
        signer.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "trust"


def make_jobs(reports: int, folder: Path, pki_dir: Path) -> list[Job]:
    metas = plan(reports)
    pdfs = folder / "pdfs"
    pdfs.mkdir(parents=True, exist_ok=True)
    work = [(i, m, str(pdfs), str(pki_dir)) for i, m in enumerate(metas)]
    paths: dict[int, str] = {}
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for index, path in pool.map(_make, work, chunksize=25):
            paths[index] = path
    return [
        Job(i, m["report_number"], json.dumps(m, ensure_ascii=False), Path(paths[i]))
        for i, m in enumerate(metas)
    ]
