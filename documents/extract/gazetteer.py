"""Repair misread administrative-division names (省/市/区/县) at the start of addresses and names.

The fast chi_sim model misreads rarer characters of place names (岳麓区 → 岳苯区). Division
names form a closed list — GB/T 2260, shipped with python-stdnum as `stdnum/cn/loc.dat` — so a
name one character away from exactly one real division, in the right place of the
province → prefecture → county chain, is corrected. Street names are an open set and are left alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_HISTORY = re.compile(r"\[[^\]]*\]")
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"}


@dataclass
class Division:
    name: str
    children: list[Division] = field(default_factory=list)


def correct_admin_prefix(text: str) -> tuple[str, bool]:
    """(text with its leading division names repaired, whether anything changed)."""
    provinces = _divisions()
    position, changed = 0, False
    level: list[Division] = provinces
    # Province, then prefecture, then county; any level may be left out (北京市朝阳区, 台山市…).
    for _ in range(3):
        # Exact names anywhere below win over a near miss at this level (南京市 is not a misread 北京市).
        below = _descendants(level)
        hit = (_match_at(text, position, level, exact_only=True) or _match_at(text, position, below, exact_only=True)
               or _match_at(text, position, level) or _match_at(text, position, below))
        if hit is None:
            break
        division, matched = hit
        if matched != division.name:
            text = text[:position] + division.name + text[position + len(matched):]
            changed = True
        position += len(division.name)
        level = division.children
        if not level:
            break
    return text, changed


def _match_at(
    text: str, position: int, candidates: list[Division], exact_only: bool = False,
) -> tuple[Division, str] | None:
    exact = [d for d in candidates if text.startswith(d.name, position)]
    if exact:
        best = max(exact, key=lambda d: len(d.name))
        return best, best.name
    if exact_only:
        return None
    near = []
    for division in candidates:
        name = division.name
        window = text[position:position + len(name)]
        # One substitution, three characters or more, same suffix (区/县/市/省): a misread, not another place.
        if len(name) >= 3 and len(window) == len(name) and window[-1] == name[-1]:
            if sum(a != b for a, b in zip(window, name)) == 1:
                near.append(division)
    if len({d.name for d in near}) == 1:
        return near[0], text[position:position + len(near[0].name)]
    return None


def _descendants(level: list[Division]) -> list[Division]:
    return [child for division in level for child in division.children]


@lru_cache(maxsize=1)
def _divisions() -> list[Division]:
    """Province → prefecture → county tree with the current name of each division."""
    provinces: list[Division] = []
    province: Division | None = None
    prefecture: Division | None = None
    source = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    for raw in source.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        code, _, attributes = raw.strip().partition(" ")
        name = _current_name(attributes)
        if not raw.startswith(" "):
            province = Division(name)
            provinces.append(province)
            prefecture = None
            continue
        if province is None or code == "0000":
            continue
        placeholder = not name or name in _PLACEHOLDERS
        if code.endswith("00"):
            # Counties under a placeholder prefecture (a municipality's 市辖区) belong to the province.
            prefecture = None if placeholder else Division(name)
            if prefecture is not None:
                province.children.append(prefecture)
        elif not placeholder:
            (prefecture or province).children.append(Division(name))
    return provinces


def _current_name(attributes: str) -> str:
    match = re.search(r'(?:province|county)="([^"]*)"', attributes)
    if not match:
        return ""
    names = [n.strip() for n in match.group(1).split(",") if n.strip()]
    latest = names[-1] if names else ""
    if re.match(r"\[\d*-\d{4}\]", latest):
        return ""  # its last name has an end year: the division no longer exists
    return _HISTORY.sub("", latest).strip()


_STRAY_STROKES = "一-—–_"


def correct_authority(text: str) -> tuple[str, bool]:
    """Repair a police authority name, {prefecture}公安局{county}分局, against that prefecture's counties."""
    match = re.fullmatch(r"(.+?)公安局(.+?)分局", text)
    if match is None:
        return correct_admin_prefix(text)
    city, changed = correct_admin_prefix(match.group(1))
    stem = match.group(2)
    prefectures = [p for p in _descendants(_divisions()) + _divisions() if p.name == city]
    if not prefectures and city[:1] in _STRAY_STROKES:  # the card's edge or a rule read as 一 before the name
        return correct_authority(text[1:])[0], True
    counties = [c.name for p in prefectures for c in p.children]
    forms = {form for name in counties for form in (name, name[:-1]) if len(form) >= 2}
    if stem not in forms:
        near = {form for form in forms
                if len(form) == len(stem) and sum(a != b for a, b in zip(form, stem)) == 1}
        if len(near) == 1:
            stem, changed = near.pop(), True
    return f"{city}公安局{stem}分局", changed


# After a city's name without its 市 (郑州高新区…): a district of that city, or a zone ending in 区 soon after.
_ZONE = re.compile(r"[\u4e00-\u9fff]{1,10}?区")


def starts_with_division(text: str) -> bool:
    """Whether `text` starts with the exact name of a province, prefecture or county (北京市…, 莱西市…), or with
    a prefecture-level city's name written without 市 followed by one of its districts or a zone (郑州高新区…,
    as licences print it)."""
    if _match_at(text, 0, _all_divisions(), exact_only=True) is not None:
        return True
    for city in _cities_by_short_name().get(text[:2], ()):
        short = city.name[:-1]
        rest = text[len(short):]
        if text.startswith(short) and (_match_at(rest, 0, city.children, exact_only=True) or _ZONE.match(rest)):
            return True
    return False


@lru_cache(maxsize=1)
def _cities_by_short_name() -> dict[str, list[Division]]:
    """Municipalities and prefecture-level cities (a name ending in 市, two characters or more before it) by
    their first two characters."""
    cities: dict[str, list[Division]] = {}
    for division in _divisions() + _descendants(_divisions()):
        if division.name.endswith("市") and len(division.name) >= 3 and division.children:
            cities.setdefault(division.name[:2], []).append(division)
    return cities


@lru_cache(maxsize=1)
def _all_divisions() -> list[Division]:
    provinces = _divisions()
    prefectures = _descendants(provinces)
    return provinces + prefectures + _descendants(prefectures)
