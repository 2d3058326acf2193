"""Which region a free-text address points to, and which unit handles it.

Tips give places as people write them: "苏州吴中木渎金星村", "相城黄埭镇三埂村东头", "木渎镇和黄埭镇交界处".
Every substring of the address is looked up in an in-memory index of the active region names and
their short forms (江苏省→江苏, 金星村委会→金星村/金星, 延边朝鲜族自治州→延边/延边州, plus each
region's aliases). A region scores by how well it and its ancestors are mentioned, so "苏州吴中…金星村"
picks the 金星村 of 吴中区 over a 金星村 elsewhere. When the address points to two counties, or to
equally good places in different counties, the result is ambiguous: a county picking a border-area
lead for itself would go wrong, so the city office assigns it (交界地区, 程序规定 第10条).
"""

import functools
import re
import threading
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Level, Region, Unit, UnitKind

# Other worker processes pick up region changes (and bulk loads, which send no signals) within this time.
INDEX_MAX_AGE_SECONDS = 3600
# Free-text "places" can be long descriptions; the region names are near the start.
MAX_ADDRESS_LENGTH = 300

FULL, MARKED, BARE = 3, 2, 1  # how strongly a piece of text names a region

# Longest first. The marker is how people shorten the suffix while keeping the kind of place:
# 金星村委会→金星村, 山塘社区居委会→山塘社区, 长桥街道办事处→长桥街道, 大厂回族自治县→大厂县.
_SUFFIXES = {
    Level.PROVINCE: [("特别行政区", ""), ("自治区", ""), ("省", ""), ("市", "")],
    Level.CITY: [("自治州", "州"), ("地区", ""), ("市", ""), ("盟", ""), ("州", "")],
    Level.COUNTY: [
        ("自治县", "县"),
        ("自治旗", "旗"),
        ("林区", ""),
        ("特区", ""),
        ("新区", ""),
        ("区", ""),
        ("县", ""),
        ("市", ""),
        ("旗", ""),
    ],
    Level.TOWNSHIP: [
        ("街道办事处", "街道"),
        ("地区办事处", ""),
        ("办事处", ""),
        ("民族苏木", "苏木"),
        ("民族乡", "乡"),
        ("民族镇", "镇"),
        ("街道", ""),
        ("苏木", ""),
        ("镇", ""),
        ("乡", ""),
    ],
    Level.VILLAGE: [
        ("社区居民委员会", "社区"),
        ("社区居委会", "社区"),
        ("村民委员会", "村"),
        ("居民委员会", "社区"),
        ("嘎查委员会", "嘎查"),
        ("村委会", "村"),
        ("居委会", "社区"),
        ("社区", ""),
        ("嘎查", ""),
        ("村", ""),
    ],
}

# Ethnic names in autonomous places (广西壮族自治区→广西, 双江拉祜族佤族布朗族傣族自治县→双江).
# Names without 族 are the ones written that way in official names (博尔塔拉蒙古自治州, 察布查尔锡伯自治县).
_ETHNIC = re.compile(
    r"(?:(?:蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|"
    r"东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
    r"鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各)族"
    r"|蒙古|维吾尔|哈萨克|柯尔克孜|塔吉克|锡伯|鄂伦春)$"
)

# Names that are ordinary words in an address ("城区", "新区"): only believed next to their county.
_GENERIC_NAMES = {
    "城区",
    "郊区",
    "矿区",
    "市辖区",
    "新区",
    "开发区",
    "高新区",
    "城关镇",
    "城关乡",
    "城关街道",
}

# A name followed by these characters is part of another word: "东台市场" is a market, not 东台市.
_NOT_A_NAME_AFTER = {"市": "场"}
# Streets are named after places everywhere ("常熟路" in Shanghai, "吴中大道"): a short form followed
# by one of these is a street, not the place.
_STREET_AFTER = ("路", "街", "巷", "弄", "大道", "大街")


def _strip_ethnic(stem: str) -> str:
    while True:
        m = _ETHNIC.search(stem)
        if not m:
            return stem
        rest = stem[: m.start()]
        if len(rest) < 2:
            # 东乡族自治县, 鄂温克族自治旗: the ethnic name is the place name.
            return stem[:-1] if stem.endswith("族") and len(stem) >= 3 else stem
        stem = rest


@functools.lru_cache(maxsize=100_000)
def _name_parts(name: str, level: int) -> tuple[str, str, str]:
    """(stem, rest, marker) with name == stem + rest; stem + marker is the usual shortening
    (金星村委会 → 金星, 村委会, 村). The stem is "" when no suffix of the level is recognised."""
    for suffix, marker in _SUFFIXES.get(level, []):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if "自治" in suffix or "民族" in suffix or stem.endswith("族"):
                stripped = _strip_ethnic(stem)
                if stripped != stem:
                    # 孟村回族自治县 is also written 孟村县, 某某回族乡 as 某某乡.
                    marker, stem = marker or suffix, stripped
            return stem, name[len(stem) :], "" if stem + marker == name else marker
    return "", name, ""


def name_forms(name: str, level: int) -> dict[str, int]:
    """The ways an address may name a region, each with its strength (FULL, MARKED or BARE)."""
    name = name.strip()
    stem, _rest, marker = _name_parts(name, level)
    forms = {name: BARE if name in _GENERIC_NAMES else FULL}
    if marker and len(stem + marker) >= 2:
        forms.setdefault(stem + marker, MARKED)
    if len(stem) >= 2:
        forms.setdefault(stem, BARE)
    return forms


def _alias_list(aliases: str) -> list[str]:
    if not aliases:
        return []
    return [a for a in (a.strip() for a in re.split(r"[,，、;；\s]+", aliases)) if len(a) >= 2]


_REST_BITS = 4096  # room for the distinct (rest, marker, strengths) combinations, a few hundred


@dataclass
class _Index:
    # Keyed by stem, so one key serves 金星村委会, 金星村 and 金星 (a third of the memory of one key
    # per form; it matters once the villages are imported). Each entry is one int: code * _REST_BITS
    # + an index into `rests`; one int per key or a tuple of them.
    forms: dict
    # (rest, marker, strength when followed by rest, strength of the key alone)
    rests: list
    # Province, city and county: code -> (level, parent code). Below the county both follow from the
    # code (9 digits: township under code[:6]; 12 digits: village under code[:9]).
    upper: dict
    max_len: int
    built_at: float = field(default_factory=time.monotonic)

    def level(self, code: str) -> int:
        if len(code) == 12:
            return Level.VILLAGE
        if len(code) == 9:
            return Level.TOWNSHIP
        return self.upper.get(code, (Level.COUNTY, None))[0]

    def parent(self, code: str) -> str | None:
        if len(code) == 12:
            return code[:9]
        if len(code) == 9:
            return code[:6]
        return self.upper.get(code, (None, None))[1]

    def chain(self, code: str) -> list[str]:
        """The code and its ancestors, deepest first."""
        out = []
        while code and code not in out:
            out.append(code)
            code = self.parent(code)
        return out


def _build_index() -> _Index:
    forms: dict = {}
    rests: list = []
    rest_ids: dict = {}
    upper = {}

    def add(key: str, code: int, rest: tuple):
        rid = rest_ids.get(rest)
        if rid is None:
            rid = rest_ids[rest] = len(rests)
            rests.append(rest)
        packed = code * _REST_BITS + rid
        existing = forms.get(key)
        if existing is None:
            forms[key] = packed
        elif isinstance(existing, int):
            forms[key] = [existing, packed]
        else:
            existing.append(packed)

    rows = Region.objects.filter(is_active=True).values_list("code", "name", "level", "parent_id", "aliases")
    for code, name, level, parent, aliases in rows.iterator(chunk_size=5000):
        if level <= Level.COUNTY:
            upper[code] = (level, parent)
        number = int(code)
        name = name.strip()
        stem, rest, marker = _name_parts(name, level)
        full = BARE if name in _GENERIC_NAMES else FULL
        if len(stem) >= 2:
            add(stem, number, (rest, marker, full, BARE))
        else:
            add(name, number, ("", "", 0, full))
            if marker and len(stem + marker) >= 2:
                add(stem + marker, number, ("", "", 0, MARKED))
        for alias in _alias_list(aliases):
            add(alias, number, ("", "", 0, FULL))
    if len(rests) > _REST_BITS:
        raise ValueError("too many distinct name suffixes for the address index")
    for key, value in forms.items():
        if isinstance(value, list):
            forms[key] = tuple(value)
    max_len = max((len(k) for k in forms), default=2)
    return _Index(forms=forms, rests=rests, upper=upper, max_len=max_len)


_cache: _Index | None = None
_generation = 0
_build_lock = threading.Lock()
# Per thread, as Django's connections are: set while this thread's connection holds uncommitted region
# changes, which must neither be served from nor leak into the shared index.
_local = threading.local()


def clear_address_index() -> None:
    """Forget the index; the next call rebuilds it. Call after bulk changes, which send no signals."""
    global _cache, _generation
    _generation += 1
    _cache = None


def _fresh(index: _Index | None) -> bool:
    return index is not None and time.monotonic() - index.built_at < INDEX_MAX_AGE_SECONDS


def _index() -> _Index:
    global _cache
    if getattr(_local, "dirty", False):
        if transaction.get_connection().in_atomic_block:
            # Also what keeps tests deterministic: each test's regions live in a rolled-back transaction.
            return _build_index()
        _local.dirty = False
        clear_address_index()
    cached = _cache
    if _fresh(cached):
        return cached
    # Merely old (not cleared): one thread rebuilds while the others go on with the old index,
    # so a rebuild of the full village tree (seconds) does not stall every request.
    if cached is not None and not _build_lock.acquire(blocking=False):
        return cached
    if cached is None:
        _build_lock.acquire()
    try:
        current = _cache
        if not _fresh(current):
            generation = _generation
            current = _build_index()
            # A change that arrived during the build must not be hidden behind this index.
            if generation == _generation:
                _cache = current
        return current
    finally:
        _build_lock.release()


def _region_changed(sender, **kwargs):
    if transaction.get_connection().in_atomic_block:
        _local.dirty = True
        transaction.on_commit(clear_address_index)
    clear_address_index()


post_save.connect(_region_changed, sender=Region, dispatch_uid="address_index_region_saved")
post_delete.connect(_region_changed, sender=Region, dispatch_uid="address_index_region_deleted")


@dataclass
class Resolution:
    region: Region | None = None
    level: int | None = None
    matched: list = field(default_factory=list)  # [(Region, matched text)], province → village
    ambiguous: bool = False
    candidates: list = field(default_factory=list)  # [Region] when ambiguous
    explanation: str = ""


@dataclass
class _Hit:
    strength: int
    start: int
    end: int
    text: str
    unique: bool  # the stem names only this region

    def overlaps(self, spans) -> bool:
        return any(self.start < e and s < self.end for s, e in spans)


def _ends_inside_a_word(text: str, end: int) -> bool:
    return end < len(text) and _NOT_A_NAME_AFTER.get(text[end - 1]) == text[end]


def _scan(text: str, index: _Index) -> dict[str, _Hit]:
    """Every region named somewhere in the text, with its best mention."""
    hits: dict[str, _Hit] = {}
    n = len(text)
    for i in range(n - 1):
        for j in range(i + 2, min(n, i + index.max_len) + 1):
            entries = index.forms.get(text[i:j])
            if entries is None:
                continue
            entries = (entries,) if isinstance(entries, int) else entries
            for packed in entries:
                number, rid = divmod(packed, _REST_BITS)
                rest, marker, full, alone = index.rests[rid]
                if rest and text.startswith(rest, j) and not _ends_inside_a_word(text, j + len(rest)):
                    strength, end = full, j + len(rest)
                elif marker and text.startswith(marker, j) and not _ends_inside_a_word(text, j + len(marker)):
                    strength, end = MARKED, j + len(marker)
                elif alone and not _ends_inside_a_word(text, j):
                    if alone == BARE and text.startswith(_STREET_AFTER, j):
                        continue
                    strength, end = alone, j
                else:
                    continue
                code = str(number)
                prev = hits.get(code)
                if prev is None or (strength, end - i) > (prev.strength, prev.end - prev.start):
                    hits[code] = _Hit(strength, i, end, text[i:end], unique=len(entries) == 1)
    return hits


@dataclass
class _Scored:
    code: str
    score: int
    mentioned: list  # codes of the chain that the text names, deepest first
    spans: list


def _score(code: str, hits: dict[str, _Hit], index: _Index) -> _Scored:
    score, mentioned, spans = 0, [], []
    for node in index.chain(code):
        hit = hits.get(node)
        # A piece of text counts once: "江宁街道" must not also count as 江宁区 for itself.
        if hit is not None and not hit.overlaps(spans):
            score += hit.strength
            mentioned.append(node)
            spans.append((hit.start, hit.end))
    return _Scored(code, score, mentioned, spans)


def _believable(s: _Scored, hits: dict[str, _Hit], index: _Index) -> bool:
    """A bare short form of a township or village ("金星", "新村") is an everyday word unless an
    ancestor is named too; names of counties and above are few enough to take alone ("常熟")."""
    hit = hits[s.code]
    level = index.level(s.code)
    if hit.strength >= MARKED or level <= Level.COUNTY or len(s.mentioned) >= 2:
        return True
    return level == Level.TOWNSHIP and hit.unique and hit.text not in _GENERIC_NAMES


def _county(code: str, index: _Index) -> str | None:
    for node in index.chain(code):
        if index.level(node) == Level.COUNTY:
            return node
    return None


def _normalize(text: str) -> str:
    return re.sub(r"\s+", "", text or "")[:MAX_ADDRESS_LENGTH]


def resolve_address(text: str) -> Resolution:
    """The deepest region the address names, or an ambiguous result with its candidates."""
    for _ in range(2):
        index = _index()
        result = _resolve(_normalize(text), index)
        if result is not None:
            return result
        # The index named a region the database no longer has (deleted by a bulk change or
        # another process): rebuild once.
        clear_address_index()
    return Resolution(explanation=_UNRESOLVED)


_UNRESOLVED = "未能识别地址所在地区，将由市级统一分派"


def _resolve(text: str, index: _Index) -> Resolution | None:
    hits = _scan(text, index)
    scored = {code: _score(code, hits, index) for code in hits}
    believable = [s for s in scored.values() if _believable(s, hits, index)]
    if not believable:
        return Resolution(explanation=_UNRESOLVED)
    best = max(s.score for s in believable)
    top = [s for s in believable if s.score == best]
    in_chains = {node for s in top for node in index.chain(s.code)[1:]}
    top = [s for s in top if s.code not in in_chains]

    ambiguous = len({_county(s.code, index) or s.code for s in top}) > 1
    candidates = list(top)
    if not ambiguous and len(top) == 1:
        # Another county named clearly by text the winner did not use: "木渎镇…与黄埭镇交界".
        winner = top[0]
        home = _county(winner.code, index)
        counties_by_span: dict = {}
        for s in believable:
            hit = hits[s.code]
            if index.level(s.code) < Level.COUNTY or hit.overlaps(winner.spans):
                continue
            if hit.strength < MARKED and len(s.mentioned) < 2:
                continue
            # A lone village name is too often incidental ("原来住在李庄村"); a county or town is not.
            if index.level(s.code) == Level.VILLAGE and len(s.mentioned) < 2:
                continue
            counties_by_span.setdefault((hit.start, hit.end), []).append(s)
        for group in counties_by_span.values():
            counties = {_county(s.code, index) for s in group}
            if len(counties) == 1 and home is not None and counties != {home}:
                ambiguous = True
                candidates.append(max(group, key=lambda s: (s.score, index.level(s.code))))

    # Best first, then by code, so that candidates[0] is stable.
    candidates.sort(key=lambda s: (-s.score, s.code))
    codes = {node for s in candidates for node in s.mentioned} | {s.code for s in candidates}
    common = _common_ancestor([s.code for s in candidates], index)
    if common:
        codes.add(common)
    for s in candidates:
        county = _county(s.code, index)
        if county:
            codes.add(county)
    regions = Region.objects.in_bulk(list(codes))
    if len(regions) < len(codes):
        return None

    matched_codes = sorted({n for s in candidates for n in s.mentioned}, key=lambda c: (index.level(c), c))
    matched = [(regions[c], hits[c].text) for c in matched_codes]
    if ambiguous:
        region = regions[common] if common else None
        return Resolution(
            region=region,
            level=region.level if region else None,
            matched=matched,
            ambiguous=True,
            candidates=[regions[s.code] for s in candidates],
            explanation=_ambiguous_explanation(candidates, hits, regions, region, index),
        )
    if len(candidates) == 1:
        region = regions[candidates[0].code]
    else:
        # Equally good places within one county (two 新村 in one town): as deep as they agree.
        region = regions[common]
    note = "，未能确定区县" if region.level < Level.COUNTY else ""
    return Resolution(
        region=region,
        level=region.level,
        matched=matched,
        candidates=[regions[s.code] for s in candidates] if len(candidates) > 1 else [],
        explanation=f"识别为：{region.full_name or region.name}{note}",
    )


def _common_ancestor(codes: list[str], index: _Index) -> str | None:
    chains = [index.chain(c)[::-1] for c in codes]  # province first
    common = None
    for nodes in zip(*chains, strict=False):
        if len(set(nodes)) != 1:
            break
        common = nodes[0]
    return common


def _ambiguous_explanation(candidates, hits, regions, common, index) -> str:
    def label(s):
        place = regions.get(_county(s.code, index) or s.code)
        full = place.full_name or place.name
        # Drop the shared part: "吴中区" rather than "江苏省苏州市吴中区" when both are in 苏州市.
        if common is not None and full.startswith(common.full_name) and full != common.full_name:
            return full[len(common.full_name) :]
        return full

    labels = list(dict.fromkeys(label(s) for s in candidates))
    if len(labels) == 2:
        places = "和".join(labels)
    else:  # a common village name can exist in hundreds of places
        places = "、".join(labels[:3]) + (f"等{len(labels)}处" if len(labels) > 3 else "")
    if common is not None and common.level <= Level.CITY:
        # A municipality (北京市) is a province whose districts are assigned like a city's counties.
        city_like = common.level == Level.CITY or common.kind == "直辖市"
        after = "将由市级统一分派" if city_like else "将由上级统一分派"
    else:
        after = "需人工确认管辖地区"
    texts = {hits[s.code].text for s in candidates}
    if len(texts) == 1:
        return f"“{texts.pop()}”在{places}均有，无法确定，{after}"
    return f"地址同时涉及{places}，无法确定，{after}"


_JURISDICTION_KINDS = (UnitKind.SUPERVISION_INSTITUTE, UnitKind.HEALTH_COMMISSION)


def _first_unit(chain: list[Region], kinds) -> Unit | None:
    units = Unit.objects.filter(region__in=chain, kind__in=kinds, is_active=True).order_by("pk")
    by_place = {}
    for unit in units:
        by_place.setdefault((unit.region_id, unit.kind), unit)
    for region in reversed(chain):  # deepest first
        for kind in kinds:
            if (region.code, kind) in by_place:
                return by_place[(region.code, kind)]
    return None


def jurisdiction_unit(region: Region | None) -> Unit | None:
    """The unit that handles a place: its county's 卫生监督所/执法支队, else the county's 卫生健康委/局,
    else the same at the city, then the province (townships have no enforcement powers)."""
    if region is None:
        return None
    chain = [r for r in region.ancestors() if r.level <= Level.COUNTY]
    return _first_unit(chain, _JURISDICTION_KINDS)


def city_office_unit(region: Region | None) -> Unit | None:
    """The city-level office that assigns border-area and unresolvable leads: the city's 卫生健康委
    (which designates jurisdiction in a dispute, 程序规定 第10条), else its 卫生监督所; a municipality's
    districts sit directly under the province, which then acts as the city; failing both, the province."""
    if region is None:
        return None
    chain = [r for r in region.ancestors() if r.level <= Level.CITY]
    return _first_unit(chain, (UnitKind.HEALTH_COMMISSION, UnitKind.SUPERVISION_INSTITUTE))
