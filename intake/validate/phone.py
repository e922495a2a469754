"""Japanese telephone and fax numbers: length rules by prefix, and the usual hyphenated format.

Lengths (domestic, trunk prefix 0 included):
  fixed lines 0AB… with A≠0 and B≠0                     10 digits   03-1234-5678
  mobile 070/080/090, IP 050, M2M 020, UPT 060          11 digits   090-1234-5678
  free dial 0120, navi dial 0570, 0990                  10 digits   0120-123-456
  free dial 0800                                        11 digits   0800-123-4567
Other 0A0 prefixes are not telephone numbers (010 is the international prefix, 030/040 are unassigned),
nor is anything starting 00 (international) or without the leading 0.

Formatting fixed lines needs the area-code length, which in reality depends on the first 5-6 digits
(MIC's 市外局番 table). Simplification: 03 and 06 are 2-digit codes; a table of 3-digit codes
(the prefectural capitals and big cities: 011 札幌 … 045 横浜, 052 名古屋 … 098 那覇); a 4-digit code
that shares the first three digits with one of those (0422 武蔵野, 0466 藤沢, 0172 弘前 …) is
listed explicitly when known; everything else is split as a 4-digit code. A number from a 4- or
5-digit area missing from these tables is hyphenated at the wrong place — the digits, and whether
the number is valid, are unaffected.
"""

from __future__ import annotations

from intake.validate.issues import Problem
from intake.validate.textnorm import fold, strip_separators

MOBILE_11 = ("070", "080", "090", "050", "020", "060")
SPECIAL_10 = ("0120", "0570", "0990")
SPECIAL_11 = ("0800",)

AREA_2 = ("03", "06")
AREA_3 = frozenset("""
011 017 018 019 022 023 024 025 026 027 028 029 042 043 044 045 046 047 048 049
052 053 054 055 058 059 072 073 075 076 077 078 079 082 083 084 086 087 088 089
092 093 095 096 097 098 099""".split())
# 4-digit codes whose first three digits are also a 3-digit code above (so the table above would
# split them wrongly). Not complete; see the module docstring.
AREA_4_IN_3 = frozenset("""
0172 0173 0174 0175 0176 0178 0179 0182 0183 0184 0185 0186 0187 0191 0192 0193 0194 0195 0197 0198
0220 0223 0224 0225 0226 0228 0229 0233 0234 0235 0237 0238 0240 0241 0242 0243 0244 0246 0247 0248
0250 0254 0255 0256 0257 0258 0259 0260 0261 0263 0264 0265 0266 0267 0268 0269 0270 0274 0276 0277
0278 0279 0280 0282 0283 0284 0285 0287 0288 0289 0291 0293 0294 0295 0296 0297 0299 0422 0428 0436
0438 0439 0460 0463 0465 0466 0467 0470 0475 0476 0478 0479 0480 0493 0494 0495 0531 0532 0533 0536
0537 0538 0539 0544 0545 0547 0548 0550 0551 0553 0554 0555 0556 0557 0558 0561 0562 0563 0564 0565
0566 0567 0568 0569 0581 0584 0585 0586 0587 0594 0595 0596 0597 0598 0599 0721 0725 0735 0736 0737
0738 0739 0761 0763 0765 0766 0768 0770 0771 0772 0773 0774 0790 0791 0794 0795 0796 0797 0798 0799
0820 0823 0824 0826 0827 0829 0833 0834 0835 0836 0837 0838 0845 0846 0847 0848 0852 0853 0854 0855
0856 0857 0858 0859 0863 0865 0866 0867 0868 0869 0875 0877 0879 0880 0883 0884 0885 0887 0889 0892
0893 0894 0895 0896 0897 0898 0920 0930 0940 0942 0943 0944 0946 0947 0948 0949 0950 0952 0954 0955
0956 0957 0959 0964 0965 0966 0967 0968 0969 0972 0973 0974 0977 0978 0979 0980 0982 0983 0984 0985
0986 0987 0993 0994 0995 0996 0997""".split())


def phone_digits(value: str) -> str | None:
    """Digits only ('03-1234-5678', '０３（１２３４）５６７８' -> '0312345678'); None if other
    characters remain (letters, '?' for a digit the reader could not make out)."""
    d = strip_separators(value)
    for prefix in ("TEL", "Tel", "tel", "FAX", "Fax", "fax", "電話", "携帯"):
        d = d.removeprefix(prefix).lstrip(":：")
    return d if d.isdigit() and d.isascii() else None


def kind_of(digits: str) -> str:
    """mobile | ip | m2m | upt | freedial | navidial | dialq2 | fixed | invalid (by prefix only)."""
    if not digits.startswith("0") or len(digits) < 3:
        return "invalid"
    for p, k in (("0120", "freedial"), ("0800", "freedial"), ("0570", "navidial"), ("0990", "dialq2"),
                 ("050", "ip"), ("020", "m2m"), ("060", "upt"), ("070", "mobile"), ("080", "mobile"),
                 ("090", "mobile")):
        if digits.startswith(p):
            return k
    # 0A0 is the non-geographic block; a fixed line's local number never starts with 0
    return "invalid" if "0" in digits[1:3] else "fixed"


def expected_length(digits: str) -> int | None:
    if digits.startswith(SPECIAL_11) or digits.startswith(MOBILE_11):
        return 11
    if digits.startswith(SPECIAL_10) or kind_of(digits) == "fixed":
        return 10
    return None


def check_phone(value: str) -> list[Problem]:
    """Problems with a Japanese phone/fax number as written (empty list: fine)."""
    d = phone_digits(value)
    if d is None:
        return [Problem("phone_not_digits", "数字以外の文字があります。読み取りを確認してください。",
                        "contains characters other than digits; check the reading.")]
    if not d.startswith("0"):
        return [Problem("phone_no_leading_zero",
                        f"「{d}」は0で始まっていません。市外局番（0から）が抜けていませんか。",
                        f"'{d}' does not start with 0; is the area code missing?")]
    if d.startswith("00") or d.startswith("010"):
        return [Problem("phone_international", "国際電話の番号は受け付けられません（国内の番号を記入）。",
                        "international numbers are not accepted; a domestic number is needed.")]
    want = expected_length(d)
    if want is None:
        return [Problem("phone_bad_prefix", f"「{d[:3]}」で始まる電話番号はありません。",
                        f"no Japanese number starts with {d[:3]}.")]
    if len(d) != want:
        what_ja = {"fixed": "固定電話は市外局番から10桁", "mobile": "携帯電話は11桁", "ip": "050のIP電話は11桁",
                   "freedial": f"{d[:4]}のフリーダイヤルは{want}桁", "navidial": "0570のナビダイヤルは10桁",
                   "m2m": "020の番号は11桁", "upt": "060の番号は11桁", "dialq2": "0990の番号は10桁"}[kind_of(d)]
        what_en = {"fixed": "fixed lines have 10 digits including the area code", "mobile": "mobiles have 11 digits",
                   "ip": "050 IP phones have 11 digits", "freedial": f"{d[:4]} free dial has {want} digits",
                   "navidial": "0570 navi dial has 10 digits", "m2m": "020 numbers have 11 digits",
                   "upt": "060 numbers have 11 digits", "dialq2": "0990 numbers have 10 digits"}[kind_of(d)]
        return [Problem("phone_length", f"{len(d)}桁です。{what_ja}です。", f"{len(d)} digits; {what_en}.")]
    return []


def area_code_length(digits: str) -> int:
    """Length of the area code (with its 0) of a fixed-line number, by the simplified tables above."""
    if digits[:2] in AREA_2:
        return 2
    if digits[:4] in AREA_4_IN_3:
        return 4
    if digits[:3] in AREA_3:
        return 3
    return 4


def format_phone(value: str) -> str | None:
    """'0312345678' -> '03-1234-5678', '09012345678' -> '090-1234-5678', '0120123456' -> '0120-123-456',
    '0467123456' -> '0467-12-3456'. None when it is not a valid Japanese number."""
    if check_phone(value):
        return None
    d = phone_digits(fold(value))
    assert d is not None
    if d.startswith(SPECIAL_10):
        return f"{d[:4]}-{d[4:7]}-{d[7:]}"
    if d.startswith(SPECIAL_11):
        return f"{d[:4]}-{d[4:7]}-{d[7:]}"
    if len(d) == 11:
        return f"{d[:3]}-{d[3:7]}-{d[7:]}"
    a = area_code_length(d)
    return f"{d[:a]}-{d[a:6]}-{d[6:]}"


def normalise_phone(value: str) -> str | None:
    """Digits only, when the number is valid."""
    return None if check_phone(value) else phone_digits(value)
