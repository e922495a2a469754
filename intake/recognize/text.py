"""Free text fields: blank check first, then PaddleOCR's PP-OCRv6 recogniser line by line (intake.recognize.ppocr).

Lines come from the form geometry: the field's box (its ruled border and dotted guide lines are the blank
form's ink, masked away), the added ink split into the field's `lines` rows by where each stroke's centre
falls, each row trimmed to its ink. A page's lines are read in batched inference calls (read_texts).

Output is restricted to what the field can hold (ppocr.jis_or_ascii: JIS X 0208 and ASCII) or to the
field's `ocr.chars`. Look-alikes that differ only in script (口/ロ, 工/エ, 力/カ, 一/ー, 〇/0) are settled by
their neighbours (settle_lookalikes).

Why not tesseract (kept only as the fallback when the model files are missing): on the same stored crops the
issue measured, on unseen writers, 77 % of handwritten fields exactly right with PP-OCRv6 against 22 % with
tesseract as the pipeline ran it. Ours, `benchmarks/text_readers.py /tmp/tune7/bench --tesseract --curve`
(seed 7, tuning writers, 259 non-blank handwritten fields, this pipeline's crops and lines):

    reader      exact  chars   accepted / wrong at the reader's own threshold
    pp-ocrv6    81.9 %  90.8 %   64.5 % / 0 at 0.95 (0.9: 70.3 % / 1; 0.8: 75.7 % / 3)
    tesseract   28.2 %  69.0 %    0.8 % / 0 at 0.95 (0.9: 11.2 % / 3; 0.8: 29.3 % / 20)

and seed 11 (tuning writers, 530 fields): pp-ocrv6 75.1 % exact, 88.0 % of characters; accepted / wrong at 0.95
56.8 % / 3 (岡田裕子 read 岡旧俗子 at 0.93-0.96), at 0.97 52.5 % / 0, at 0.99 42.1 % / 0.

Confidence is the recogniser's own probability of its weakest character (spaces excluded: the comparison
ignores them), and of no character having been dropped where blank won (ppocr.LineReading.missed: 山口 read
as 山太郎 at 0.98 otherwise). A reading is accepted at TEXT_ACCEPT = 0.97, set on the tuning writers only (seeds
7 and 11, fonts yomogi/klee-one/kalam/dkg), never on the writers the benchmark reports on.

A field is blank when no added ink blob reaches TEXT_MIN_BLOB_PX (a handwritten character is hundreds of px
at 8 px/mm, fax specks a few): blank reads as '' with high confidence, never as OCR junk. The writing check
counts faint ink too (FAINT_LEVEL): pencil on a 204x98 fax comes out as broken grey dots; a little faint ink
goes to review. Not solved: pencil writing a fax erased almost completely leaves 0-46 px of faint ink where
empty fields on faxes leave 0-26 px, so it reads blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from intake.form.layout import FieldGeom
from intake.recognize import ppocr
from intake.recognize.ink import added_ink, cleaned_crop
from intake.recognize.types import FieldReading

INSET_MM = 0.4
TEXT_MIN_BLOB_PX = 40
FAINT_LEVEL = 200          # writing check only: faint pencil comes out of fax resampling grey, not black
FAINT_MIN_PX = 20          # blank fields measured 0-26 px of faint added ink (fax specks)
WRITING_MIN_PX = 40        # ... written ones >= 40 except pencil the fax erased (seen 0-46 px)
TEXT_ACCEPT = 0.97         # weakest character's probability; see the module docstring
# Old character forms (旧字体) in JIS X 0208 and their common forms. The recogniser learnt Chinese text too, where the
# old form is the usual one, so a clearly written 恵 can come back as 惠 with a high probability (seen on the held-out
# writers' seed 101). People do write 澤 or 廣 in their names, so an old form is neither kept nor changed by the
# machine: the field goes to the clerk, who sees which was meant.
OLD_FORMS = dict(zip(
    "惠澤邊邉齋齊廣國學會櫻實壽藏顯濱龍眞圓榮驛應假氣舊縣經檢險收條乘淨讓攝專單擔膽團彈晝遲當黨燈獨讀拂佛變辯寶萬滿"
    "譯豫餘來亂兩禮勞樓灣區驅峽曉鐵發總莊裝戰淺錢繪壞懷擴覺樂關歡觀巖歸戲舉據勳螢鷄劍權號濟碎雜參慘絲兒辭濕從澁獸縱"
    "肅處敍燒奬將證孃疊觸寢愼盡粹醉穗聲靜竊纖禪雙騷屬續墮體對帶滯臺瀧擇斷癡蟲鑄廳聽鎭遞傳轉點稻鬪惱腦霸廢賣麥髮拔"
    "蠻祕拜竝辨舖飜默彌藥譽搖樣謠覽獵壘勵靈齡戀爐祿嶋嶌冨埜峯籠凜舩嵜",
    "恵沢辺辺斎斉広国学会桜実寿蔵顕浜竜真円栄駅応仮気旧県経検険収条乗浄譲摂専単担胆団弾昼遅当党灯独読払仏変弁宝万満"
    "訳予余来乱両礼労楼湾区駆峡暁鉄発総荘装戦浅銭絵壊懐拡覚楽関歓観巌帰戯挙拠勲蛍鶏剣権号済砕雑参惨糸児辞湿従渋獣縦"
    "粛処叙焼奨将証嬢畳触寝慎尽粋酔穂声静窃繊禅双騒属続堕体対帯滞台滝択断痴虫鋳庁聴鎮逓伝転点稲闘悩脳覇廃売麦髪抜"
    "蛮秘拝並弁舗翻黙弥薬誉揺様謡覧猟塁励霊齢恋炉禄島島富野峰篭凛船崎"))
LINE_PAD = 0.25            # white margin round a line, as a share of its ink height
CORE_PX = 25               # a stroke this big is writing; smaller ones count only next to writing
NEAR_SHARE = 0.5           # ... within this share of the line pitch
MIN_ROW_SHARE = 0.25       # a row whose ink is lower than this share of the pitch holds no writing
_CJK_GAP = re.compile(r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])")

OCR_LANGS = {"ja": "jpn", "en": "eng", None: "jpn+eng"}   # tesseract fallback: None = the language is unclear
CHAR_SETS = {
    "digits": "0123456789",
    "katakana": "".join(chr(c) for c in range(0x30A1, 0x30FB)) + "ー・",
    "hiragana": "".join(chr(c) for c in range(0x3041, 0x3097)) + "ー",
    "latin": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-'&@_/()",
}


def tidy(text: str) -> str:
    """Drop the spaces put between Japanese characters; keep line breaks."""
    lines = [_CJK_GAP.sub("", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


# ---------------------------------------------------------------- look-alikes

_KANJI_OF = {"ロ": "口", "エ": "工", "カ": "力", "ー": "一", "ニ": "二", "ハ": "八", "タ": "夕", "ト": "卜", "ヘ": "へ"}
_KANA_OF = {v: k for k, v in _KANJI_OF.items()}
_ZERO = {"O", "o", "〇", "○", "Ｏ"}
_DASHES = {"-", "‐", "－", "−", "–", "—", "―"}     # a hand-drawn 一 or ー often comes back as one of these


def _script(ch: str) -> str:
    o = ord(ch)
    if 0x30A0 <= o <= 0x30FF:
        return "katakana"
    if 0x3040 <= o <= 0x309F:
        return "hiragana"
    if 0x3400 <= o <= 0x9FFF or ch in "々〆":
        return "kanji"
    if ch.isdigit():
        return "digit"
    return "other"


def settle_lookalikes(text: str) -> str:
    """Characters that look the same in another script take the script of both their neighbours:
    ロ between kanji is 口 (川口), 口 between katakana is ロ (ロボット); 〇/O between digits is 0; ー after
    katakana stays the long vowel, between kanji it is 一 (一丁目 read as ー丁目). A dash is a horizontal stroke too:
    between kanji it is 一 (第-工場), after katakana and not before a digit or letter it is ー (センタ-), and
    between digits or letters it stays a dash (1-2-3, ABC-1)."""
    chars = list(text)
    for i, ch in enumerate(chars):
        prev = next((c for c in reversed(chars[:i]) if not c.isspace()), None)
        nxt = next((c for c in chars[i + 1:] if not c.isspace()), None)
        around = {_script(c) for c in (prev, nxt) if c is not None} - {"other"}   # punctuation: no vote
        if ch in _ZERO and around and all(c.isdigit() or c == "-" for c in (prev, nxt) if c is not None) \
                and "digit" in around:
            chars[i] = "0"
        elif ch in _KANJI_OF and around == {"kanji"}:
            if ch == "ー" and prev is not None and _script(prev) != "kanji":
                continue
            chars[i] = _KANJI_OF[ch]
        elif ch in _KANA_OF and around == {"katakana"}:
            chars[i] = _KANA_OF[ch]
        elif ch in _DASHES and around == {"kanji"} and (prev is None or _script(prev) == "kanji"):
            chars[i] = "一"
        elif ch in _DASHES and prev is not None and _script(prev) == "katakana" \
                and (nxt is None or not nxt.isascii() or not nxt.isalnum()):
            chars[i] = "ー"
    return "".join(chars)


# ---------------------------------------------------------------- lines from the geometry

def _ink_amount(mask: np.ndarray) -> tuple[int, int]:
    """(added ink px, largest blob px)."""
    if not mask.any():
        return 0, 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int(mask.sum()), int(stats[1:, cv2.CC_STAT_AREA].max())


def line_images(crop: np.ndarray, ink: np.ndarray, lines: int) -> list[np.ndarray]:
    """The field's writing as one image per written row: strokes go to the row their centre falls in (a
    stroke that strays over the guide line stays whole), only that row's strokes are kept, trimmed to the ink
    with a white margin and contrast-stretched (faint pencil to black). Specks away from the writing (remnants
    of the dotted guide lines, fax noise: read as '.' or '1' otherwise) and rows holding nothing but specks
    are dropped."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n <= 1:
        return []
    lines = max(1, lines)
    pitch = crop.shape[0] / lines
    area = stats[1:, cv2.CC_STAT_AREA]
    centre = stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT] / 2.0
    row_of = np.clip((centre / pitch).astype(int), 0, lines - 1)
    core = area >= CORE_PX
    near = max(3, int(round(NEAR_SHARE * pitch)))
    out = []
    for row in range(lines):
        ids = np.flatnonzero((row_of == row) & core) + 1
        if not len(ids) or area[ids - 1].max() < TEXT_MIN_BLOB_PX:
            continue
        keep = np.isin(lab, ids)
        reach = cv2.dilate(keep.astype(np.uint8), np.ones((2 * near + 1, 2 * near + 1), np.uint8)).astype(bool)
        small = np.flatnonzero((row_of == row) & ~core) + 1
        small = [i for i in small if reach[lab == i].any()]
        if small:
            keep |= np.isin(lab, small)
        ys, xs = np.nonzero(keep)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        if lines > 1 and y1 - y0 < MIN_ROW_SHARE * pitch:
            continue
        keep = cv2.dilate(keep.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        img = np.where(keep, crop, 255)[y0:y1, x0:x1].astype(np.float32)
        ink_px = img[keep[y0:y1, x0:x1] & (img < 250)]
        lo = float(np.percentile(ink_px, 5)) if ink_px.size else 0.0
        if lo > 0:
            img = np.clip((img - lo) * 255.0 / max(1.0, 255.0 - lo), 0, 255)
        pad = max(4, int(round(LINE_PAD * (y1 - y0))))
        out.append(cv2.copyMakeBorder(img.astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255))
    return out


@dataclass
class TextJob:
    """One text field between its blank check and its recognition."""
    g: FieldGeom
    crop: np.ndarray | None = None
    lines: list[np.ndarray] = field(default_factory=list)
    early: FieldReading | None = None        # decided without OCR (blank, faint)


def prepare(g: FieldGeom, canon: np.ndarray, blank: np.ndarray) -> TextJob:
    f = g.field
    r = g.area.inset(INSET_MM)
    faint = added_ink(canon, blank, r, level=FAINT_LEVEL)
    total, largest = _ink_amount(faint)
    if total < FAINT_MIN_PX:
        return TextJob(g, early=FieldReading(f.key, "text", "", 0.95, False))
    if total < WRITING_MIN_PX and largest < TEXT_MIN_BLOB_PX:
        return TextJob(g, early=FieldReading(f.key, "text", "", 0.4, True,
                                             "faint marks: blank or writing lost in the fax?"))
    crop = cleaned_crop(canon, blank, r)
    ink = faint & (crop < 255)                   # cleaned_crop also paints stray ruled lines white
    return TextJob(g, crop, line_images(crop, ink, max(1, f.lines)))


def _chars_for(f) -> str:
    chars = str((f.ocr or {}).get("chars", ""))
    return CHAR_SETS.get(chars, chars)


def read_texts(jobs: list[TextJob], lang: str | None = None, postal: str | None = None) -> list[FieldReading]:
    """Finish every job: all lines of the fields that share a character set in one batched recogniser run.
    `postal`: the page's postal code, when it was read and accepted (intake.recognize.address)."""
    out: dict[int, FieldReading] = {}
    todo = [(i, j) for i, j in enumerate(jobs) if j.early is None]
    for i, j in enumerate(jobs):
        if j.early is not None:
            out[i] = j.early
    if todo and not ppocr.available():
        for i, j in todo:
            out[i] = _tesseract_reading(j, lang)
        todo = []
    groups: dict[str, list[tuple[int, TextJob]]] = {}
    for i, j in todo:
        groups.setdefault(_chars_for(j.g.field), []).append((i, j))
    for chars, members in groups.items():
        rec = ppocr.recogniser()
        mask = rec.mask(only=chars) if chars else rec.mask()
        images = [im for _, j in members for im in j.lines]
        readings = iter(rec.read(images, mask) if images else [])
        for i, j in members:
            out[i] = _finish(j, [next(readings) for _ in j.lines], postal)
    return [out[i] for i in range(len(jobs))]


def _pairs(lines: list[ppocr.LineReading]) -> list[tuple[str, float]]:
    """The field's reading as (character, probability), look-alikes settled, lines joined by a newline
    (probability 1). Spaces stay: the text goes through tidy, and no confidence counts them."""
    pairs: list[tuple[str, float]] = []
    for r in lines:
        if r.text.strip():
            pairs += ([("\n", 1.0)] if pairs else []) + list(zip(settle_lookalikes(r.text), r.probs))
    return pairs


def _finish(job: TextJob, lines: list[ppocr.LineReading], postal: str | None = None) -> FieldReading:
    f = job.g.field
    pairs = _pairs(lines)
    missed = max((r.missed for r in lines), default=0.0)
    reason = "low OCR confidence"
    contradicts = False
    if pairs and postal and f.validate.get("rule") == "prefecture_matches_postal":
        from intake.recognize import address

        settled = address.settle(pairs, postal)
        if settled is not None:
            if settled[1]:
                pairs = settled[0]
            else:
                contradicts = True
    text = tidy("".join(c for c, _ in pairs))
    if not text:
        return FieldReading(f.key, "text", "", 0.2, True, "writing found but not read")
    probs = [p for c, p in pairs if not c.isspace()] + [1.0 - missed]
    conf = min(probs)
    old_forms = sorted({c for c in text if c in OLD_FORMS})
    needs = conf < TEXT_ACCEPT or contradicts or bool(old_forms)
    if contradicts:
        reason = "the address does not match its postal code" + ("" if conf < TEXT_ACCEPT else " (read clearly)")
    elif old_forms and conf >= TEXT_ACCEPT:
        reason = "old character form: " + ", ".join(f"{c} ({OLD_FORMS[c]}?)" for c in old_forms)
    return FieldReading(f.key, "text", text, round(conf, 4), needs, reason if needs else None)


def read_text(g: FieldGeom, canon: np.ndarray, blank: np.ndarray, lang: str | None = None) -> FieldReading:
    """One field alone (pages read their text fields together: read_texts)."""
    return read_texts([prepare(g, canon, blank)], lang)[0]


# ---------------------------------------------------------------- tesseract, when the models are missing

TESS_MIN_CONF = 0.95       # tesseract's confidence is not honest on handwriting (seed 7: >= 0.9 accepted 6 of
TESS_LOWEST_SLACK = 0.1    # 36 wrong); on min(mean, weakest symbol + slack)


def ocr_settings(f, lang: str | None) -> tuple[str, int, str]:
    """(tesseract language, page segmentation mode, character whitelist) for a text field: the form
    definition's `ocr:` settings where given, else the page's language and one line / a block."""
    o = f.ocr or {}
    return (o.get("lang") or OCR_LANGS.get(lang, "jpn+eng"), int(o.get("psm") or (6 if f.lines > 1 else 7)),
            _chars_for(f))


def _tesseract_reading(job: TextJob, lang: str | None) -> FieldReading:
    from intake.recognize.ocr import recognise_symbols

    f = job.g.field
    crop = cv2.copyMakeBorder(job.crop, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    ocr_lang, psm, whitelist = ocr_settings(f, lang)
    text, mean, lowest = recognise_symbols(crop, lang=ocr_lang, psm=psm, whitelist=whitelist)
    text = tidy(text)
    conf = min(mean, lowest + TESS_LOWEST_SLACK)
    if not text:
        return FieldReading(f.key, "text", "", 0.2, True, "writing found but not read")
    needs = conf < TESS_MIN_CONF
    return FieldReading(f.key, "text", text, round(conf, 3), needs, "low OCR confidence" if needs else None)
