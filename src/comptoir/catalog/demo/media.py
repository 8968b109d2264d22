"""Demo media made locally, without network or external files.

- `tile_jpeg`: a 600 x 600 JPEG (about 10-25 KB): a soft gradient in the category's
  colour, a simple shape for the product type and the product's initials.
- `pdf_sheet`: a one-page PDF 1.4 written by hand (Helvetica, WinAnsi text, a correct
  cross-reference table), about 2 KB: technical sheets, safety data sheets, certificates.
- `cube_glb`: a binary glTF 2.0 (GLB) box: 24 vertices (4 per face, so each face has its
  own normal), 12 triangles, one PBR material. Layout: 12-byte header ("glTF", version 2,
  total length), a JSON chunk padded with spaces, a BIN chunk (positions, normals,
  uint16 indices) padded with zeros, every chunk 4-byte aligned.
"""

from __future__ import annotations

import io
import json
import struct
import unicodedata
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

TILE = 600
STOP_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "en", "a", "à", "au", "et", "pour"}


def initials(name: str) -> str:
    """Two letters from the first significant words ("Perceuse-visseuse sans fil" -> "PV")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [w for w in ascii_name.replace("-", " ").replace("'", " ").split() if w[0].isalpha()]
    significant = [w for w in words if w.lower() not in STOP_WORDS] or words or ["?"]
    return "".join(w[0] for w in significant[:2]).upper()


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _shape(draw: ImageDraw.ImageDraw, shape: str, fill: tuple[int, int, int]) -> None:
    c, r = TILE // 2, 190
    if shape == "circle":
        draw.ellipse((c - r, c - r, c + r, c + r), fill=fill)
    elif shape == "hexagon":
        draw.regular_polygon((c, c, r), 6, fill=fill)
    elif shape == "triangle":
        draw.regular_polygon((c, c + 30, r + 30), 3, fill=fill)
    elif shape == "shield":
        draw.polygon(
            [(c - r, c - r), (c + r, c - r), (c + r, c + 20), (c, c + r + 20), (c - r, c + 20)],
            fill=fill,
        )
    elif shape == "bulb":
        draw.ellipse((c - r + 20, c - r - 10, c + r - 20, c + r - 50), fill=fill)
        draw.rounded_rectangle((c - 70, c + 110, c + 70, c + 200), radius=18, fill=fill)
    elif shape == "leaf":
        draw.ellipse((c - r, c - r + 60, c + r, c + r - 60), fill=fill)
    elif shape == "bolt":
        points = [(c + 40, c - r), (c - 110, c + 30), (c - 5, c + 30), (c - 40, c + r)]
        draw.polygon([*points, (c + 110, c - 30), (c + 5, c - 30)], fill=fill)
    else:
        draw.rounded_rectangle((c - r, c - r, c + r, c + r), radius=48, fill=fill)


@cache
def _base_tile(color: str, shape: str) -> Image.Image:
    base = _hex(color)
    light = _mix(base, (255, 255, 255), 0.55)
    gradient = Image.linear_gradient("L").resize((TILE, TILE))
    image = ImageOps.colorize(gradient, black=light, white=_mix(base, (255, 255, 255), 0.2))
    draw = ImageDraw.Draw(image)
    _shape(draw, shape, base)
    return image


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def tile_jpeg(name: str, *, color: str, shape: str, quality: int = 82) -> bytes:
    """The product picture: category colour, type shape, initials in white."""
    image = _base_tile(color, shape).copy()
    draw = ImageDraw.Draw(image)
    text = initials(name)
    draw.text((TILE // 2, TILE // 2), text, font=_font(150), fill="white", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _pdf_text(value: str) -> bytes:
    raw = value.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pdf_info(value: str) -> bytes:
    """A document-information string: UTF-16BE with a byte-order mark, in hex."""
    return ("FEFF" + value.encode("utf-16-be").hex().upper()).encode()


def pdf_sheet(title: str, subtitle: str, lines: Sequence[str], *, footer: str = "") -> bytes:
    """A one-page A4 PDF with a coloured header, a title and lines of text."""
    content = io.BytesIO()
    content.write(b"0.16 0.33 0.45 rg 0 782 595 60 re f\n")
    content.write(b"BT /F2 18 Tf 1 1 1 rg 40 805 Td (" + _pdf_text(title) + b") Tj ET\n")
    content.write(b"BT /F1 11 Tf 0.2 0.2 0.2 rg 40 750 Td (" + _pdf_text(subtitle) + b") Tj ET\n")
    content.write(b"BT /F1 10 Tf 0 0 0 rg 15 TL 40 715 Td\n")
    for line in lines:
        content.write(b"(" + _pdf_text(line) + b") Tj T*\n")
    content.write(b"ET\n")
    if footer:
        content.write(b"BT /F1 8 Tf 0.4 0.4 0.4 rg 40 40 Td (" + _pdf_text(footer) + b") Tj ET\n")
    stream = content.getvalue()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"endstream",
        b"<< /Title <" + _pdf_info(title) + b"> /Producer (Comptoir demo) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n".encode())
    out.write(b"0000000000 65535 f \n")
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n".encode()
    )
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _cross(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _pad(data: bytes, filler: bytes) -> bytes:
    return data + filler * (-len(data) % 4)


def cube_glb(
    size: tuple[float, float, float] = (1.0, 1.0, 1.0),
    *,
    color: tuple[float, float, float] = (0.8, 0.5, 0.3),
    name: str = "box",
) -> bytes:
    """A box of `size` metres (x, y, z) centred on the origin, as a GLB file."""
    half = [s / 2 for s in size]
    positions: list[float] = []
    normals: list[float] = []
    indices: list[int] = []
    axes = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]
    for n in axes:
        u = (0, 1, 0) if n[0] else (1, 0, 0)
        w = _cross(n, u)  # u x w == n, so (-u-w, u-w, u+w, -u+w) turns counter-clockwise
        first = len(positions) // 3
        for su, sw in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            for axis in range(3):
                positions.append((n[axis] + su * u[axis] + sw * w[axis]) * half[axis])
            normals.extend(float(c) for c in n)
        indices += [first, first + 1, first + 2, first, first + 2, first + 3]
    position_bytes = struct.pack(f"<{len(positions)}f", *positions)
    normal_bytes = struct.pack(f"<{len(normals)}f", *normals)
    index_bytes = _pad(struct.pack(f"<{len(indices)}H", *indices), b"\0")
    binary = position_bytes + normal_bytes + index_bytes
    count = len(positions) // 3
    document = {
        "asset": {"version": "2.0", "generator": "Comptoir demo"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": name}],
        "meshes": [
            {
                "name": name,
                "primitives": [
                    {
                        "attributes": {"POSITION": 0, "NORMAL": 1},
                        "indices": 2,
                        "material": 0,
                        "mode": 4,
                    }
                ],
            }
        ],
        "materials": [
            {
                "name": f"{name}-material",
                "pbrMetallicRoughness": {
                    "baseColorFactor": [*color, 1.0],
                    "metallicFactor": 0.0,
                    "roughnessFactor": 0.7,
                },
            }
        ],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(position_bytes), "target": 34962},
            {
                "buffer": 0,
                "byteOffset": len(position_bytes),
                "byteLength": len(normal_bytes),
                "target": 34962,
            },
            {
                "buffer": 0,
                "byteOffset": len(position_bytes) + len(normal_bytes),
                "byteLength": len(indices) * 2,
                "target": 34963,
            },
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": count,
                "type": "VEC3",
                "min": [-h for h in half],
                "max": list(half),
            },
            {"bufferView": 1, "componentType": 5126, "count": count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": len(indices), "type": "SCALAR"},
        ],
    }
    json_chunk = _pad(json.dumps(document, separators=(",", ":")).encode(), b" ")
    total = 12 + 8 + len(json_chunk) + 8 + len(binary)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, total),
            struct.pack("<I4s", len(json_chunk), b"JSON"),
            json_chunk,
            struct.pack("<I4s", len(binary), b"BIN\0"),
            binary,
        ]
    )
