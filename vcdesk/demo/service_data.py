"""Demo service records: a live hotline queue in every state, relative to the load time.

Built through the service-record services, so clocks, events and history are real.
"""

import random
from datetime import datetime, timedelta

from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.service.choices import EventType, FaultClass
from vcdesk.service.services import history_entry_add, service_record_event_add, service_record_open

M = timedelta(minutes=1)

# (minutes ago reported, fault class, description, caller, phone, steps)
# steps: (minutes after the report, event type, note, actor key)
SCENARIOS = [
    (
        35,
        FaultClass.NODE_DOWN,
        "主会场 MCU 无法登录，正在进行的省级视频会议全部中断。",
        "张伟",
        "13801010001",
        [],
    ),
    (
        50,
        FaultClass.CONGESTION,
        "多个分会场画面卡顿、马赛克，网管出现拥塞告警。",
        "李娜",
        "13801010002",
        [(12, EventType.RESPONDED, "电话指导调整带宽与码率参数，继续观察。", "duty")],
    ),
    (
        95,
        FaultClass.PORT,
        "MCU 第 3 块媒体板 4 个端口无法呼通。",
        "王强",
        "13801010003",
        [
            (8, EventType.RESPONDED, "远程确认端口板故障。", "support"),
            (25, EventType.REMOTE_FAILED, "远程无法恢复，安排现场。", "support"),
            (27, EventType.DISPATCHED, "携带备用媒体板出发。", "field"),
        ],
    ),
    (
        180,
        FaultClass.MAIN_MODULE,
        "主控板告警灯常亮，系统反复重启。",
        "赵敏",
        "13801010004",
        [
            (10, EventType.RESPONDED, "远程查看日志，判断为主控板故障。", "support"),
            (20, EventType.DISPATCHED, "工程师出发。", "field"),
            (85, EventType.ARRIVED, "工程师到场。", "field"),
            (110, EventType.SPARE_REQUESTED, "现场无法修复，申请备用主控板。", "field"),
        ],
    ),
    (
        300,
        FaultClass.SOFTWARE,
        "终端升级后无法注册到 GK。",
        "刘洋",
        "13801010005",
        [
            (15, EventType.RESPONDED, "远程协助回退配置。", "support"),
            (60, EventType.CUSTOMER_HOLD, "会议室正在召开会议，客户要求会后再处理。", "duty"),
        ],
    ),
    (
        26 * 60,
        FaultClass.HOT_SWAP_PART,
        "MCU 冗余电源模块告警。",
        "陈静",
        "13801010006",
        [
            (20, EventType.RESPONDED, "确认电源模块故障，指导更换备份模块。", "support"),
            (120, EventType.RESOLVED, "客户技术人员已更换电源模块，告警消除。", "support"),
        ],
    ),
    (
        3 * 24 * 60,
        FaultClass.OTHER,
        "咨询终端双流发送操作方法。",
        "杨帆",
        "13801010007",
        [
            (10, EventType.RESPONDED, "电话讲解双流操作，并发送操作手册。", "duty"),
            (40, EventType.RESOLVED, "客户已掌握操作。", "duty"),
            (24 * 60, EventType.CONFIRMED, "客户确认。", "duty"),
            (25 * 60, EventType.CLOSED, "", "duty"),
        ],
    ),
    (
        5 * 24 * 60,
        FaultClass.FULL_OUTAGE,
        "录播服务器完全宕机。",
        "周磊",
        "13801010008",
        [
            (70, EventType.RESPONDED, "夜间值班人员回拨，远程检查无响应。", "duty"),
            (80, EventType.DISPATCHED, "工程师出发。", "field"),
            (300, EventType.ARRIVED, "工程师到场。", "field"),
            (400, EventType.RESOLVED, "更换电源后恢复。", "field"),
            (24 * 60, EventType.CLOSED, "", "duty"),
        ],
    ),
]


def load_service_records(*, users: dict, now: datetime, seed: int) -> int:
    rng = random.Random(seed)
    devices = list(
        Device.objects.filter(status=DeviceStatus.ACTIVE)
        .select_related("site", "contract", "model")
        .order_by("id")
    )
    mcus = [d for d in devices if d.model.kind == DeviceKind.MCU]
    for ago, fault_class, description, caller, phone, steps in SCENARIOS:
        pool = mcus if fault_class != FaultClass.SOFTWARE else devices
        device = rng.choice(pool)
        reported_at = now - ago * M
        record = service_record_open(
            device=device,
            fault_class=fault_class,
            description=description,
            caller_name=caller,
            caller_phone=phone,
            reported_at=reported_at,
            actor=users["duty"],
        )
        for after, event_type, note, who in steps:
            at = reported_at + after * M
            engineer = users["field"] if event_type == EventType.DISPATCHED else None
            service_record_event_add(
                record, type=event_type, at=at, note=note, engineer=engineer, actor=users[who]
            )
            if note and event_type != EventType.CLOSED:
                history_entry_add(record, symptom="", action=note, at=at, actor=users[who])
    return len(SCENARIOS)
