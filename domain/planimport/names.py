"""How agency names are compared: one spelling for the several a plan may use.

Vietnamese has two tone-mark placements in use ("Ủy"/"Uỷ", "hóa"/"hoá"), plans abbreviate
freely ("UBND", "Sở TT&TT", "MTTQ") and a name may carry a leading "Đề nghị" (a request to a
body the issuer does not command). Two names are the same agency when their keys agree.
"""

import re
import unicodedata

# Old-style tone placement (on the second vowel of oa/oe/uy) → the placement of the
# Ministry's 2018 table, which most current documents use.
_TONES = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_ABBREVIATIONS = (
    (r"\bubnd\b", "ủy ban nhân dân"),
    (r"\bhđnd\b", "hội đồng nhân dân"),
    (r"\bub\s*mttq\s*vn\b|\bubmttqvn\b", "ủy ban mặt trận tổ quốc việt nam"),
    (r"\bub\s*mttq\b|\bubmttq\b", "ủy ban mặt trận tổ quốc"),
    (r"\bmttq\s*vn\b", "mặt trận tổ quốc việt nam"),
    (r"\bmttq\b", "mặt trận tổ quốc"),
    (r"\btt\s*&\s*tt\b|\btttt\b", "thông tin và truyền thông"),
    (r"\bkh\s*&\s*cn\b|\bkhcn\b", "khoa học và công nghệ"),
    (r"\bkh\s*&\s*đt\b|\bkhđt\b", "kế hoạch và đầu tư"),
    (r"\bgd\s*&\s*đt\b|\bgdđt\b", "giáo dục và đào tạo"),
    (r"\bnn\s*&\s*mt\b|\bnnmt\b", "nông nghiệp và môi trường"),
    (r"\bnn\s*&\s*ptnt\b|\bnnptnt\b", "nông nghiệp và phát triển nông thôn"),
    (r"\btn\s*&\s*mt\b|\btnmt\b", "tài nguyên và môi trường"),
    (r"\blđtb\s*&\s*xh\b|\blđtbxh\b", "lao động thương binh và xã hội"),
    (r"\bvhttdl\b|\bvh\s*,\s*tt\s*&\s*dl\b", "văn hóa thể thao và du lịch"),
    (r"\bgtvt\b", "giao thông vận tải"),
    (r"\bbchqs\b|\bbch\s*qs\b", "bộ chỉ huy quân sự"),
    (r"\bbđbp\b", "bộ đội biên phòng"),
    (r"\bvp\b", "văn phòng"),
    (r"\btp\b", "thành phố"),
    (r"\bttđt\b", "thông tin điện tử"),
    (r"\bptth\b", "phát thanh truyền hình"),
)
_LEADING = re.compile(r"^(đề nghị|giao|yêu cầu)\s+")
_PUNCT = re.compile(r"[^\w&]+")


def fold_tones(text: str) -> str:
    """One tone placement for "oa", "oe" and "uy" syllables."""
    for old, new in _TONES.items():
        text = text.replace(old, new)
    return text


def name_key(name: str) -> str:
    """The comparison key of an agency name: lower case, one spelling, no punctuation."""
    key = fold_tones(unicodedata.normalize("NFC", name).lower().strip())
    key = _LEADING.sub("", key)
    for pattern, expansion in _ABBREVIATIONS:
        key = re.sub(pattern, expansion, key)
    key = _PUNCT.sub(" ", key.replace("-", " "))
    return " ".join(key.split())


def ascii_fold(text: str) -> str:
    """The name without diacritics, for short codes: "Sở Tài chính" → "So Tai chinh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
