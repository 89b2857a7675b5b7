"""Customer issue records made through the services at a frozen moment (T0: Tuesday
2026-03-10, 09:00 in Beijing)."""

import datetime as dt

import time_machine

from vcdesk.feedback import services

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
TODAY = dt.date(2026, 3, 10)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def issue_fields(**fields) -> dict:
    return {
        "contact_name": "张伟",
        "contact_phone": "010-86092233",
        "contact_fax": "010-86092234",
        "contact_email": "zhangwei@example.cn",
        "details": "分会场声音断续，影响会议效果。",
        **fields,
    }


def record_issue(organisation, *, actor, at=T0, **fields):
    """An issue recorded at `at` (None: now, for a browser against a live server)."""
    if at is None:
        return services.issue_record_create(
            organisation=organisation, actor=actor, **issue_fields(**fields)
        )
    with time_machine.travel(at, tick=False):
        return record_issue(organisation, actor=actor, at=None, **fields)


def resolve(issue, *, actor, on=TODAY, at=T0 + HOUR):
    with time_machine.travel(at, tick=False):
        return services.feedback_record_save(
            issue,
            department="技术服务部",
            result="更换专线后恢复正常。",
            responsible_person="李俊峰",
            resolved_on=on,
            actor=actor,
        )
