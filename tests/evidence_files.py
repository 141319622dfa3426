"""Real files for the evidence tests, built in the test: photos with EXIF and GPS, a decompression bomb, a PDF, an
HTML page dressed as a picture."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

# Where the complainant took the photo: 31°14'5.5"N 121°28'1.25"E (central Shanghai).
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 5.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 1.25),
}


def photo_exif(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def picture(size=(640, 480), colour=(200, 30, 30)) -> Image.Image:
    image = Image.new("RGB", size, colour)
    # A white block in the top-left corner, so rotation can be seen.
    image.paste((255, 255, 255), (0, 0, size[0] // 4, size[1] // 4))
    return image


def jpeg_with_gps(*, size=(640, 480), orientation: int = 1, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    picture(size, colour).save(
        out, "JPEG", quality=90, exif=photo_exif(orientation=orientation).tobytes(), comment=b"taken at home"
    )
    return out.getvalue()


def png(*, size=(320, 240), colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    picture(size, colour).save(out, "PNG")
    return out.getvalue()


def webp(*, size=(320, 240)) -> bytes:
    out = io.BytesIO()
    picture(size, (10, 160, 60)).save(out, "WEBP", exif=photo_exif().tobytes())
    return out.getvalue()


def heic_with_gps(*, size=(400, 300)) -> bytes:
    out = io.BytesIO()
    picture(size, (120, 60, 200)).save(out, "HEIF", exif=photo_exif().tobytes())
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width × height pixels, all black: a few hundred kilobytes that decode to hundreds of
    megabytes (a decompression bomb)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(height)]
    data = b"".join(chunks) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def pdf(*, text: str = "Receipt 2026-11-24", padding: int = 0) -> bytes:
    """A one-page PDF with a correct cross-reference table; `padding` bytes of comment make it as large as needed."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        line = b"%" + b"x" * 1022 + b"\n"
        out.write(line * (padding // len(line) + 1))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
