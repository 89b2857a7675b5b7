"""How far apart cities are: coordinates of Chinese cities and the great-circle distance.

"Nearest warehouse" (R4.2) needs only an order, so straight-line distance between city
centres is enough; a city missing here is treated as far from everything but itself.
"""

from math import asin, cos, radians, sin, sqrt

# (latitude, longitude) of city centres.
CITY_COORDINATES: dict[str, tuple[float, float]] = {
    "北京": (39.904, 116.407),
    "天津": (39.084, 117.201),
    "石家庄": (38.042, 114.514),
    "太原": (37.870, 112.549),
    "呼和浩特": (40.842, 111.749),
    "沈阳": (41.806, 123.431),
    "大连": (38.914, 121.615),
    "长春": (43.817, 125.324),
    "哈尔滨": (45.803, 126.535),
    "上海": (31.230, 121.474),
    "南京": (32.060, 118.797),
    "苏州": (31.299, 120.585),
    "杭州": (30.274, 120.155),
    "宁波": (29.868, 121.544),
    "合肥": (31.821, 117.227),
    "福州": (26.075, 119.296),
    "厦门": (24.480, 118.089),
    "南昌": (28.683, 115.858),
    "济南": (36.651, 117.120),
    "青岛": (36.067, 120.383),
    "郑州": (34.747, 113.625),
    "武汉": (30.593, 114.305),
    "宜昌": (30.692, 111.286),
    "襄阳": (32.009, 112.122),
    "长沙": (28.228, 112.939),
    "广州": (23.129, 113.264),
    "深圳": (22.543, 114.058),
    "汕头": (23.354, 116.682),
    "南宁": (22.817, 108.366),
    "海口": (20.044, 110.199),
    "重庆": (29.563, 106.551),
    "成都": (30.573, 104.066),
    "绵阳": (31.468, 104.679),
    "宜宾": (28.752, 104.643),
    "贵阳": (26.647, 106.630),
    "昆明": (24.880, 102.833),
    "拉萨": (29.652, 91.172),
    "西安": (34.341, 108.940),
    "兰州": (36.061, 103.834),
    "西宁": (36.617, 101.778),
    "银川": (38.487, 106.231),
    "乌鲁木齐": (43.825, 87.617),
}

FAR = 1_000_000.0  # km: an unknown city is farther than any known one


def distance_km(city_a: str, city_b: str) -> float:
    """Great-circle distance between two city centres; 0 for the same city."""
    a, b = city_a.strip().removesuffix("市"), city_b.strip().removesuffix("市")
    if a == b:
        return 0.0
    if a not in CITY_COORDINATES or b not in CITY_COORDINATES:
        return FAR
    (lat1, lon1), (lat2, lon2) = CITY_COORDINATES[a], CITY_COORDINATES[b]
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    h = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))
