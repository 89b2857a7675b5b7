"""The demo installed base: tables only, no database access.

`seed_demo` turns these tables into organisations, sites, contacts, contracts, device models,
devices and users. Dates that must stay "in warranty" or "out of warranty" are given relative
to the day the data is loaded (months before today); the only absolute date is the end of
production of the Polycom RMX 2000, whose promised repair ended on 2022-12-31.

E-mail addresses use the reserved `.example` top-level domain so that a demo installation
wired to a real mail server never writes to a real mailbox.
"""

from datetime import date

from vcdesk.accounts.choices import Role
from vcdesk.assets.choices import DeviceKind
from vcdesk.customers.choices import Industry

# Same seed, same serial numbers, firmware versions and room sizes on every installation.
RANDOM_SEED = 20240618

# The organisation whose existence means "the demo data is loaded".
MARKER_ORGANISATION = "北京广播电视台"

# City → long-distance area code (office and fax numbers).
AREA_CODES = {
    "北京": "010",
    "上海": "021",
    "苏州": "0512",
    "杭州": "0571",
    "南京": "025",
    "广州": "020",
    "深圳": "0755",
    "佛山": "0757",
    "珠海": "0756",
    "汕头": "0754",
    "成都": "028",
    "绵阳": "0816",
    "德阳": "0838",
    "乐山": "0833",
    "南充": "0817",
    "宜宾": "0831",
    "武汉": "027",
    "宜昌": "0717",
    "襄阳": "0710",
    "黄石": "0714",
    "孝感": "0712",
}

MOBILE_PREFIXES = ["133", "135", "136", "138", "139", "150", "153", "158", "177", "186", "189"]

# key, name, short name, industry, head-office address and city, mail domain
ORGANISATIONS = [
    {
        "key": "brtv",
        "name": "北京广播电视台",
        "short_name": "北京台",
        "industry": Industry.BROADCAST,
        "address": "北京市朝阳区建国路98号",
        "city": "北京",
        "domain": "brtv.example",
    },
    {
        "key": "spdb",
        "name": "上海浦东发展银行",
        "short_name": "浦发银行",
        "industry": Industry.FINANCE,
        "address": "上海市黄浦区中山东一路12号",
        "city": "上海",
        "domain": "spdb.example",
    },
    {
        "key": "gdedu",
        "name": "广东省教育厅",
        "short_name": "广东教育厅",
        "industry": Industry.EDUCATION,
        "address": "广州市越秀区东风东路723号",
        "city": "广州",
        "domain": "gdedu.example",
    },
    {
        "key": "scgov",
        "name": "四川省人民政府办公厅",
        "short_name": "四川省府办",
        "industry": Industry.GOVERNMENT,
        "address": "成都市青羊区督院街30号",
        "city": "成都",
        "domain": "scgov.example",
    },
    {
        "key": "whu",
        "name": "武汉大学",
        "short_name": "武大",
        "industry": Industry.EDUCATION,
        "address": "武汉市武昌区八一路299号",
        "city": "武汉",
        "domain": "whu.example",
    },
    {
        "key": "hbtel",
        "name": "中国电信湖北分公司",
        "short_name": "湖北电信",
        "industry": Industry.TELECOM,
        "address": "武汉市武昌区中北路109号",
        "city": "武汉",
        "domain": "hbtelecom.example",
    },
    {
        "key": "gzmtr",
        "name": "广州地铁集团有限公司",
        "short_name": "广州地铁",
        "industry": Industry.OTHER,
        "address": "广州市海珠区新港东路1238号万胜广场",
        "city": "广州",
        "domain": "gzmtr.example",
    },
    {
        "key": "sctv",
        "name": "四川广播电视台",
        "short_name": "四川台",
        "industry": Industry.BROADCAST,
        "address": "成都市青羊区东胜街1号",
        "city": "成都",
        "domain": "sctv.example",
    },
]

# Two or three people per organisation: name, mail box, role. The mobile and office/fax
# numbers are drawn from the seeded random generator (office numbers only for `fax=True`).
CONTACTS = {
    "brtv": [
        ("孙明", "sunming", "技术制作中心主任", True),
        ("高晓燕", "gaoxiaoyan", "会议室管理员", False),
        ("郑磊", "zhenglei", "主控机房值班长", True),
    ],
    "spdb": [
        ("周建华", "zhoujianhua", "信息科技部运维处处长", True),
        ("吴倩", "wuqian", "办公室会务主管", False),
    ],
    "gdedu": [
        ("黄志勇", "huangzhiyong", "信息中心主任", True),
        ("林小红", "linxiaohong", "视频会议系统管理员", False),
        ("梁国栋", "liangguodong", "办公室副主任", True),
    ],
    "scgov": [
        ("杨帆", "yangfan", "电子政务处处长", True),
        ("何静", "hejing", "会议室管理员", False),
        ("罗斌", "luobin", "机房运维工程师", False),
    ],
    "whu": [
        ("徐文涛", "xuwentao", "信息中心副主任", True),
        ("马丽", "mali", "校长办公室会务科科长", False),
    ],
    "hbtel": [
        ("胡晓东", "huxiaodong", "网络运营部经理", True),
        ("朱婷", "zhuting", "综合部会议室管理员", False),
    ],
    "gzmtr": [
        ("冯伟", "fengwei", "信息中心主任", True),
        ("邓佳", "dengjia", "调度指挥中心会议管理员", False),
    ],
    "sctv": [
        ("曾涛", "zengtao", "技术中心主任", True),
        ("唐敏", "tangmin", "总控机房值班员", False),
    ],
}

# Device models. `firmware`: versions in use, newest first. `serial`: the vendor's style.
DEVICE_MODELS = [
    {
        "key": "RMX 2000",
        "vendor": "Polycom",
        "name": "RMX 2000",
        "kind": DeviceKind.MCU,
        # Past end of production: repair was promised until 2022-12-31 (3 years later).
        "end_of_production": date(2019, 12, 31),
        "firmware": ["8.7.5.109", "8.5.13.71", "8.5.10.45"],
    },
    {
        "key": "RMX 4000",
        "vendor": "Polycom",
        "name": "RMX 4000",
        "kind": DeviceKind.MCU,
        "firmware": ["8.7.5.109", "8.7.4.58"],
    },
    {
        "key": "Group 310",
        "vendor": "Polycom",
        "name": "RealPresence Group 310",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["6.2.2.2", "6.2.1.1", "6.1.8"],
    },
    {
        "key": "Group 500",
        "vendor": "Polycom",
        "name": "RealPresence Group 500",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["6.2.2.2", "6.2.1.1", "6.1.8"],
    },
    {
        "key": "Group 700",
        "vendor": "Polycom",
        "name": "RealPresence Group 700",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["6.2.2.2", "6.2.1.1"],
    },
    {
        "key": "SoundStation",
        "vendor": "Polycom",
        "name": "SoundStation IP 7000",
        "kind": DeviceKind.OTHER,
        "firmware": ["4.0.15.1009", "4.0.14.1580"],
    },
    {
        "key": "MCU 5300",
        "vendor": "Cisco",
        "name": "TelePresence MCU 5300",
        "kind": DeviceKind.MCU,
        "firmware": ["4.5(1.89)", "4.5(1.72)"],
    },
    {
        "key": "SX80",
        "vendor": "Cisco",
        "name": "TelePresence SX80",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["ce9.15.8.12", "ce9.15.3.22", "ce9.14.7.2"],
    },
    {
        "key": "Room Kit",
        "vendor": "Cisco",
        "name": "Webex Room Kit",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["RoomOS 11.14.2.3", "RoomOS 11.9.1.13", "ce9.15.10.8"],
    },
    {
        "key": "MCU 9600",
        "vendor": "Huawei",
        "name": "MCU 9600",
        "kind": DeviceKind.MCU,
        "firmware": ["V200R001C10SPC300", "V200R001C10SPC200"],
    },
    {
        "key": "TE40",
        "vendor": "Huawei",
        "name": "TE40",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["V600R019C10SPC300", "V600R019C00SPC100", "V600R006C10SPC400"],
    },
    {
        "key": "TE60",
        "vendor": "Huawei",
        "name": "TE60",
        "kind": DeviceKind.ENDPOINT,
        "firmware": ["V600R019C10SPC300", "V600R019C00SPC100", "V600R006C10SPC400"],
    },
    {
        "key": "RSE6500",
        "vendor": "Huawei",
        "name": "RSE6500 录播服务器",
        "kind": DeviceKind.OTHER,
        "firmware": ["V500R002C00SPC200", "V500R002C00SPC100"],
    },
]

# Contracts, one or two per organisation. Numbers (HT-<year signed>-<nnnn>) are given in
# order of signing. `accepted_months_ago` keeps each contract in or out of warranty whatever
# the day: a 3-year warranty accepted 38+ months ago has ended.
# `mcu`: the MCU installed in the hub rooms; `endpoints`: (model, weight) for the rooms;
# `room_other`/`hub_other`: other hardware found in rooms / hubs.
CONTRACTS = [
    {
        "key": "brtv-1",
        "org": "brtv",
        "accepted_months_ago": 92,
        "warranty_years": 3,
        "inspections_per_year": 1,
        "assurance_visits_per_year": 4,
        "free_upgrades": False,
        "mcu": "RMX 2000",
        "endpoints": [("Group 500", 3), ("Group 310", 1)],
        "room_other": ["SoundStation"],
        "hub_other": [],
    },
    {
        "key": "brtv-2",
        "org": "brtv",
        "accepted_months_ago": 20,
        "warranty_years": 3,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 6,
        "mcu": "RMX 4000",
        "endpoints": [("Group 700", 2), ("Group 500", 2)],
        "room_other": ["SoundStation"],
        "hub_other": [],
    },
    {
        "key": "spdb-1",
        "org": "spdb",
        "accepted_months_ago": 52,
        "warranty_years": 3,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 4,
        "mcu": "MCU 5300",
        "endpoints": [("SX80", 3), ("Room Kit", 1)],
        "room_other": [],
        "hub_other": [],
    },
    {
        "key": "spdb-2",
        "org": "spdb",
        "accepted_months_ago": 10,
        "warranty_years": 3,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 6,
        "mcu": None,
        "endpoints": [("Room Kit", 1)],
        "room_other": [],
        "hub_other": [],
    },
    {
        "key": "gdedu-1",
        "org": "gdedu",
        "accepted_months_ago": 30,
        "warranty_years": 3,
        "inspections_per_year": 1,
        "assurance_visits_per_year": 4,
        "mcu": "MCU 9600",
        "endpoints": [("TE40", 3), ("TE60", 1)],
        "room_other": [],
        "hub_other": ["RSE6500"],
    },
    {
        "key": "scgov-1",
        "org": "scgov",
        # Would be out of warranty with the usual 3 years; this one has 5.
        "accepted_months_ago": 44,
        "warranty_years": 5,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 6,
        "mcu": "MCU 9600",
        "endpoints": [("TE60", 2), ("TE40", 2)],
        "room_other": [],
        "hub_other": ["RSE6500"],
    },
    {
        "key": "whu-1",
        "org": "whu",
        "accepted_months_ago": 80,
        "warranty_years": 3,
        "inspections_per_year": 1,
        "assurance_visits_per_year": 4,
        "free_upgrades": False,
        "mcu": "RMX 2000",
        "endpoints": [("Group 310", 2), ("Group 500", 2)],
        "room_other": ["SoundStation"],
        "hub_other": [],
    },
    {
        "key": "hbtel-1",
        "org": "hbtel",
        "accepted_months_ago": 38,
        "warranty_years": 3,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 4,
        "mcu": "MCU 9600",
        "endpoints": [("TE40", 3), ("TE60", 1)],
        "room_other": [],
        "hub_other": ["RSE6500"],
    },
    {
        "key": "hbtel-2",
        "org": "hbtel",
        "accepted_months_ago": 6,
        "warranty_years": 3,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 4,
        "mcu": None,
        "endpoints": [("TE60", 1)],
        "room_other": [],
        "hub_other": [],
    },
    {
        "key": "gzmtr-1",
        "org": "gzmtr",
        "accepted_months_ago": 26,
        "warranty_years": 3,
        "inspections_per_year": 2,
        "assurance_visits_per_year": 6,
        "mcu": "RMX 4000",
        "endpoints": [("Group 500", 2), ("Group 310", 2)],
        "room_other": ["SoundStation"],
        "hub_other": [],
    },
    {
        "key": "sctv-1",
        "org": "sctv",
        "accepted_months_ago": 62,
        "warranty_years": 3,
        "inspections_per_year": 1,
        "assurance_visits_per_year": 4,
        "mcu": "MCU 5300",
        "endpoints": [("SX80", 2), ("Room Kit", 1)],
        "room_other": [],
        "hub_other": [],
    },
]

# Sites: organisation | contract | name | city | street address | travel minutes from the
# nearest service base | hub or room. A hub (equipment room or main venue) holds the MCU.
SITES_TABLE = """
# 北京广播电视台 — 服务站 北京
brtv | brtv-1 | 主控机房 | 北京 | 北京市朝阳区建国路98号 北京电视中心B1层 | 25 | hub
brtv | brtv-1 | 一号演播室 | 北京 | 北京市朝阳区建国路98号 北京电视中心3层 | 25 | room
brtv | brtv-1 | 新闻中心会议室 | 北京 | 北京市朝阳区建国路98号 北京电视中心12层 | 25 | room
brtv | brtv-1 | 一号会议室 | 北京 | 北京市朝阳区建国路98号 北京电视中心26层 | 25 | room
brtv | brtv-2 | 主会场 | 北京 | 北京市朝阳区建国路98号 北京电视中心27层 | 25 | hub
brtv | brtv-2 | 二号会议室 | 北京 | 北京市朝阳区建国路98号 北京电视中心26层 | 25 | room
brtv | brtv-2 | 海淀制作基地演播室 | 北京 | 北京市海淀区复兴路甲23号 | 45 | room
brtv | brtv-2 | 大兴转播基地机房 | 北京 | 北京市大兴区亦庄经济开发区科创十三街18号 | 70 | room
# 上海浦东发展银行 — 服务站 上海
spdb | spdb-1 | 总行数据中心机房 | 上海 | 上海市浦东新区张江高科技园区博霞路50号 | 50 | hub
spdb | spdb-1 | 总行主会场 | 上海 | 上海市黄浦区中山东一路12号 3层 | 25 | room
spdb | spdb-1 | 总行一号会议室 | 上海 | 上海市黄浦区中山东一路12号 5层 | 25 | room
spdb | spdb-1 | 总行三号会议室 | 上海 | 上海市黄浦区中山东一路12号 5层 | 25 | room
spdb | spdb-2 | 浦东分行会议室 | 上海 | 上海市浦东新区浦东南路588号 8层 | 30 | room
spdb | spdb-2 | 苏州分行会议室 | 苏州 | 苏州市工业园区苏华路1号 10层 | 110 | room
spdb | spdb-2 | 杭州分行会议室 | 杭州 | 杭州市上城区延安路129号 6层 | 180 | room
spdb | spdb-2 | 南京分行会议室 | 南京 | 南京市秦淮区中山东路90号 15层 | 240 | room
# 广东省教育厅 — 服务站 广州
gdedu | gdedu-1 | 厅机关机房 | 广州 | 广州市越秀区东风东路723号 1号楼2层 | 30 | hub
gdedu | gdedu-1 | 厅机关主会场 | 广州 | 广州市越秀区东风东路723号 2号楼4层 | 30 | room
gdedu | gdedu-1 | 一号会议室 | 广州 | 广州市越秀区东风东路723号 2号楼5层 | 30 | room
gdedu | gdedu-1 | 二号会议室 | 广州 | 广州市越秀区东风东路723号 2号楼5层 | 30 | room
gdedu | gdedu-1 | 佛山市教育局分会场 | 佛山 | 佛山市禅城区汾江南路38号 | 60 | room
gdedu | gdedu-1 | 深圳市教育局分会场 | 深圳 | 深圳市福田区福中三路市民中心C区 | 150 | room
gdedu | gdedu-1 | 珠海市教育局分会场 | 珠海 | 珠海市香洲区梅华东路362号 | 160 | room
gdedu | gdedu-1 | 汕头市教育局分会场 | 汕头 | 汕头市龙湖区金砂东路103号 | 240 | room
# 四川省人民政府办公厅 — 服务站 成都
scgov | scgov-1 | 省政府机房 | 成都 | 成都市青羊区督院街30号 信息中心1层 | 30 | hub
scgov | scgov-1 | 省政府主会场 | 成都 | 成都市青羊区督院街30号 3号楼2层 | 30 | hub
scgov | scgov-1 | 第一会议室 | 成都 | 成都市青羊区督院街30号 1号楼3层 | 30 | room
scgov | scgov-1 | 第三会议室 | 成都 | 成都市青羊区督院街30号 1号楼4层 | 30 | room
scgov | scgov-1 | 德阳市政府分会场 | 德阳 | 德阳市旌阳区长江西路一段1号 | 70 | room
scgov | scgov-1 | 绵阳市政府分会场 | 绵阳 | 绵阳市涪城区临园路东段76号 | 110 | room
scgov | scgov-1 | 乐山市政府分会场 | 乐山 | 乐山市市中区嘉州大道258号 | 130 | room
scgov | scgov-1 | 南充市政府分会场 | 南充 | 南充市顺庆区涪江路137号 | 180 | room
scgov | scgov-1 | 宜宾市政府分会场 | 宜宾 | 宜宾市叙州区南岸东区长江大道东段67号 | 220 | room
# 武汉大学 — 服务站 武汉
whu | whu-1 | 信息中心机房 | 武汉 | 武汉市武昌区八一路299号 信息中心大楼1层 | 35 | hub
whu | whu-1 | 行政楼主会场 | 武汉 | 武汉市武昌区八一路299号 行政楼2层 | 35 | room
whu | whu-1 | 行政楼一号会议室 | 武汉 | 武汉市武昌区八一路299号 行政楼3层 | 35 | room
whu | whu-1 | 医学部会议室 | 武汉 | 武汉市武昌区东湖路185号 医学部行政楼 | 40 | room
whu | whu-1 | 信息学部会议室 | 武汉 | 武汉市武昌区珞喻路129号 信息学部办公楼 | 40 | room
# 中国电信湖北分公司 — 服务站 武汉
hbtel | hbtel-1 | 省公司机房 | 武汉 | 武汉市武昌区中北路109号 通信枢纽楼4层 | 30 | hub
hbtel | hbtel-1 | 省公司主会场 | 武汉 | 武汉市武昌区中北路109号 综合楼18层 | 30 | room
hbtel | hbtel-2 | 省公司二号会议室 | 武汉 | 武汉市武昌区中北路109号 综合楼16层 | 30 | room
hbtel | hbtel-1 | 黄石分公司会议室 | 黄石 | 黄石市下陆区杭州西路88号 | 100 | room
hbtel | hbtel-2 | 孝感分公司会议室 | 孝感 | 孝感市孝南区城站路56号 | 75 | room
hbtel | hbtel-1 | 宜昌分公司会议室 | 宜昌 | 宜昌市西陵区东山大道95号 | 240 | room
hbtel | hbtel-2 | 襄阳分公司会议室 | 襄阳 | 襄阳市樊城区人民路15号 | 240 | room
# 广州地铁集团 — 服务站 广州
gzmtr | gzmtr-1 | 控制中心机房 | 广州 | 广州市海珠区新港东路1238号万胜广场 A塔5层 | 35 | hub
gzmtr | gzmtr-1 | 总部一号会议室 | 广州 | 广州市海珠区新港东路1238号万胜广场 A塔18层 | 35 | room
gzmtr | gzmtr-1 | 应急指挥中心 | 广州 | 广州市海珠区新港东路1238号万胜广场 A塔6层 | 35 | room
gzmtr | gzmtr-1 | 嘉禾车辆段会议室 | 广州 | 广州市白云区嘉禾街鹤龙一路238号 | 55 | room
gzmtr | gzmtr-1 | 大洲车辆段会议室 | 广州 | 广州市番禺区石壁街大洲村 | 65 | room
# 四川广播电视台 — 服务站 成都
sctv | sctv-1 | 总控机房 | 成都 | 成都市青羊区东胜街1号 技术大楼2层 | 25 | hub
sctv | sctv-1 | 一号演播室 | 成都 | 成都市青羊区东胜街1号 演播楼1层 | 25 | room
sctv | sctv-1 | 新闻演播室 | 成都 | 成都市青羊区东胜街1号 演播楼3层 | 25 | room
sctv | sctv-1 | 台主会议室 | 成都 | 成都市青羊区东胜街1号 行政楼5层 | 25 | room
"""


def _sites(table: str) -> list[tuple[str, str, str, str, str, int, bool]]:
    rows = []
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        org, contract, name, city, address, minutes, kind = (f.strip() for f in line.split("|"))
        rows.append((org, contract, name, city, address, int(minutes), kind == "hub"))
    return rows


SITES = _sites(SITES_TABLE)

# Devices per room: endpoints (codecs and their backups) and other hardware.
ROOM_ENDPOINTS = (4, 9)
ROOM_OTHER = (0, 2)
# A hub holds one MCU, the "other" hardware of its contract and a spare endpoint or two.
HUB_ENDPOINTS = (1, 2)
# Share of devices installed with an older firmware; half of them were upgraded since.
OLDER_FIRMWARE_SHARE = 0.3
# Devices of out-of-warranty contracts taken out of service.
RETIRED_DEVICES = 8

# Demo logins, in the order `seed_demo --logins` prints them. `contact` and `contact2` are
# the first contacts of their organisations.
USERS = [
    {
        "username": "admin",
        "full_name": "系统管理员",
        "role": Role.SERVICE_MANAGER,
        "superuser": True,
    },
    {"username": "manager", "full_name": "刘建国", "role": Role.SERVICE_MANAGER},
    {"username": "duty", "full_name": "王海燕", "role": Role.DUTY_OFFICER},
    {"username": "support", "full_name": "李俊峰", "role": Role.SUPPORT_ENGINEER},
    {"username": "field", "full_name": "陈志强", "role": Role.FIELD_ENGINEER},
    {"username": "spares", "full_name": "赵丽娟", "role": Role.SPARES_KEEPER},
    {"username": "contact", "role": Role.CUSTOMER_CONTACT, "org": "brtv"},
    {"username": "contact2", "role": Role.CUSTOMER_CONTACT, "org": "spdb"},
]
STAFF_MAIL_DOMAIN = "vcdesk.example"
