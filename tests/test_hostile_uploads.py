"""Hostile photos uploaded through the admin: none fails the request, none is stored as anything
but a clean image, and every stored file is served as the image it is.

What is checked of every stored file is read from its bytes, not from Pillow's opinion of them:
its chunks or segments hold no metadata, and the file ends where its image ends, so nothing
appended to an upload (HTML, a ZIP archive, a script) can survive in it.
"""

import io
import mimetypes
import struct
import zipfile
import zlib
from pathlib import Path

import PIL.Image
import PIL.PngImagePlugin
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve

from communiques import images
from communiques.models import Communique, Image, SiteSettings
from tests.test_admin import speak
from tests.test_images import (
    CAMERA,
    encoded,
    exif_with_gps,
    inline_errors,
    photo,
    png_declaring,
    post_new_communique,
    stored_files,
)

pytestmark = pytest.mark.django_db

PAYLOADS = (b"<script", b"<html", b"alert(", b"PK\x03\x04", b"payload", CAMERA.encode(), b"GPS")
NOT_AN_IMAGE = "The file is not an image that can be read. Upload a JPEG, PNG or WebP photo."
DAMAGED = "The image is damaged or incomplete. Upload the photo again."
ANIMATED = "Animated images are not accepted: upload a still photo."
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def english_admin(admin_client):
    return speak(admin_client, "en")


# --- Files made for the tests ----------------------------------------------------------------


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def raw_png(width, height, colour_type, bit_depth, pixel):
    """A PNG written by hand, in depths Pillow cannot write: 16-bit colour, grey and alpha."""
    rows = (b"\x00" + pixel * width) * height
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def animated(image_format):
    frames = [PIL.Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    return encoded(frames[0], image_format, save_all=True, append_images=frames[1:])


def zip_archive():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", SCRIPT)
    return buffer.getvalue()


def png_with_text_chunks():
    info = PIL.PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{CAMERA} GPS</x:xmpmeta>")
    return photo((40, 30), "PNG", pnginfo=info)


def noise_jpeg(size=(200, 150)):
    return encoded(PIL.Image.effect_noise(size, 64).convert("RGB"), "JPEG")


# --- Reading a stored file's structure ---------------------------------------------------------


def png_structure(data):
    """Return the chunk types of a PNG and the offset just after its IEND chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, kinds = 8, []
    while True:
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        kinds.append(kind.decode("latin-1"))
        offset += 12 + length
        if kind == b"IEND":
            return kinds, offset


def jpeg_structure(data):
    """Return the markers of a JPEG's segments and the offset just after its EOI marker."""
    assert data[:2] == b"\xff\xd8"
    offset, markers = 2, ["SOI"]
    while True:
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        if marker == 0xD9:
            markers.append("EOI")
            return markers, offset + 2
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        markers.append(f"{marker:02X}")
        offset += 2 + length
        if marker == 0xDA:
            # Entropy-coded data runs to the next marker: FF not followed by 00 or a restart.
            while not (data[offset] == 0xFF and data[offset + 1] not in (0x00, *range(0xD0, 0xD8))):
                offset += 1


def webp_structure(data):
    """Return the chunk types of a WebP file and the length its RIFF header declares."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    (size,) = struct.unpack("<I", data[4:8])
    offset, kinds = 12, []
    while offset < 8 + size:
        kind = data[offset : offset + 4]
        (length,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        kinds.append(kind.decode("latin-1"))
        offset += 8 + length + (length & 1)
    return kinds, 8 + size


# Chunks and segments of pixels, palette, transparency and coding tables: no text, no EXIF, no
# XMP, no colour profile, no comment.
PIXEL_CHUNKS = {
    "png": {"IHDR", "PLTE", "tRNS", "IDAT", "IEND"},
    # SOI, APP0 (JFIF), DQT, SOF0/SOF2, DHT, SOS, DRI, EOI.
    "jpeg": {"SOI", "E0", "DB", "C0", "C2", "C4", "DA", "DD", "EOI"},
    "webp": {"VP8 ", "VP8L", "VP8X", "ALPH"},
}
STRUCTURES = {"png": png_structure, "jpeg": jpeg_structure, "webp": webp_structure}
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def assert_clean_image_file(name):
    """The stored file is an image of the type its name says, whole, and nothing more."""
    data = (Path(settings.MEDIA_ROOT) / name).read_bytes()
    with PIL.Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "WEBP"]) as image:
        image_format = image.format.lower()
        image.load()
    kinds, end = STRUCTURES[image_format](data)
    assert end == len(data), f"{name}: {len(data) - end} bytes after the image"
    assert set(kinds) <= PIXEL_CHUNKS[image_format], f"{name}: {kinds}"
    assert not any(payload in data for payload in PAYLOADS)
    # Served as every web server and bucket serves it: by its name's extension.
    assert mimetypes.guess_type(name)[0] == CONTENT_TYPES[image_format]
    response = serve(RequestFactory().get(f"/media/{name}"), name, settings.MEDIA_ROOT)
    assert response["Content-Type"] == CONTENT_TYPES[image_format]
    response.close()
    return image_format


# --- Through the admin -------------------------------------------------------------------------

REFUSED = [
    ("html.jpg", SCRIPT, NOT_AN_IMAGE),
    (
        "vector.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(2)</script></svg>",
        NOT_AN_IMAGE,
    ),
    ("document.jpg", b"%PDF-1.7\n1 0 obj <</JS (app.alert(1))>> endobj", NOT_AN_IMAGE),
    ("page-then-photo.jpg", SCRIPT + photo((40, 30), "JPEG"), NOT_AN_IMAGE),
    ("archive.png", zip_archive(), NOT_AN_IMAGE),
    ("photo.tif", photo((16, 16), "TIFF"), NOT_AN_IMAGE),
    ("truncated.jpg", noise_jpeg()[:2000], DAMAGED),
    ("truncated.png", encoded(PIL.Image.effect_noise((200, 150), 64), "PNG")[:3000], DAMAGED),
    (
        "bomb.png",
        png_declaring(8000, 6000),
        "The image is 8000 × 6000 pixels; at most 40 megapixels are accepted. "
        "Reduce it and upload it again.",
    ),
    (
        "huge.png",
        png_declaring(100_000, 100_000),
        "The image has more than 40 megapixels, the most accepted.",
    ),
    ("animated.gif", animated("GIF"), ANIMATED),
    ("animated.png", animated("PNG"), ANIMATED),
    ("animated.webp", animated("WEBP"), ANIMATED),
]


@pytest.mark.parametrize(
    ("name", "data", "message"), REFUSED, ids=[name for name, _data, _message in REFUSED]
)
def test_a_hostile_file_is_refused_with_a_clear_error_and_nothing_is_stored(
    english_admin, name, data, message
):
    response = post_new_communique(english_admin, SimpleUploadedFile(name, data))

    assert response.status_code == 200
    assert inline_errors(response) == [{"file": [message]}]
    assert "Réunion de la coalition" in response.content.decode()
    assert not Communique.objects.exists()
    assert stored_files() == []


ACCEPTED = [
    ("cmyk.jpg", photo((40, 30), "JPEG", mode="CMYK", color=(0, 255, 255, 0)), "RGB"),
    ("deep-colour.png", raw_png(8, 6, 2, 16, b"\xff\xff\x00\x00\x80\x00"), "RGB"),
    ("deep-grey-alpha.png", raw_png(8, 6, 4, 16, b"\x80\x00\xff\xff"), "RGBA"),
    ("deep-grey.png", raw_png(8, 6, 0, 16, b"\x80\x00"), "RGB"),
    ("photo-then-page.jpg", photo((40, 30), "JPEG") + SCRIPT, "RGB"),
    ("photo-then-archive.png", photo((40, 30), "PNG") + zip_archive(), "RGB"),
    ("photo-then-script.webp", photo((40, 30), "WEBP") + b"payload" + SCRIPT, "RGB"),
    ("still-with-comment.gif", photo((40, 30), "GIF", mode="P", comment=SCRIPT) + SCRIPT, "RGB"),
    ("text-chunks.png", png_with_text_chunks(), "RGB"),
    (
        "exif-and-comment.jpg",
        photo((40, 30), "JPEG", exif=exif_with_gps(), comment=SCRIPT),
        "RGB",
    ),
    (
        "exif-and-xmp.webp",
        photo((40, 30), "WEBP", exif=exif_with_gps(), xmp=f"<x>{CAMERA}</x>".encode()),
        "RGB",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "mode"), ACCEPTED, ids=[name for name, _data, _mode in ACCEPTED]
)
def test_an_odd_or_polyglot_image_is_stored_clean_whole_and_served_as_an_image(
    english_admin, name, data, mode
):
    response = post_new_communique(english_admin, SimpleUploadedFile(name, data))

    assert response.status_code == 302
    image = Image.objects.get()
    assert stored_files() == sorted(image.stored_names())
    for stored in image.stored_names():
        assert_clean_image_file(stored)
    with PIL.Image.open(image.file.path) as original:
        assert original.mode == mode
        # 8 bits a channel: the browsers' depth, and no pixel left as it was uploaded.
        assert original.getextrema()[0][1] <= 255


def test_a_16_bit_colour_png_keeps_its_colours_at_8_bits(english_admin):
    upload = raw_png(8, 6, 2, 16, b"\xff\xff\x00\x00\x80\x00")

    post_new_communique(english_admin, SimpleUploadedFile("deep.png", upload))

    with PIL.Image.open(Image.objects.get().file.path) as stored:
        assert stored.getpixel((0, 0)) == (255, 0, 128)


def test_a_long_narrow_image_gets_renditions_no_taller_than_webp_holds(english_admin):
    upload = raw_png(1, 20_000, 2, 8, b"\x10\x20\x30")

    response = post_new_communique(english_admin, SimpleUploadedFile("ribbon.png", upload))

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (1, 20_000)
    assert {(r["width"], r["height"]) for r in image.renditions} == {(1, 16_383)}
    for stored in image.stored_names():
        assert_clean_image_file(stored)


def test_rendition_sizes_keep_their_widths_until_the_height_would_exceed_webps_limit():
    assert images.rendition_sizes(3000, 2000) == [(480, 320), (960, 640), (1600, 1067)]
    assert images.rendition_sizes(1000, 20_000) == [(480, 9600), (819, 16_383)]
    assert images.rendition_sizes(2, 90_000) == [(1, 16_383)]


def test_an_image_pillow_cannot_encode_is_refused_clearly_not_with_an_error_page(
    english_admin, monkeypatch
):
    upload = SimpleUploadedFile("photo.png", photo())

    def failing_save(*args, **kwargs):
        raise OSError("encoder error -2")

    monkeypatch.setattr(PIL.Image.Image, "save", failing_save)

    response = post_new_communique(english_admin, upload)

    assert response.status_code == 200
    assert inline_errors(response) == [
        {
            "file": [
                "The image cannot be processed. Save it as a JPEG or PNG photo and upload it again."
            ]
        }
    ]
    assert not Communique.objects.exists()


def test_a_polyglot_logo_is_stored_clean_and_served_as_an_image(english_admin):
    logo = photo((240, 120), "PNG") + zip_archive()

    response = english_admin.post(
        reverse("admin:communiques_sitesettings_add"),
        {"name_fa_af": "سفارت فرانسه", "logo": SimpleUploadedFile("logo.png", logo)},
    )

    assert response.status_code == 302
    assert assert_clean_image_file(SiteSettings.load().logo.name) == "png"


def test_a_hostile_logo_is_refused_with_a_clear_error(english_admin):
    response = english_admin.post(
        reverse("admin:communiques_sitesettings_add"),
        {"name_fa_af": "سفارت فرانسه", "logo": SimpleUploadedFile("logo.png", SCRIPT)},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"]
    assert not SiteSettings.objects.exists()
    assert stored_files() == []
