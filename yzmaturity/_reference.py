"""Reference data from national standards (see docs/concepts and ../shared/DOMAIN.md section 4).

Kept as plain constants with their sources: these are statistical rules and
code tables, not policy.  Policy (who is eligible for what) lives in the YAML
catalogs under ``questionnaires/policies``.
"""

from __future__ import annotations

__all__ = [
    "ABOVE_DESIGNATED_SIZE_REVENUE",
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_WEIGHTS",
    "EQUIPMENT_DIVISIONS",
    "JIANGSU_CITIES",
    "JIANGSU_DIVISION_PREFIX",
    "MANUFACTURING_DIVISIONS",
    "SECTION_OF_DIVISION",
    "SIZE_CLASSES_INDUSTRY",
    "SIZE_CLASS_NAMES",
    "YANGZHOU_AREAS",
    "YANGZHOU_AREAS_EN",
    "YANGZHOU_DIVISIONS",
    "YANGZHOU_DIVISION_PREFIX",
]

# GB 32100-2015 unified social credit code: 31 symbols, no I, O, S, V, Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# NBS 2017 enterprise size classes for industry (统计上大中小微型企业划分办法(2017)).
# (class, min employees, min revenue in yuan); both lower bounds must hold.
SIZE_CLASSES_INDUSTRY: tuple[tuple[str, int, float], ...] = (
    ("large", 1000, 400_000_000.0),
    ("medium", 300, 20_000_000.0),
    ("small", 20, 3_000_000.0),
)
SIZE_CLASS_NAMES = {
    "large": ("大型", "large"),
    "medium": ("中型", "medium"),
    "small": ("小型", "small"),
    "micro": ("微型", "micro"),
}

# 规模以上工业企业: annual main-business revenue of 20 million yuan or more (NBS, since 2011).
ABOVE_DESIGNATED_SIZE_REVENUE = 20_000_000.0

# GB/T 4754-2017: manufacturing is section C, divisions 13-43; equipment
# manufacturing divisions 33-40; software and IT services division 65.
MANUFACTURING_DIVISIONS = range(13, 44)
EQUIPMENT_DIVISIONS = range(33, 41)
SECTION_OF_DIVISION: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50),
    ("F", 51, 52), ("G", 53, 60), ("H", 61, 62), ("I", 63, 65), ("J", 66, 69),
    ("K", 70, 70), ("L", 71, 72), ("M", 73, 75), ("N", 76, 79), ("O", 80, 82),
    ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90), ("S", 91, 96), ("T", 97, 97),
)  # fmt: skip

# Yangzhou's county-level areas and main functional zones (any other text is accepted too).
YANGZHOU_AREAS = (
    "广陵区", "邗江区", "江都区", "仪征市", "高邮市", "宝应县",
    "扬州经济技术开发区", "生态科技新城", "蜀冈—瘦西湖风景名胜区",
)  # fmt: skip
YANGZHOU_AREAS_EN = {
    "guangling": "广陵区", "hanjiang": "邗江区", "jiangdu": "江都区", "yizheng": "仪征市",
    "gaoyou": "高邮市", "baoying": "宝应县",
}  # fmt: skip
# GB/T 2260 administrative division code of Yangzhou city: 3210xx.
YANGZHOU_DIVISION_PREFIX = "3210"
# Its county-level divisions (GB/T 2260 codes, as in the Ministry of Civil Affairs' list of
# administrative division codes, www.mca.gov.cn/article/sj/xzqh/; 维扬区 321011 was merged into
# 邗江区 in 2011). Characters 3-8 of a unified social credit code (GB 32100-2015) hold this code.
YANGZHOU_DIVISIONS = {
    "321002": "广陵区", "321003": "邗江区", "321012": "江都区",
    "321023": "宝应县", "321081": "仪征市", "321084": "高邮市",
}  # fmt: skip

# The 13 prefecture-level cities of Jiangsu; GB/T 2260 province code 32.
JIANGSU_CITIES = (
    "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁",
)  # fmt: skip
JIANGSU_DIVISION_PREFIX = "32"
