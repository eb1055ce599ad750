"""The demo city: Yuxi (玉溪市), its nine counties/districts by GB/T 2260 code, a few city
departments, about 30 units and 300 learners with plausible names. Deterministic, so
that a re-seed finds the same people."""

from __future__ import annotations

import random
from dataclasses import dataclass

from xuefa.roster.learners import student_no_prefix

CITY = ("530400", "玉溪市")

COUNTIES = [
    ("530402", "红塔区"),
    ("530403", "江川区"),
    ("530423", "通海县"),
    ("530424", "华宁县"),
    ("530425", "易门县"),
    ("530426", "峨山彝族自治县"),
    ("530427", "新平彝族傣族自治县"),
    ("530428", "元江哈尼族彝族傣族自治县"),
    ("530481", "澄江市"),
]

CITY_DEPARTMENTS = [
    ("530400-D01", "玉溪市司法局"),
    ("530400-D02", "玉溪市人力资源和社会保障局"),
    ("530400-D03", "玉溪市教育体育局"),
    ("530400-D04", "玉溪师范学院"),
]

COUNTY_UNITS = ["司法局", "教育体育局", "财政局"]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许"
    "韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "文",
    "华",
    "建国",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "春梅",
    "红梅",
    "玉兰",
    "国庆",
    "丽华",
    "永红",
    "雪梅",
    "俊",
    "婷",
    "雯",
    "琳",
]

LEARNERS_PER_UNIT = 10
DEMO_PASSWORD = "Xuefa-Demo-2026"


@dataclass(frozen=True)
class DemoUnit:
    unit_id: str
    name: str
    parent_id: str | None
    path: str
    kind: str


@dataclass(frozen=True)
class DemoLearner:
    student_no: str
    name: str
    unit_id: str
    phone: str


@dataclass(frozen=True)
class DemoAdmin:
    username: str
    name: str
    unit_id: str
    level: str


def units() -> list[DemoUnit]:
    city_id, city_name = CITY
    out = [DemoUnit(city_id, city_name, None, city_id, "city")]
    for unit_id, name in CITY_DEPARTMENTS:
        out.append(DemoUnit(unit_id, name, city_id, f"{city_id}/{unit_id}", "department"))
    for code, name in COUNTIES:
        county_path = f"{city_id}/{code}"
        out.append(DemoUnit(code, name, city_id, county_path, "county"))
        for index, suffix in enumerate(COUNTY_UNITS, start=1):
            unit_id = f"{code}-{index:03d}"
            out.append(DemoUnit(unit_id, name + suffix, code, f"{county_path}/{unit_id}", "unit"))
    return out


def learners() -> list[DemoLearner]:
    rng = random.Random(2017)
    out: list[DemoLearner] = []
    sequence: dict[str, int] = {}
    for unit in units():
        if unit.kind not in ("unit", "department"):
            continue
        code = student_no_prefix(unit.path)
        for _ in range(LEARNERS_PER_UNIT):
            sequence[code] = sequence.get(code, 0) + 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            phone = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            out.append(DemoLearner(f"{code}{sequence[code]:06d}", name, unit.unit_id, phone))
    return out


def admins() -> list[DemoAdmin]:
    out = [DemoAdmin("city_admin", "市法宣组管理员", CITY[0], "city")]
    for code, name in COUNTIES[:3]:
        out.append(DemoAdmin(f"county_{code}", f"{name}管理员", code, "county"))
    for unit in units():
        if unit.kind == "unit" and unit.unit_id.endswith("-001"):
            out.append(
                DemoAdmin(f"unit_{unit.unit_id}", f"{unit.name}管理员", unit.unit_id, "unit")
            )
    for unit_id, name in CITY_DEPARTMENTS[:2]:
        out.append(DemoAdmin(f"unit_{unit_id}", f"{name}管理员", unit_id, "unit"))
    return out
