"""Agency names matched to a provincial directory, or proposed as new directory entries.

A plan writes an agency as it pleases ("Sở TT&TT", "Sở Thông tin và Truyền thông", "UBND
các xã, phường"); the directory holds one entry per body and one group per set of bodies.
A name matches when its comparison key is close enough to an entry's name or short name;
otherwise the closest entries are listed and a person decides. Nothing is invented.
"""

import re

from rapidfuzz import fuzz, process

from domain.planimport.names import ascii_fold, name_key
from domain.planimport.text import UPPER
from schemas.plan import AgencyDirectory
from schemas.plan_draft import AgencyKindGuess, AgencyMatch, Candidate, ProposedAgency

ACCEPT = 90.0
CANDIDATES = 3

# Bodies merged on 1 March 2025: a plan of either side names the other's successor.
_SUCCESSORS = (
    ("thông tin và truyền thông", "khoa học và công nghệ"),
    ("tài nguyên và môi trường", "nông nghiệp và môi trường"),
    ("nông nghiệp và phát triển nông thôn", "nông nghiệp và môi trường"),
    ("kế hoạch và đầu tư", "tài chính"),
    ("lao động thương binh và xã hội", "nội vụ"),
    ("giao thông vận tải", "xây dựng"),
)


def _entries(directory: AgencyDirectory) -> dict[str, tuple[str, str]]:
    """Comparison key → (code, name) for every name and short name in the directory."""
    entries: dict[str, tuple[str, str]] = {}
    province = name_key(directory.province)
    for agency in directory.agencies:
        for name in (agency.name, agency.short_name):
            if name:
                for key in _variants(name_key(name), province):
                    entries.setdefault(key, (agency.code, agency.name))
    for group in directory.groups:
        for key in _variants(name_key(group.name), province):
            entries.setdefault(key, (group.code, group.name))
    return entries


def _variants(key: str, province: str) -> list[str]:
    """A directory name as plans shorten it: without the province ("Sở Y tế tỉnh Gia Lai"
    → "sở y tế tỉnh", "sở y tế") or its "của tỉnh" ("Các sở, ban, ngành của tỉnh")."""
    variants = [key]
    for suffix in (f" tỉnh {province}", f" {province}", " của tỉnh", " thuộc tỉnh"):
        if key.endswith(suffix):
            variants.append(key.removesuffix(suffix).strip())
    if key.endswith(f" tỉnh {province}"):
        variants.append(key.removesuffix(f" {province}"))
    return variants


_SPLIT = re.compile(rf"\s*[;,]\s*(?=[{UPPER}])|\s+và\s+(?=(?:các\s+)?[{UPPER}])")


def match_agency(name: str, directory: AgencyDirectory) -> tuple[AgencyMatch, float]:
    """The directory entry `name` is, with a confidence; or the entries of the several
    bodies it lists ("Báo Gia Lai, Đài Phát thanh – Truyền hình Gia Lai"); or the closest
    candidates."""
    single, confidence = _match_one(name, directory)
    if single.code is not None:
        return single, confidence
    parts = [p for p in _SPLIT.split(name) if p.strip()]
    if len(parts) > 1:
        matched = [_match_one(part, directory) for part in parts]
        if all(m.code is not None for m, _ in matched):
            members = [m.code for m, _ in matched if m.code is not None]
            return AgencyMatch(code=None, members=members, candidates=single.candidates), min(
                score for _, score in matched
            )
    return single, confidence


def _match_one(name: str, directory: AgencyDirectory) -> tuple[AgencyMatch, float]:
    """The one directory entry `name` is, or the closest candidates."""
    entries = _entries(directory)
    key = name_key(name)
    # Old and new names both ways: a 2025 plan against an older directory, or the reverse.
    keys = [
        key,
        *(key.replace(old, new) for old, new in _SUCCESSORS if old in key),
        *(key.replace(new, old) for old, new in _SUCCESSORS if new in key),
    ]
    best: list[tuple[str, float, object]] = []
    for index, variant in enumerate(keys):
        for choice, score, _ in process.extract(
            variant, list(entries), scorer=fuzz.ratio, limit=CANDIDATES
        ):
            # A renamed body is a candidate, never a match: a merger has several predecessors.
            best.append((choice, score - (15.0 if index else 0.0), None))
    best.sort(key=lambda item: -item[1])
    seen: dict[str, Candidate] = {}
    for choice, score, _ in best:
        code, full = entries[choice]
        if code not in seen:
            seen[code] = Candidate(code=code, name=full, score=round(score, 1))
    candidates = list(seen.values())[:CANDIDATES]
    if candidates and candidates[0].score >= ACCEPT:
        return AgencyMatch(code=candidates[0].code, candidates=candidates), candidates[
            0
        ].score / 100
    return AgencyMatch(code=None, candidates=candidates), 0.3


_BODY = r"(sở|ủy ban|ubnd|ban|báo|đài|công an|bộ chỉ huy|cổng|liên đoàn|hội|viện|tòa án)"
_KINDS: tuple[tuple[str, AgencyKindGuess], ...] = (
    # a class of bodies, or several bodies named together
    (rf"^(các|những|mọi|tất cả)\b|[,;] {_BODY}\b| và các\b", "nhom"),
    (r"^(ủy ban nhân dân|ubnd) (tỉnh|thành phố)$", "ubnd_tinh"),
    (r"^văn phòng (hội đồng nhân dân |hđnd )?(và )?(ủy ban nhân dân|ubnd)", "van_phong_ubnd"),
    (r"^sở\b", "so"),
    (r"^ban quản lý", "ban_quan_ly"),
    (r"^(ủy ban nhân dân|ubnd) (các )?(xã|phường|đặc khu|thị trấn)", "ubnd_xa"),
    (r"^(ủy ban nhân dân|ubnd) (các )?(huyện|thị xã|quận)", "ubnd_huyen"),
    (rf" và {_BODY}\b", "nhom"),
    (r"mặt trận|đoàn|hội|liên đoàn|liên minh", "mat_tran_doan_the"),
    (r"tỉnh ủy|thành ủy|đảng", "co_quan_dang"),
    (r"công an|quân sự|biên phòng|bộ tư lệnh", "luc_luong_vu_trang"),
    (r"^báo|phát thanh|truyền hình|đài", "co_quan_bao_chi"),
    (
        r"khu vực|kho bạc|ngân hàng nhà nước|thuế|hải quan|kiểm toán|viện kiểm sát|tòa án",
        "co_quan_trung_uong",
    ),
    (r"công ty|doanh nghiệp|tập đoàn|điện lực", "doanh_nghiep"),
)


def propose_agency(name: str, taken: set[str]) -> ProposedAgency:
    """A directory entry for a province with no directory: kind, name, short code."""
    key = name_key(name)
    kind: AgencyKindGuess = "co_quan_chuyen_mon"
    for pattern, guess in _KINDS:
        if re.search(pattern, key):
            kind = guess
            break
    words = [w for w in ascii_fold(key).upper().split() if w not in {"VA", "CAC", "CUA"}]
    if kind == "so" and len(words) > 1:
        code = "S" + "".join(w[0] for w in words[1:])
    else:
        code = "_".join(words[:3]) if len(words) <= 3 else "".join(w[0] for w in words[:12])
    code = re.sub(r"[^A-Z0-9_]", "", code) or "CQ"
    if not code[0].isalpha():
        code = "CQ_" + code
    code = code[:36]
    unique, n = code, 2
    while unique in taken:
        unique, n = f"{code}_{n}", n + 1
    taken.add(unique)
    return ProposedAgency(code=unique if len(unique) >= 2 else unique + "_X", name=name, kind=kind)
