"""Never trust a file. The type comes from the bytes (never the name or the sender's content type); images are
decoded under a pixel limit, re-encoded without any metadata (EXIF, GPS, XMP, comments, colour profiles: the
pixels are converted to sRGB first) and capped on their longest side; PDFs need a valid header and end marker.
Anything else is refused, naming the types that are allowed. Pure functions: no database, no storage.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from complaints.errors import FileTooLarge, InvalidInput
from complaints.evidence.choices import EXTENSIONS, HEIC, IMAGE_TYPES, JPEG, PDF, PNG, WEBP

try:  # HEIC (iPhone photos) where pillow-heif is installed (requirements.txt has it; it ships as wheels only).
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - the type is then refused like any other
    HEIC_SUPPORTED = False

# Pillow's decoder for each image type: a file is decoded only by the decoder of the type its bytes announce.
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF"}
# What an image is stored as: browsers cannot show HEIC, so it becomes JPEG; the others keep their type.
_STORED_AS = {JPEG: JPEG, PNG: PNG, WEBP: WEBP, HEIC: JPEG}
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
THUMBNAIL_SIDE = 320


@dataclass(frozen=True)
class CleanFile:
    """A file that passed the checks, ready to store: `data` is what is stored (re-encoded for images)."""

    original_name: str
    detected_type: str
    content_type: str
    size: int
    sha256: str
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def stored_sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def allowed_types_label() -> str:
    names = ["JPEG", "PNG", "WebP", *(["HEIC"] if HEIC_SUPPORTED else []), "PDF"]
    return ", ".join(names)


def sniff(data: bytes) -> str | None:
    """The file's type from its first bytes, or None when it is none of the allowed types."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if HEIC_SUPPORTED and data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return HEIC
    if _PDF_HEADER.match(data[:8]):
        return PDF
    return None


def clean_name(name: str) -> str:
    """The name as sent, for people to read: no path, no control characters, at most 255 characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name


def file_check_size(*, name: str, size: int) -> None:
    limit = settings.REDRESS_EVIDENCE_MAX_FILE_BYTES
    if size > limit:
        raise FileTooLarge(
            _("“%(name)s” is too large: %(size)s; a file may be at most %(limit)s.")
            % {"name": clean_name(name), "size": _megabytes(size), "limit": _megabytes(limit)},
            fields={"files": [_("At most %(limit)s a file.") % {"limit": _megabytes(limit)}]},
        )


def file_sanitise(*, name: str, data: bytes) -> CleanFile:
    """Check one file and make the copy that is stored. Raises InvalidInput (FileTooLarge for size) naming the file
    and what is wrong."""
    original_name = clean_name(name)
    file_check_size(name=original_name, size=len(data))
    detected = sniff(data)
    if detected is None:
        raise InvalidInput(
            _("“%(name)s” is not a file type we accept. Allowed: %(types)s.")
            % {"name": original_name, "types": allowed_types_label()},
            fields={"files": [_("Allowed types: %(types)s.") % {"types": allowed_types_label()}]},
            code="file_type_not_allowed",
        )
    digest = hashlib.sha256(data).hexdigest()
    if detected == PDF:
        _check_pdf(original_name, data)
        return CleanFile(original_name, PDF, PDF, len(data), digest, data)
    return _reencode(original_name, detected, data, digest)


def _check_pdf(name: str, data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise InvalidInput(
            _("“%(name)s” is not a valid PDF (it is cut off or damaged).") % {"name": name},
            fields={"files": [_("Send the PDF again, complete.")]},
            code="file_damaged",
        )


def _too_many_pixels(name: str, max_pixels: int) -> InvalidInput:
    # A picture with more pixels than that is refused before it is decoded (a decompression bomb: a small file that
    # would take gigabytes of memory once opened).
    return InvalidInput(
        _("“%(name)s” has too many pixels: a picture may have at most %(max)s million.")
        % {"name": name, "max": f"{max_pixels / 1_000_000:g}"},
        fields={"files": [_("The picture has too many pixels.")]},
        code="image_too_large",
    )


def _unreadable(name: str) -> InvalidInput:
    return InvalidInput(
        _("“%(name)s” could not be read as an image (it is damaged or cut off).") % {"name": name},
        fields={"files": [_("Send the picture again, complete.")]},
        code="file_damaged",
    )


def _reencode(name: str, detected: str, data: bytes, digest: str) -> CleanFile:
    max_pixels = settings.REDRESS_EVIDENCE_MAX_PIXELS
    with warnings.catch_warnings():
        # Pillow's own bomb check is a warning below twice its global limit: make it an error, whatever the global.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[detected]])
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(name, max_pixels)
            image.load()
            image = ImageOps.exif_transpose(image)  # the orientation tag goes with the metadata: apply it first
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name, max_pixels)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _unreadable(name)
    stored_type = _STORED_AS[detected]
    try:  # a mode Pillow decodes but cannot convert or write is a picture we cannot take, not a server error
        image = _to_srgb(image)
        side = settings.REDRESS_EVIDENCE_MAX_SIDE
        if max(image.size) > side:
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
        pixels = _pixels_only(image, stored_type)
        out = _encode(pixels, stored_type)
        preview = pixels.copy()
        preview.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
        thumbnail = _encode(preview.convert("RGB"), JPEG)
    except (OSError, ValueError):
        raise _unreadable(name)
    return CleanFile(name, detected, stored_type, len(data), digest, out, pixels.width, pixels.height, thumbnail)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert the pixels to sRGB when the file carries a colour profile (the profile itself is not kept)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image.convert("RGB") if image.mode == "CMYK" else image
    return converted or image


def _pixels_only(image: Image.Image, stored_type: str) -> Image.Image:
    """A new image made of the pixels alone: nothing of the original's info (EXIF, XMP, text chunks) comes along."""
    if stored_type == JPEG:
        mode = "L" if image.mode == "L" else "RGB"
    elif image.mode in ("RGB", "RGBA", "L", "LA"):
        mode = image.mode
    else:
        mode = "RGBA" if "transparency" in image.info or "A" in image.mode else "RGB"
    image = image.convert(mode) if image.mode != mode else image
    return Image.frombytes(mode, image.size, image.tobytes())


def _encode(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == JPEG:
        image.save(out, "JPEG", quality=88, optimize=True)
    elif content_type == PNG:
        image.save(out, "PNG", optimize=True)
    elif content_type == WEBP:
        image.save(out, "WEBP", quality=88)
    else:  # pragma: no cover - _STORED_AS has only these
        raise ValueError(content_type)
    return out.getvalue()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


__all__ = [
    "HEIC_SUPPORTED",
    "IMAGE_TYPES",
    "CleanFile",
    "FileTooLarge",
    "allowed_types_label",
    "clean_name",
    "file_check_size",
    "file_sanitise",
    "sniff",
]
