"""The demo study catalogue: courses, videos, readings, practice sets and the daily
sign-in, with the credits each pays and the server-measured minutes it takes."""

from __future__ import annotations

from typing import Any

from xuefa.store.keys import Keys

# (resource_id, title, activity, credits, min_seconds, once_per_year); the daily sign-in
# pays once a day (once_per_day), everything else as often as the caps allow.
RESOURCES: list[tuple[str, str, str, int, int, bool]] = [
    ("signin", "每日学法签到", "sign_in", 5, 0, False),
    ("c-xf-01", "宪法总纲与国家根本制度", "course", 50, 1200, True),
    ("c-xf-02", "公民的基本权利和义务", "course", 50, 1200, True),
    ("c-xf-03", "国家机构：全国人大及其常委会", "course", 50, 1200, True),
    ("c-xf-04", "宪法宣誓制度解读", "course", 30, 600, True),
    ("c-xz-01", "行政许可法要点", "course", 50, 1200, True),
    ("c-xz-02", "行政处罚法：种类、设定与程序", "course", 50, 1200, True),
    ("c-xz-03", "行政复议法与行政诉讼法衔接", "course", 50, 1200, True),
    ("c-xz-04", "政府信息公开条例实务", "course", 40, 900, True),
    ("c-xz-05", "国家赔偿法：行政赔偿", "course", 40, 900, True),
    ("c-dn-01", "中国共产党纪律处分条例学习", "course", 50, 1200, True),
    ("c-yn-01", "云南省地方性法规选讲", "course", 40, 900, True),
    ("c-qf-01", "民法典总则编导读", "course", 50, 1200, True),
    ("v-fz-01", "视频：习近平法治思想概述", "video", 40, 1500, True),
    ("v-fz-02", "视频：依法行政典型案例评析", "video", 40, 1500, True),
    ("v-fz-03", "视频：领导干部应知应会法律知识", "video", 40, 1500, True),
    ("r-qw-01", "阅读：“七五”普法规划全文", "reading", 20, 600, True),
    ("r-qw-02", "阅读：关于完善国家工作人员学法用法制度的意见", "reading", 20, 600, True),
    ("r-qw-03", "阅读：法治政府建设实施纲要", "reading", 20, 600, True),
    ("p-lx-01", "练习：宪法知识20题", "practice", 20, 300, False),
    ("p-lx-02", "练习：行政法知识20题", "practice", 20, 300, False),
    ("p-lx-03", "练习：党内法规知识20题", "practice", 20, 300, False),
]


def items(year: int) -> list[dict[str, Any]]:
    return [
        {
            **Keys.resource(year, resource_id),
            "resource_id": resource_id,
            "year": year,
            "title": title,
            "activity": activity,
            "credits": credits,
            "min_seconds": min_seconds,
            "once_per_year": once,
            "once_per_day": activity == "sign_in",
        }
        for resource_id, title, activity, credits, min_seconds, once in RESOURCES
    ]
