"""Photos of a proposed site: checked, re-encoded and bounded before they are stored.

Each upload is opened with Pillow (so a file that is not really an image is refused), turned the
right way up, sized down to at most MAX_SIDE pixels and saved again as JPEG. Re-encoding drops the
metadata a phone adds (GPS position, camera serial), which the police should not keep by accident.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from engagement.core.errors import DomainError

MAX_PHOTOS = 3
MAX_UPLOAD_BYTES = 8_000_000  # per photo as sent
MAX_PIXELS = 40_000_000  # refuses decompression bombs before decoding
MAX_SIDE = 1600
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF"}


def reencode(data: bytes, *, number: int) -> tuple[bytes, int, int]:
    """(jpeg bytes, width, height) of an uploaded photo, or DomainError naming the photo."""
    field = "photos"
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(
            f"Photo {number} is too large: each photo must be {MAX_UPLOAD_BYTES // 1_000_000} MB or smaller",
            field=field,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED:
                raise DomainError(f"Photo {number} must be a JPEG, PNG, WebP or GIF picture", field=field)
            if image.width * image.height > MAX_PIXELS:
                raise DomainError(f"Photo {number} has too many pixels: take it at a lower resolution", field=field)
            image = ImageOps.exif_transpose(image)  # the right way up before the orientation tag is dropped
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DomainError(
            f"Photo {number} is not a picture we can open: use a JPEG or PNG photo", field=field
        ) from None
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)  # no exif= argument: no metadata is written
    return out.getvalue(), image.width, image.height
