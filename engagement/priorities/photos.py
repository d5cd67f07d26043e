"""Team members' photos: size-limited, decoded with Pillow and re-encoded so no metadata survives.

A phone photo carries EXIF (often the GPS position of the officer's home) and can be a
decompression bomb or a polyglot file. We read at most PHOTO_MAX_BYTES, refuse anything
Pillow does not recognise as a JPEG, PNG or WebP picture of sane dimensions, turn it upright,
shrink it and save a fresh baseline JPEG: only the pixels are kept.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from engagement.core.errors import DomainError

ACCEPTED = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # 40 megapixels: bigger than any phone camera, far below a decompression bomb
SIZE = (600, 600)  # shown at most 150 px wide on the team page; 600 px stays sharp on a printed page
QUALITY = 85


def reencode(stream, *, max_bytes: int) -> bytes:
    """The uploaded picture as a clean JPEG, or DomainError(field="photo") with a reason a person can act on."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise DomainError("The photo file is empty", field="photo")
    if len(data) > max_bytes:
        raise DomainError(f"The photo must be smaller than {max_bytes / 1_000_000:g} MB", field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED:
                    raise DomainError("The photo must be a JPEG, PNG or WebP picture", field="photo")
                width, height = image.size
                if width * height > MAX_PIXELS or min(width, height) < 1:
                    raise DomainError("The photo is too large in pixels. Use a picture under 40 megapixels.",
                                      field="photo")  # fmt: skip
                image.load()
                upright = ImageOps.exif_transpose(image)  # apply the camera's rotation before dropping EXIF
                picture = _flatten(upright)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError("The photo could not be read. Use a JPEG, PNG or WebP picture.", field="photo") from None
    picture.thumbnail(SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A new image from pixels only: no exif=, icc_profile= or comment, so nothing of the original's metadata.
    Image.frombytes("RGB", picture.size, picture.tobytes()).save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white (a transparent PNG would otherwise turn black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
