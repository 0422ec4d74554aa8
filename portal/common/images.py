"""Images members and admins upload, and the pictures the portal draws (posters, certificates).

Uploads are read with Pillow, accepted only when their *content* is JPEG or PNG, limited in bytes and in
pixels before anything is decoded (a decompression bomb is refused from its header), and re-encoded from
the pixels alone: EXIF, GPS and every other metadata block is left behind.
"""

from __future__ import annotations

import io
import warnings
from functools import lru_cache
from pathlib import Path

from flask import current_app
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from portal.common.errors import FontMissing, ImageTooLarge, InvalidImage

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG"}


def read_upload(data: bytes) -> Image.Image:
    """The uploaded photo as RGB pixels, upright, with no metadata; or a clear refusal."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidImage()
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageTooLarge()
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidImage() from None
    pixels = upright.convert("RGB")
    return Image.frombytes("RGB", pixels.size, pixels.tobytes())  # a new image: no EXIF, no info


def encode(image: Image.Image, image_format: str = "PNG") -> bytes:
    """Fresh bytes from the pixels only (no EXIF, no text chunks)."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=88, optimize=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def font_path() -> Path:
    """The CJK font to draw with, or ``FontMissing``: never a font without Chinese glyphs (boxes)."""
    configured = current_app.config.get("CJK_FONT")
    candidates = [configured] if configured else list(current_app.config["CJK_FONT_CANDIDATES"])
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _has_chinese(str(candidate)):
            return Path(candidate)
    raise FontMissing()


@lru_cache(maxsize=8)
def _has_chinese(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 24)
    except OSError:
        return False
    # A font without the glyph draws .notdef for it: the same box as for a private-use code point.
    return font.getmask("健").getbbox() != font.getmask("\ue000").getbbox()


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return _font(str(font_path()), size)


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` scaled and centre-cropped to fill ``size``."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def text_lines(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (Chinese breaks between any two characters)."""
    lines, line = [], ""
    for character in text:
        if draw.textlength(line + character, font=font) > width and line:
            lines.append(line)
            line = character
        else:
            line += character
    if line:
        lines.append(line)
    return lines
