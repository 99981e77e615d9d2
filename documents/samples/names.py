"""Common Chinese name characters with their pinyin, for sample people and shop names.

Limited to frequent characters on purpose: sample documents should contain the
text real documents contain, and the pinyin table lets bank cards print the
holder's romanised name consistently.
"""
from __future__ import annotations

SURNAMES: dict[str, str] = {
    "王": "WANG", "李": "LI", "张": "ZHANG", "刘": "LIU", "陈": "CHEN", "杨": "YANG",
    "黄": "HUANG", "赵": "ZHAO", "吴": "WU", "周": "ZHOU", "徐": "XU", "孙": "SUN",
    "马": "MA", "朱": "ZHU", "胡": "HU", "郭": "GUO", "何": "HE", "林": "LIN",
    "罗": "LUO", "高": "GAO", "梁": "LIANG", "郑": "ZHENG", "谢": "XIE", "宋": "SONG",
    "唐": "TANG", "许": "XU", "邓": "DENG", "冯": "FENG", "韩": "HAN", "曹": "CAO",
}

MALE_GIVEN: dict[str, str] = {
    "伟": "WEI", "强": "QIANG", "峰": "FENG", "军": "JUN", "勇": "YONG", "杰": "JIE",
    "涛": "TAO", "明": "MING", "超": "CHAO", "刚": "GANG", "建": "JIAN", "国": "GUO",
    "辉": "HUI", "海": "HAI", "昌": "CHANG", "良": "LIANG", "志": "ZHI", "鹏": "PENG",
    "飞": "FEI", "斌": "BIN", "永": "YONG", "成": "CHENG", "德": "DE", "金": "JIN",
}

FEMALE_GIVEN: dict[str, str] = {
    "芳": "FANG", "娜": "NA", "敏": "MIN", "静": "JING", "丽": "LI", "艳": "YAN",
    "娟": "JUAN", "秀": "XIU", "霞": "XIA", "桂": "GUI", "英": "YING", "玲": "LING",
    "红": "HONG", "燕": "YAN", "春": "CHUN", "梅": "MEI", "兰": "LAN", "婷": "TING",
}

NEUTRAL_GIVEN: dict[str, str] = {
    "华": "HUA", "文": "WEN", "平": "PING", "林": "LIN", "晓": "XIAO", "云": "YUN",
    "宇": "YU", "新": "XIN", "玉": "YU", "佳": "JIA",
}

# Roughly the national proportions: most people are Han.
ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("汉", 90), ("壮", 2), ("回", 2), ("满", 1), ("苗", 1), ("土家", 1), ("彝", 1), ("蒙古", 1), ("藏", 1),
)

SHOP_BRANDS: tuple[str, ...] = (
    "金源", "福满", "佳和", "盛达", "永兴", "金福", "惠民", "万家", "新华", "利民", "顺发", "嘉禾",
)
SHOP_TRADES: tuple[str, ...] = (
    "小吃店", "便利店", "水果店", "五金店", "理发店", "餐饮店", "副食店", "服装店", "烟酒商行", "手机店",
)
COMPANY_TRADES: tuple[str, ...] = ("贸易", "商贸", "餐饮管理", "科技", "电子", "食品")

PINYIN: dict[str, str] = {**SURNAMES, **MALE_GIVEN, **FEMALE_GIVEN, **NEUTRAL_GIVEN}


def pinyin_of(name: str) -> str:
    """Bank-card style romanisation: surname, space, given name run together (王昌良 → WANG CHANGLIANG)."""
    surname, given = name[0], name[1:]
    return f"{PINYIN[surname]} {''.join(PINYIN[c] for c in given)}"
