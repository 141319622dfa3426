"""A realistic weekly-report dict in the shape reports.metrics.week_compute returns (schema 1), for the page, export
and email tests.

Hand-made, so the tests know every figure: KY reported no parcel volume (its rates are unknown), nobody answered a
survey the previous week (the dissatisfaction rate's previous value and change are unknown)."""

import copy
from decimal import Decimal

H = {  # name: (value, previous)
    "received": (128, 110),
    "resolved": (117, 121),
    "backlog": (42, 31),
    "reopened": (3, 5),
    "first_response_met_pct": (93.8, 90.1),
    "resolution_met_pct": (81.2, 84.0),
    "first_response_median_hours": (3.4, 4.1),
    "first_response_p90_hours": (19.5, 22.0),
    "resolution_median_hours": (30.2, 28.7),
    "resolution_p90_hours": (70.1, 66.3),
    "complaint_rate_per_million": (2.6, 2.3),
    "omission_rate_pct": (4.2, 6.0),
    "dissatisfaction_rate_pct": (12.5, None),
    "survey_response_rate_pct": (37.5, 0.0),
    "survey_average_score": (3.94, None),
    "valid_complaints": (71, 64),
    "valid_rate_per_million": (1.4, 1.3),
    "regulator_valid_complaints": (5, 3),
    "regulator_valid_rate_per_million": (0.1, 0.0),
    "escalations": (9, 7),
    "breaches": (14, 12),
    "compensation_count": (23, 19),
    "compensation_total": ("18452.50", "12010.00"),
    "chargeback_total": ("15230.00", "9800.00"),
}


def _entry(value, previous):
    if value is None or previous is None:
        change = None
    elif isinstance(value, str):
        change = str(Decimal(value) - Decimal(previous))
    else:
        change = round(value - previous, 2) if isinstance(value, float) else value - previous
    return {"value": value, "previous": previous, "change": change}


def _group(key, label, received, resolved, backlog, reopened):
    return {
        "key": key,
        "label": label,
        "received": received,
        "resolved": resolved,
        "backlog": backlog,
        "reopened": reopened,
    }


SAMPLE = {
    "schema": 1,
    "week": "2026-W47",
    "start": "2026-11-16T00:00:00+08:00",
    "end": "2026-11-23T00:00:00+08:00",
    "time_zone": "Asia/Shanghai",
    "computed_at": "2026-11-23T08:00:03+08:00",
    "previous_week": "2026-W46",
    "commitment": {"first_response_hours": 24, "resolution_hours": 72},
    "headline": {name: _entry(*pair) for name, pair in H.items()},
    "by_carrier": [
        {
            "key": "ZTO",
            "label": "中通快递 / ZTO Express",
            "received": 70,
            "resolved": 64,
            "backlog": 22,
            "reopened": 2,
            "parcels": 25_000_000,
            "complaint_rate_per_million": 2.8,
            "valid_complaints": 40,
            "valid_rate_per_million": 1.6,
            "regulator_valid_complaints": 3,
            "regulator_valid_rate_per_million": 0.1,
            "first_response_met_pct": 92.9,
            "resolution_met_pct": 79.7,
            "escalations": 5,
            "compensation_count": 14,
            "compensation_total": "11200.00",
            "chargeback_total": "9800.00",
        },
        {
            "key": "SF",
            "label": "顺丰速运 / SF Express",
            "received": 40,
            "resolved": 38,
            "backlog": 11,
            "reopened": 1,
            "parcels": 24_000_000,
            "complaint_rate_per_million": 1.7,
            "valid_complaints": 22,
            "valid_rate_per_million": 0.9,
            "regulator_valid_complaints": 1,
            "regulator_valid_rate_per_million": 0.0,
            "first_response_met_pct": 97.5,
            "resolution_met_pct": 86.8,
            "escalations": 2,
            "compensation_count": 6,
            "compensation_total": "5052.50",
            "chargeback_total": "4030.00",
        },
        {
            "key": "KY",
            "label": "跨越速运 / KY Express",
            "received": 18,
            "resolved": 15,
            "backlog": 9,
            "reopened": 0,
            "parcels": None,
            "complaint_rate_per_million": None,
            "valid_complaints": 9,
            "valid_rate_per_million": None,
            "regulator_valid_complaints": 1,
            "regulator_valid_rate_per_million": None,
            "first_response_met_pct": 88.9,
            "resolution_met_pct": None,
            "escalations": 2,
            "compensation_count": 3,
            "compensation_total": "2200.00",
            "chargeback_total": "1400.00",
        },
    ],
    "by_category": [
        _group("delay", "延误", 61, 55, 20, 1),
        _group("loss", "丢失短少", 27, 24, 10, 1),
        _group("damage", "损毁", 22, 21, 7, 1),
        _group("staff_attitude", "服务态度", 10, 9, 3, 0),
        _group("other", "其他", 8, 8, 2, 0),
    ],
    "by_channel": [
        _group("phone", "电话", 70, 66, 21, 2),
        _group("web", "网页表单", 31, 28, 12, 1),
        _group("social_media", "社交媒体", 17, 15, 6, 0),
        _group("regulator", "监管部门 (12305)", 10, 8, 3, 0),
    ],
    "by_agent": [
        {
            "key": "agent_wang",
            "label": "王芳",
            "resolved": 61,
            "backlog": 19,
            "reopened": 2,
            "first_response_met_pct": 95.1,
            "resolution_met_pct": 83.6,
        },
        {
            "key": "agent_li",
            "label": "李娜",
            "resolved": 56,
            "backlog": 23,
            "reopened": 1,
            "first_response_met_pct": 92.3,
            "resolution_met_pct": None,
        },
    ],
    "escalations_by_level": [
        {"key": 1, "label": "主管", "count": 7},
        {"key": 2, "label": "投诉中心", "count": 2},
    ],
    "breaches_by_clock": [
        {"key": "first_response", "label": "首次响应", "count": 8},
        {"key": "resolution", "label": "解决", "count": 5},
        {"key": "statutory", "label": "法定时限（7 天）", "count": 1},
    ],
    "compensation_by_case": [
        {"key": "loss", "label": "丢失", "count": 9, "total": "12600.00"},
        {"key": "damage", "label": "损毁", "count": 6, "total": "4770.50"},
        {"key": "delay", "label": "延误", "count": 8, "total": "1082.00"},
    ],
    "root_causes": [
        {"key": "sorting", "label": "分拨中心", "count": 38, "valid": 31},
        {"key": "delivery", "label": "末端派送", "count": 29, "valid": 22},
        {"key": "linehaul", "label": "干线运输", "count": 17, "valid": 12},
        {"key": "complainant", "label": "非我方责任", "count": 9, "valid": 0},
    ],
    "trend": [
        {
            "week": f"2026-W{n:02d}",
            "received": r,
            "resolved": s,
            "backlog": b,
            "reopened": o,
            "first_response_met_pct": f,
            "resolution_met_pct": q,
            "dissatisfaction_rate_pct": d,
        }
        for n, r, s, b, o, f, q, d in [
            (36, 96, 90, 20, 2, 91.0, 85.2, 10.0),
            (37, 101, 98, 23, 1, 92.4, 86.0, 8.3),
            (38, 99, 104, 18, 3, 93.0, 88.1, 9.1),
            (39, 140, 120, 38, 4, 85.7, 77.5, 15.2),
            (40, 132, 139, 31, 2, 88.6, 80.0, 14.0),
            (41, 115, 119, 27, 2, 90.4, 83.3, 11.8),
            (42, 108, 110, 25, 1, 92.6, 84.5, None),
            (43, 104, 101, 28, 3, 91.3, 85.0, 10.5),
            (44, 112, 108, 32, 4, 89.3, 82.4, 12.0),
            (45, 119, 122, 29, 2, 90.8, 83.9, 11.1),
            (46, 110, 121, 31, 5, 90.1, 84.0, None),
            (47, 128, 117, 42, 3, 93.8, 81.2, 12.5),
        ]
    ],
}


def sample_report(**changes) -> dict:
    """A deep copy of SAMPLE, with top-level keys replaced."""
    data = copy.deepcopy(SAMPLE)
    data.update(changes)
    return data
