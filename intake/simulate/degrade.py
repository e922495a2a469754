"""Return channels: what a filled page goes through on its way back to the office.

Each channel takes the filled pages of one return (grey uint8 rasters at `dpi`, top-left = page
top-left) and writes the file(s) the office receives:

  fax-standard     204x98 dpi, CCITT G3 1-D (Pillow/libtiff), 1728 px lines
  fax-fine         204x196 dpi, CCITT G3 2-D coded by ghostscript (tiffg32d)
  fax-g4           204x196 dpi, CCITT G4 (what fax servers archive)
  fax-gs-standard  204x98 dpi, ghostscript's own resampling and G3 coding (tiffg3) of a bilevel scan
  fax-upside-down  fax-standard with the sheet fed upside down (content turned 180°, header upright)
  fax-of-fax       a received fax printed and faxed on again (two passes, two header lines)
  scan-300-grey    300 dpi grey JPEG, one file per page: blur, paper tone, uneven light
  scan-300-png     the same as lossless PNG
  clean            the undegraded fill, 300 dpi PNG (reference)

Fax damage: skew (±3°), scale and shift of a few percent, threshold noise, salt-and-pepper,
speckle, dropped and duplicated scanlines, the sending machine's header line in the top 10 mm.
All randomness comes from the caller's generator, so a seed gives identical bytes.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from intake.tools.fonts import font_path

FAX_WIDTH_PX = 1728                   # a fax line: 215 mm at 8 px/mm, A4 centred on it
FAX_WIDTH_MM = FAX_WIDTH_PX / 204 * 25.4
A4_W, A4_H = 210.0, 297.0
FIXED_TIFF_DATE = "2026:01:01 00:00:00"


@dataclass(frozen=True)
class FaxHeader:
    """What the sending machine prints across the top: date, its number, its name, page."""
    when: str                 # "2026/11/29 10:23"
    sender_fax: str           # "0565-12-3456"
    sender_name: str          # ASCII/katakana name the machine was set up with

    def line(self, page: int, pages: int) -> str:
        return f"{self.when}  FROM:{self.sender_fax}  {self.sender_name}   P.{page:02d}/{pages:02d}"


# ── geometry of the sheet in the scanner ─────────────────────────────────────
def paper_transform(img: np.ndarray, dpi: float, rng: np.random.Generator, *, skew_deg: float = 3.0,
                    scale_pct: float = 3.0, shift_mm: float = 3.0, rotate180: bool = False,
                    out_w_mm: float = A4_W, out_h_mm: float = A4_H) -> np.ndarray:
    """Skew, scale and shift the sheet as a feeder does; returns an out_w x out_h mm grey raster."""
    k = dpi / 25.4
    h, w = img.shape
    ang = float(np.clip(rng.normal(0, skew_deg / 2.2), -skew_deg, skew_deg))
    s = 1.0 + float(np.clip(rng.normal(0, scale_pct / 2.0), -scale_pct, scale_pct)) / 100.0
    dx, dy = (float(np.clip(rng.normal(0, shift_mm / 2), -shift_mm, shift_mm)) * k for _ in range(2))
    ow, oh = int(round(out_w_mm * k)), int(round(out_h_mm * k))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), ang + (180.0 if rotate180 else 0.0), s)
    m[0, 2] += (ow - w) / 2 + dx
    m[1, 2] += (oh - h) / 2 + dy
    return cv2.warpAffine(img, m, (ow, oh), flags=cv2.INTER_LINEAR, borderValue=255)


# ── fax ──────────────────────────────────────────────────────────────────────
def fax_sample(grey: np.ndarray, dpi: float, res: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """The fax scanner: sample a grey raster (FAX_WIDTH_MM wide) at res and threshold with noise.

    Returns uint8 0/255 (black = 0)."""
    rows = int(round(grey.shape[0] / dpi * res[1]))
    small = cv2.resize(grey, (FAX_WIDTH_PX, rows), interpolation=cv2.INTER_AREA).astype(np.float32)
    level = float(rng.uniform(120, 165))                      # sender's contrast setting
    small += rng.normal(0, float(rng.uniform(6, 18)), small.shape).astype(np.float32)
    return np.where(small < level, 0, 255).astype(np.uint8)


def binarisation_noise(bw: np.ndarray, rng: np.random.Generator, amount: float = 1.0) -> np.ndarray:
    """Salt and pepper, dust specks, and pinholes in solid black."""
    out = bw.copy()
    h, w = out.shape
    n_pepper = int(rng.poisson(amount * h * w * 2e-4))
    out[rng.integers(0, h, n_pepper), rng.integers(0, w, n_pepper)] = 0
    black = np.flatnonzero(out.ravel() == 0)
    if black.size:
        holes = rng.choice(black, size=min(black.size, int(rng.poisson(amount * black.size * 3e-3))), replace=False)
        out.ravel()[holes] = 255
    for _ in range(int(rng.poisson(amount * 6))):             # specks of dust on the glass
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.ellipse(out, (cx, cy), (int(rng.integers(1, 4)), int(rng.integers(1, 3))), float(rng.uniform(0, 180)),
                    0, 360, 0, -1)
    return out


def scanline_errors(bw: np.ndarray, rng: np.random.Generator, rate: float = 1.0) -> tuple[np.ndarray, dict]:
    """Line errors on the phone line: lines dropped (white), repeated (the receiver fills in the
    previous line), and lines whose remainder is garbled (a corrupted G3 run shifts the rest)."""
    out = bw.copy()
    h, w = out.shape
    dropped, repeated, shifted = [], [], []
    for _ in range(int(rng.poisson(3 * rate))):
        y, n = int(rng.integers(20, h - 6)), int(rng.integers(1, 4))
        out[y:y + n] = 255
        dropped.append(y)
    for _ in range(int(rng.poisson(3 * rate))):
        y, n = int(rng.integers(20, h - 6)), int(rng.integers(1, 3))
        out[y:y + n] = out[y - 1]
        repeated.append(y)
    for _ in range(int(rng.poisson(1 * rate))):
        y, x = int(rng.integers(20, h - 1)), int(rng.integers(0, w // 2))
        out[y, x:] = np.roll(out[y, x:], int(rng.integers(-40, 40)))
        shifted.append(y)
    return out, {"dropped": len(dropped), "repeated": len(repeated), "garbled": len(shifted)}


@functools.lru_cache(maxsize=8)
def _header_font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("gothic")), px)


def draw_header(bw: np.ndarray, res: tuple[int, int], text: str) -> np.ndarray:
    """Print the machine's header line 2-6 mm from the top, in the machine's own square pixels."""
    out = bw.copy()
    px = int(round(2.6 / 25.4 * res[0]))                       # ~2.6 mm tall characters
    strip = Image.new("L", (FAX_WIDTH_PX, int(round(7 / 25.4 * res[0]))), 255)
    ImageDraw.Draw(strip).text((int(8 / 25.4 * res[0]), int(2.0 / 25.4 * res[0])), text, fill=0,
                               font=_header_font(px))
    rows = int(round(strip.height * res[1] / res[0]))          # squash to the vertical resolution
    s = cv2.resize(np.asarray(strip), (FAX_WIDTH_PX, rows), interpolation=cv2.INTER_AREA)
    out[:rows] = np.where(s < 140, 0, out[:rows])
    return out


def fax_print(bw: np.ndarray, res: tuple[int, int], dpi: float, rng: np.random.Generator) -> np.ndarray:
    """The receiving machine's print of a fax: the bitmap enlarged to `dpi`, a little toner spread."""
    h_mm = bw.shape[0] / res[1] * 25.4
    big = cv2.resize(bw, (int(round(FAX_WIDTH_MM / 25.4 * dpi)), int(round(h_mm / 25.4 * dpi))),
                     interpolation=cv2.INTER_NEAREST)
    big = cv2.GaussianBlur(big, (0, 0), float(rng.uniform(0.5, 1.0)))
    # print back on A4: crop the 215 mm line to the sheet's 210 mm
    x0 = int(round((FAX_WIDTH_MM - A4_W) / 2 / 25.4 * dpi))
    return big[:, x0:x0 + int(round(A4_W / 25.4 * dpi))]


def fax_pass(grey: np.ndarray, dpi: float, res: tuple[int, int], rng: np.random.Generator, header: str | None,
             rotate180: bool = False, damage: float = 1.0) -> tuple[np.ndarray, dict]:
    """One transmission of one sheet: feeder, scanner, line errors, header. Returns (bilevel, what happened)."""
    sheet = paper_transform(grey, dpi, rng, rotate180=rotate180, out_w_mm=FAX_WIDTH_MM)
    bw = binarisation_noise(fax_sample(sheet, dpi, res, rng), rng, damage)
    bw, errors = scanline_errors(bw, rng, damage)
    if header:
        bw = draw_header(bw, res, header)
    return bw, errors


# ── writers ──────────────────────────────────────────────────────────────────
def write_ccitt_tiff(pages: list[np.ndarray], out: Path, res: tuple[int, int], compression: str) -> Path:
    """Multi-page bilevel TIFF, CCITT coded by libtiff ('group3' = T.4 1-D, 'group4' = T.6)."""
    ims = [Image.fromarray(p).convert("1") for p in pages]
    ims[0].save(out, compression=compression, dpi=res, save_all=True, append_images=ims[1:])
    return out


def _pin_tiff_date(path: Path) -> None:
    """ghostscript stamps the time of the run into each page's DateTime tag; pin it for identical bytes."""
    data = path.read_bytes()
    with Image.open(path) as im:
        stamps = set()
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            v = im.tag_v2.get(306)
            if isinstance(v, str) and len(v) == len(FIXED_TIFF_DATE):
                stamps.add(v)
    for v in stamps:
        data = data.replace(v.encode("ascii"), FIXED_TIFF_DATE.encode("ascii"))
    path.write_bytes(data)


def write_gs_fax(pages_bw300: list[np.ndarray], dpi: float, out: Path, resolution: str, device: str) -> Path:
    """Let ghostscript scan and code the pages: bilevel rasters -> PDF -> tiffg3/tiffg32d/tiffg4 at resolution."""
    from intake.tools.ghostscript import pdf_to_fax_tiff

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp, "pages.pdf")
        ims = [Image.fromarray(p).convert("1") for p in pages_bw300]
        ims[0].save(pdf, resolution=dpi, save_all=True, append_images=ims[1:])
        pdf_to_fax_tiff(pdf, out, resolution=resolution, device=device)
    _pin_tiff_date(out)
    return out


def scan_grey(grey: np.ndarray, dpi: float, rng: np.random.Generator) -> np.ndarray:
    """A flatbed or MFP scan at 300 dpi grey: small skew, paper tone, uneven light, blur, sensor noise."""
    sheet = paper_transform(grey, dpi, rng, skew_deg=1.5, scale_pct=1.0, shift_mm=2.0).astype(np.float32)
    sheet = cv2.GaussianBlur(sheet, (0, 0), float(rng.uniform(0.5, 1.1)))
    h, w = sheet.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.normal(0, 0.08, 2)
    light = 1.0 - np.abs(gx * (xx / w - 0.5) + gy * (yy / h - 0.5)) - 0.04 * ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2)
    paper = float(rng.uniform(228, 250))
    sheet = (sheet / 255.0) * paper * light + rng.normal(0, float(rng.uniform(1.5, 4)), sheet.shape)
    return np.clip(np.round(sheet), 0, 255).astype(np.uint8)


# ── channels ─────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Profile:
    name: str
    kind: str                              # fax | scan | clean
    res: tuple[int, int] = (204, 98)
    coding: str = "group3"                 # group3 | group4 | gs:<device> | jpeg | png
    rotate180: bool = False
    passes: int = 1
    damage: float = 1.0

    @property
    def suffix(self) -> str:
        return {"jpeg": ".jpg", "png": ".png"}.get(self.coding, ".tif")


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("fax-standard", "fax", (204, 98), "group3"),
    Profile("fax-fine", "fax", (204, 196), "gs:tiffg32d"),
    Profile("fax-g4", "fax", (204, 196), "group4"),
    Profile("fax-gs-standard", "fax", (204, 98), "gs:tiffg3"),
    Profile("fax-upside-down", "fax", (204, 98), "group3", rotate180=True),
    Profile("fax-of-fax", "fax", (204, 98), "group3", passes=2),
    Profile("scan-300-grey", "scan", (300, 300), "jpeg"),
    Profile("scan-300-png", "scan", (300, 300), "png"),
    Profile("clean", "clean", (300, 300), "png"),
)}
DEFAULT_PROFILES = ("fax-standard", "fax-fine", "fax-upside-down", "fax-of-fax", "scan-300-grey")


def send(profile: Profile, pages: list[np.ndarray], dpi: float, out_stem: Path, rng: np.random.Generator,
         header: FaxHeader | None = None, relay: FaxHeader | None = None) -> tuple[list[Path], dict]:
    """Put one return (its filled pages) through `profile`; returns (files written, what happened)."""
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    n = len(pages)
    info: dict = {"rotated": 180 if profile.rotate180 else 0}
    if profile.kind == "clean":
        files = []
        for i, p in enumerate(pages, 1):
            f = out_stem.with_name(f"{out_stem.name}-p{i}.png")
            Image.fromarray(p).save(f, dpi=(dpi, dpi), optimize=False)
            files.append(f)
        return files, info
    if profile.kind == "scan":
        files = []
        for i, p in enumerate(pages, 1):
            g = scan_grey(p, dpi, rng)
            f = out_stem.with_name(f"{out_stem.name}-p{i}{profile.suffix}")
            if profile.coding == "jpeg":
                Image.fromarray(g).save(f, quality=int(rng.integers(72, 92)), dpi=(300, 300))
            else:
                Image.fromarray(g).save(f, dpi=(300, 300), compress_level=4)
            files.append(f)
        return files, info
    out = out_stem.with_suffix(".tif")
    errors = []
    if profile.coding.startswith("gs:"):
        # ghostscript does the scanning: we move and threshold the sheet, gs resamples and codes it
        bw300 = []
        for i, p in enumerate(pages, 1):
            sheet = paper_transform(p, dpi, rng, rotate180=profile.rotate180)
            noisy = sheet.astype(np.float32) + rng.normal(0, 10, sheet.shape).astype(np.float32)
            bw = binarisation_noise(np.where(noisy < rng.uniform(120, 160), 0, 255).astype(np.uint8), rng, 0.3)
            if header:
                bw = _header_at(bw, dpi, header.line(i, n))
            bw300.append(bw)
        res = f"{profile.res[0]}x{profile.res[1]}"
        return [write_gs_fax(bw300, dpi, out, res, profile.coding[3:])], info
    sent = []
    for i, p in enumerate(pages, 1):
        grey = p
        for k in range(profile.passes):
            hdr = (relay if k and relay else header)
            bw, err = fax_pass(grey, dpi, profile.res, rng, hdr.line(i, n) if hdr else None,
                               rotate180=profile.rotate180 and k == 0, damage=profile.damage)
            errors.append(err)
            if k + 1 < profile.passes:
                grey = fax_print(bw, profile.res, dpi, rng)
        sent.append(bw)
    info["line_errors"] = errors
    return [write_ccitt_tiff(sent, out, profile.res, profile.coding)], info


def _header_at(bw: np.ndarray, dpi: float, text: str) -> np.ndarray:
    """The header line on a page that is still at scanner resolution (ghostscript route)."""
    d = int(round(dpi))
    strip = Image.new("L", (bw.shape[1], int(round(7 / 25.4 * d))), 255)
    ImageDraw.Draw(strip).text((int(6 / 25.4 * d), int(2 / 25.4 * d)), text, fill=0,
                               font=_header_font(int(round(2.6 / 25.4 * d))))
    s = np.asarray(strip)
    out = bw.copy()
    out[: s.shape[0]] = np.where(s < 140, 0, out[: s.shape[0]])
    return out


# Each channel as a plain function: (pages, dpi, out_stem, rng, header=None, relay=None) -> (files, info)
CHANNELS: dict[str, Callable] = {name: functools.partial(send, prof) for name, prof in PROFILES.items()}
