import io
import re
import struct
import tracemalloc
import zlib
from pathlib import Path

import PIL.Image
import PIL.ImageFile
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ImageCms
from pytest_django.asserts import assertContains

from communiques import images
from communiques.importers import CommuniqueImportError, communique_import
from communiques.models import Communique, Image, SourceLink
from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory
from tests.test_admin import (
    ADD_URL,
    add_inline_form,
    change_url,
    form_data,
    markup,
    new_communique_data,
    speak,
)
from tests.test_importers import SAMPLE
from tests.test_views import detail_url, picture_markup

pytestmark = pytest.mark.django_db

TYPED_TITLES = ("Réunion de la coalition", "نشست ائتلاف بین‌المللی")
NOT_AN_IMAGE = "The file is not an image that can be read. Upload a JPEG, PNG or WebP photo."
CAMERA = "SpyCam 3000"


@pytest.fixture
def english_admin(admin_client):
    return speak(admin_client, "en")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- Files made for the tests ----------------------------------------------------------------


def encoded(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def photo(size=(64, 48), image_format="PNG", mode="RGB", color="teal", **options):
    return encoded(PIL.Image.new(mode, size, color), image_format, **options)


def two_colour_photo(size=(40, 20), **options):
    """A JPEG whose left half is red and right half blue, to tell how it was turned."""
    image = PIL.Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    return encoded(image, "JPEG", quality=95, **options)


def exif_with_gps(orientation=1):
    exif = PIL.Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = CAMERA  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    return exif


def png_declaring(width, height):
    """Return a valid black 1-bit PNG: a few kilobytes that decode into width × height pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = bytes(1 + (width + 7) // 8)  # filter byte, then the packed pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join([compressor.compress(row) for _ in range(height)] + [compressor.flush()])
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def open_stored(name):
    return PIL.Image.open(Path(settings.MEDIA_ROOT) / name)


@pytest.fixture
def never_decoded(monkeypatch):
    """Fail the test if any image's pixels are decoded."""
    decoded = []
    monkeypatch.setattr(PIL.ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    yield decoded
    assert decoded == []


# --- Through the admin ---------------------------------------------------------------------


def post_new_communique(client, upload, **image_values):
    page = client.get(ADD_URL)
    values = {
        "file": upload,
        "alt_text_fa_af": "عکس جلسه",
        "alt_text_fr": "Photo de la réunion",
        "after_paragraph": "1",
        **image_values,
    }
    data = add_inline_form(page, new_communique_data(page), "images", **values)
    return client.post(ADD_URL, data)


def inline_errors(response):
    return [
        error
        for inline in response.context["inline_admin_formsets"]
        for error in inline.formset.errors
        if error
    ]


def assert_refused_with_everything_typed_kept(response, message):
    assert response.status_code == 200
    assert inline_errors(response) == [{"file": [message]}]
    content = response.content.decode()
    for title in TYPED_TITLES:
        assert title in content
    assert Communique.objects.count() == 0
    assert Image.objects.count() == 0
    assert stored_files() == []


class TestUploadsThroughTheAdmin:
    def test_the_file_chooser_proposes_the_accepted_formats(self, english_admin):
        image = ImageFactory()

        response = english_admin.get(change_url(image.communique))

        control = markup(response).controls["images-0-file"]
        assert control["accept"] == "image/jpeg,image/png,image/webp,image/gif"

    def test_a_png_named_jpg_is_accepted_and_stored_as_the_png_it_is(self, english_admin):
        response = post_new_communique(
            english_admin, SimpleUploadedFile("photo.jpg", photo((64, 48), "PNG"), "image/jpeg")
        )

        assert response.status_code == 302
        image = Image.objects.get()
        assert (image.width, image.height) == (64, 48)
        assert image.file.name.endswith(".png")
        assert open_stored(image.file.name).format == "PNG"

    def test_the_stored_name_is_random_and_says_nothing_of_the_upload(self, english_admin):
        post_new_communique(
            english_admin, SimpleUploadedFile("ambassador-secret-visit.png", photo(), "image/png")
        )

        image = Image.objects.get()
        assert re.fullmatch(r"communiques/\d{4}/\d{2}/[\w-]{22}\.png", image.file.name)
        assert all("secret" not in name for name in stored_files())

    def test_a_text_file_named_jpg_is_refused_and_everything_typed_stays(self, english_admin):
        text = SimpleUploadedFile("photo.jpg", b"Minutes of the meeting, not a photo.")

        response = post_new_communique(english_admin, text)

        assert_refused_with_everything_typed_kept(response, NOT_AN_IMAGE)

    def test_a_refused_upload_on_edit_changes_nothing_and_keeps_the_other_rows_typing(
        self, english_admin
    ):
        communique = CommuniqueFactory(title_fr="Avant")
        kept = ImageFactory(communique=communique)
        SourceLinkFactory(communique=communique, label_fr="Ancien libellé")
        files_before = stored_files()
        page = english_admin.get(change_url(communique))
        data = form_data(page)
        data.update(
            {"title_fr": "Après", "images-0-caption_fr": "Légende tapée", "links-0-label_fr": "Lu"}
        )
        add_inline_form(
            page,
            data,
            "images",
            file=SimpleUploadedFile("b.jpg", b"<html>not a photo</html>"),
            alt_text_fa_af="عکس",
            alt_text_fr="Photo",
            after_paragraph="2",
        )

        response = english_admin.post(change_url(communique), data)

        assert response.status_code == 200
        assert inline_errors(response) == [{"file": [NOT_AN_IMAGE]}]
        content = response.content.decode()
        for typed in ("Après", "Légende tapée", "Lu"):
            assert typed in content
        communique.refresh_from_db()
        assert communique.title_fr == "Avant"
        assert list(communique.images.all()) == [kept]
        assert SourceLink.objects.get().label_fr == "Ancien libellé"
        assert stored_files() == files_before

    @pytest.mark.parametrize(
        ("width", "height", "message"),
        [
            # Over our limit (40 megapixels), under Pillow's own: refused by its header.
            (
                8000,
                6000,
                "The image is 8000 × 6000 pixels; at most 40 megapixels are accepted. "
                "Reduce it and upload it again.",
            ),
            # Over twice Pillow's bound: Pillow itself refuses to open it.
            (20000, 20000, "The image has more than 40 megapixels, the most accepted."),
        ],
    )
    def test_a_decompression_bomb_is_refused_without_being_decoded(
        self, english_admin, never_decoded, width, height, message
    ):
        bomb = png_declaring(width, height)
        assert len(bomb) < 100_000

        response = post_new_communique(english_admin, SimpleUploadedFile("bomb.png", bomb))

        assert_refused_with_everything_typed_kept(response, message)

    def test_a_file_over_the_byte_limit_is_refused(self, english_admin, settings):
        settings.COMMUNIQUES_MAX_UPLOAD_BYTES = 10_000
        noise = encoded(PIL.Image.effect_noise((100, 100), 64), "PNG")
        assert len(noise) > 10_000

        response = post_new_communique(english_admin, SimpleUploadedFile("noise.png", noise))

        assert_refused_with_everything_typed_kept(
            response,
            f"The file is {len(noise) / 1024:.1f}\xa0KB; images of at most 9.8\xa0KB are "
            "accepted. Save the photo at a smaller size and upload it again.",
        )

    def test_a_50_mb_upload_streams_to_disk_and_is_refused_by_its_size_alone(
        self, english_admin, never_decoded
    ):
        page = english_admin.get(ADD_URL)
        data = add_inline_form(
            page, new_communique_data(page), "images", alt_text_fa_af="عکس", after_paragraph="1"
        )
        body = StreamedMultipart(data, "images-0-file", "huge.jpg", size=50 * 1024 * 1024)

        tracemalloc.start()
        try:
            response = english_admin.request(
                REQUEST_METHOD="POST",
                PATH_INFO=ADD_URL,
                CONTENT_TYPE=f"multipart/form-data; boundary={body.boundary}",
                CONTENT_LENGTH=str(body.length),
                **{"wsgi.input": body},
            )
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert_refused_with_everything_typed_kept(
            response,
            "The file is 50.0\xa0MB; images of at most 15.0\xa0MB are accepted. "
            "Save the photo at a smaller size and upload it again.",
        )
        # Django writes uploads over 2.5 MB to a temporary file: the 50 MB never sit in memory.
        assert peak < 10 * 1024 * 1024

    def test_an_image_with_gps_exif_keeps_none_of_it_in_any_stored_file(self, english_admin):
        upload = photo((1000, 600), "JPEG", exif=exif_with_gps(), comment=b"shot at the embassy")

        response = post_new_communique(english_admin, SimpleUploadedFile("gps.jpg", upload))

        assert response.status_code == 302
        image = Image.objects.get()
        assert len(image.renditions) == 6
        assert stored_files() == sorted(image.stored_names())
        for name in image.stored_names():
            data = (Path(settings.MEDIA_ROOT) / name).read_bytes()
            assert CAMERA.encode() not in data
            assert b"Exif" not in data and b"embassy" not in data
            with open_stored(name) as stored:
                assert dict(stored.getexif()) == {}
                assert not {"exif", "xmp", "comment", "icc_profile"} & stored.info.keys()

    def test_deleting_an_image_in_the_inline_removes_all_its_files(
        self, english_admin, django_capture_on_commit_callbacks
    ):
        image = ImageFactory()
        assert len(stored_files()) == 5  # the original, 480 and 640 pixels wide in two formats
        data = form_data(english_admin.get(change_url(image.communique)))
        data["images-0-DELETE"] = "on"
        data["minor_change"] = "on"  # The communiqué is public: the change needs a note or this.

        with django_capture_on_commit_callbacks(execute=True):
            response = english_admin.post(change_url(image.communique), data)

        assert response.status_code == 302
        assert not Image.objects.exists()
        assert stored_files() == []

    def test_replacing_an_image_file_removes_the_old_files_once_saved(
        self, english_admin, django_capture_on_commit_callbacks
    ):
        image = ImageFactory()
        old_files = stored_files()
        data = form_data(english_admin.get(change_url(image.communique)))
        data["images-0-file"] = SimpleUploadedFile("new.webp", photo((300, 200), "WEBP"))
        data["minor_change"] = "on"

        with django_capture_on_commit_callbacks(execute=True):
            response = english_admin.post(change_url(image.communique), data)

        assert response.status_code == 302
        image.refresh_from_db()
        assert (image.width, image.height) == (300, 200)
        assert image.file.name.endswith(".webp")
        assert stored_files() == sorted(image.stored_names())
        assert not set(old_files) & set(stored_files())

    def test_clearing_an_image_file_removes_its_files_and_keeps_its_place(
        self, english_admin, django_capture_on_commit_callbacks
    ):
        image = ImageFactory()
        data = form_data(english_admin.get(change_url(image.communique)))
        data["images-0-file-clear"] = "on"
        data["minor_change"] = "on"

        with django_capture_on_commit_callbacks(execute=True):
            english_admin.post(change_url(image.communique), data)

        image.refresh_from_db()
        assert (image.is_missing, image.renditions, image.width) == (True, [], None)
        assert stored_files() == []


class TestAlternativeText:
    @pytest.mark.parametrize(
        ("status", "decorative", "saved"),
        [
            (Communique.Status.PUBLISHED, False, False),
            (Communique.Status.PUBLISHED, True, True),
            (Communique.Status.DRAFT, False, True),
        ],
    )
    def test_a_published_communique_needs_its_images_described_in_each_of_its_languages(
        self, english_admin, status, decorative, saved
    ):
        page = english_admin.get(ADD_URL)
        data = add_inline_form(
            page,
            new_communique_data(page, status=status),
            "images",
            file=SimpleUploadedFile("photo.png", photo()),
            alt_text_fa_af="عکس جلسه",
            after_paragraph="1",
            **({"is_decorative": "on"} if decorative else {}),
        )

        response = english_admin.post(ADD_URL, data)

        assert Image.objects.exists() == saved
        if not saved:
            assert inline_errors(response) == [
                {
                    "alt_text_fr": [
                        "Describe the photo in French, or mark it as decorative: the "
                        "communiqué is published in French."
                    ]
                }
            ]
            assert stored_files() == []

    def test_an_image_still_to_be_uploaded_needs_no_description(self, english_admin):
        communique = CommuniqueFactory()
        ImageFactory(communique=communique, file="", alt_text_fr="")
        data = form_data(english_admin.get(change_url(communique)))
        data["minor_change"] = "on"

        response = english_admin.post(change_url(communique), data)

        assert response.status_code == 302

    def test_a_decorative_image_has_an_empty_alternative_text_on_the_page(self, client):
        image = ImageFactory(is_decorative=True, alt_text_fa_af="عکس جلسه")

        response = client.get(detail_url(image.communique))

        assertContains(response, picture_markup(image, alt="", loading="eager"), html=True)


# --- The pipeline -------------------------------------------------------------------------


def process(data, name="upload"):
    return images.process_upload(SimpleUploadedFile(name, data))


def decode(encoded_image):
    return PIL.Image.open(io.BytesIO(encoded_image.data))


@pytest.mark.usefixtures("english")
class TestPipeline:
    @pytest.mark.parametrize(
        ("width", "widths"),
        [(300, [300]), (640, [480, 640]), (1600, [480, 960, 1600]), (2400, [480, 960, 1600])],
    )
    def test_renditions_in_webp_and_jpeg_are_never_wider_than_the_original(self, width, widths):
        processed = process(photo((width, width // 2), "JPEG"))

        made = [(r.format, r.width, r.height) for r in processed.renditions]
        assert made == [
            *(("JPEG", w, round(w / 2)) for w in widths),
            *(("WEBP", w, round(w / 2)) for w in widths),
        ]
        for rendition in processed.renditions:
            with decode(rendition) as image:
                assert (image.format, image.size) == (
                    rendition.format,
                    (rendition.width, rendition.height),
                )

    def test_the_exif_orientation_is_applied_to_the_pixels(self):
        # Orientation 6: the camera was turned a quarter clockwise; the left side is the top.
        processed = process(two_colour_photo((40, 20), exif=exif_with_gps(orientation=6)))

        assert (processed.width, processed.height) == (20, 40)
        for encoded_image in (processed.original, *processed.renditions):
            with decode(encoded_image) as image:
                assert image.size == (20, 40)
                assert image.getexif().get(0x0112) is None
                red, green, blue = image.convert("RGB").getpixel((10, 5))
                assert red > 200 and blue < 60
                red, green, blue = image.convert("RGB").getpixel((10, 35))
                assert blue > 200 and red < 60

    def test_a_cmyk_jpeg_is_stored_in_rgb_with_its_colours(self):
        processed = process(photo((32, 32), "JPEG", mode="CMYK", color=(0, 255, 255, 0)))

        with decode(processed.original) as image:
            assert (image.format, image.mode) == ("JPEG", "RGB")
            red, green, blue = image.getpixel((16, 16))
            assert red > 230 and green < 30 and blue < 30

    def test_a_cmyk_jpeg_with_a_colour_profile_is_converted_to_srgb(self):
        # No CMYK profile ships with Pillow; an RGB profile on CMYK pixels must be survived.
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

        processed = process(
            photo((16, 16), "JPEG", mode="CMYK", color=(0, 255, 255, 0), icc_profile=srgb)
        )

        with decode(processed.original) as image:
            assert image.mode == "RGB"
            assert "icc_profile" not in image.info

    def test_a_16_bit_greyscale_png_is_scaled_down_not_clipped(self):
        processed = process(photo((32, 32), "PNG", mode="I;16", color=40000))

        with decode(processed.original) as image:
            assert image.mode == "RGB"
            # 40000 of 65535 is 156 of 255; clipping would give white.
            assert image.getpixel((16, 16)) == (156, 156, 156)

    def test_transparency_is_kept_in_png_and_webp_and_laid_on_white_in_jpeg(self):
        processed = process(photo((32, 32), "PNG", mode="RGBA", color=(255, 0, 0, 0)))

        with decode(processed.original) as image:
            assert (image.format, image.mode) == ("PNG", "RGBA")
        webp, jpeg = (
            next(r for r in processed.renditions if r.format == image_format)
            for image_format in ("WEBP", "JPEG")
        )
        with decode(webp) as image:
            assert image.mode == "RGBA"
        with decode(jpeg) as image:
            assert image.getpixel((16, 16)) == (255, 255, 255)

    def test_a_still_gif_is_stored_as_png(self):
        processed = process(photo((30, 20), "GIF", mode="P", color=3), name="old.gif")

        assert processed.original.format == "PNG"
        assert processed.original.extension == ".png"

    @pytest.mark.parametrize("image_format", ["GIF", "PNG", "WEBP"])
    def test_an_animated_image_is_refused(self, image_format):
        frames = [PIL.Image.new("RGB", (16, 16), color) for color in ("red", "blue")]
        animated = encoded(frames[0], image_format, save_all=True, append_images=frames[1:])

        with pytest.raises(ValidationError) as refusal:
            process(animated)

        assert refusal.value.messages == ["Animated images are not accepted: upload a still photo."]

    def test_a_truncated_jpeg_is_refused(self):
        whole = encoded(PIL.Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")

        with pytest.raises(ValidationError) as refusal:
            process(whole[: len(whole) // 2])

        assert refusal.value.code == "damaged"
        assert refusal.value.messages == [
            "The image is damaged or incomplete. Upload the photo again."
        ]

    @pytest.mark.parametrize(
        "payload",
        [
            b"<html><script>alert(document.cookie)</script></html>",
            b"PK\x03\x04" + b"\x00" * 26 + b"payload.html",
        ],
    )
    def test_a_payload_hidden_after_the_image_is_not_stored(self, payload):
        polyglot = photo((64, 48), "JPEG") + payload

        processed = process(polyglot, name="photo.jpg")

        for encoded_image in (processed.original, *processed.renditions):
            assert payload not in encoded_image.data
            assert b"script" not in encoded_image.data and b"PK\x03\x04" not in encoded_image.data

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"", "empty"),
            (b"%PDF-1.7 not a photo", "not_an_image"),
            (photo((16, 16), "TIFF"), "not_an_image"),
            (photo((16, 16), "BMP"), "not_an_image"),
        ],
    )
    def test_what_is_not_jpeg_png_webp_or_gif_is_refused(self, data, code):
        with pytest.raises(ValidationError) as refusal:
            images.process_upload(io.BytesIO(data))

        assert refusal.value.code == code


# --- On the page and in storage ----------------------------------------------------------------


def test_the_detail_page_offers_every_rendition_in_srcset_with_the_size(client):
    communique = CommuniqueFactory()
    image = ImageFactory(communique=communique, file__width=2000, file__height=1000)
    name = image.file.name.removesuffix(".jpg")
    media = settings.MEDIA_URL

    response = client.get(detail_url(communique))

    sizes = "(min-width: 44.5rem) 42rem, calc(100vw - 2.5rem)"
    assertContains(
        response,
        f'<picture><source type="image/webp" srcset="{media}{name}-480.webp 480w, '
        f'{media}{name}-960.webp 960w, {media}{name}-1600.webp 1600w" sizes="{sizes}">'
        f'<img src="{media}{name}-1600.jpg" srcset="{media}{name}-480.jpg 480w, '
        f'{media}{name}-960.jpg 960w, {media}{name}-1600.jpg 1600w" sizes="{sizes}" '
        'width="1600" height="800" alt="عکس جلسه" loading="eager" decoding="async"></picture>',
        html=True,
    )


def test_an_image_stored_before_renditions_existed_is_shown_as_uploaded(client):
    communique = CommuniqueFactory()
    image = ImageFactory(communique=communique)
    Image.objects.filter(pk=image.pk).update(renditions=[])

    response = client.get(detail_url(communique))

    assertContains(
        response,
        f'<picture><img src="{image.file.url}" width="640" height="480" alt="عکس جلسه" '
        'loading="eager" decoding="async"></picture>',
        html=True,
    )


class TestDeletion:
    def test_deleting_an_image_removes_its_files_only_once_committed(
        self, django_capture_on_commit_callbacks
    ):
        image = ImageFactory()
        assert len(stored_files()) == 5

        with django_capture_on_commit_callbacks() as callbacks:
            image.delete()
        assert len(stored_files()) == 5
        for callback in callbacks:
            callback()

        assert stored_files() == []

    @pytest.mark.parametrize("how", ["instance", "queryset"])
    def test_deleting_a_communique_removes_its_images_files(
        self, django_capture_on_commit_callbacks, how
    ):
        communique = CommuniqueFactory()
        ImageFactory.create_batch(2, communique=communique)
        ImageFactory()  # another communiqué's, which stays

        with django_capture_on_commit_callbacks(execute=True):
            if how == "instance":
                communique.delete()
            else:
                Communique.objects.filter(pk=communique.pk).delete()

        assert stored_files() == sorted(Image.objects.get().stored_names())

    def test_deleting_images_by_queryset_removes_their_files(
        self, django_capture_on_commit_callbacks
    ):
        ImageFactory.create_batch(2)

        with django_capture_on_commit_callbacks(execute=True):
            Image.objects.all().delete()

        assert stored_files() == []


# --- The importer ---------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
class TestImporterPhotos:
    def test_imported_photos_go_through_the_pipeline(self, tmp_path):
        folder = tmp_path / "photos"
        folder.mkdir()
        (folder / "a.jpg").write_bytes(photo((1000, 500), "JPEG", exif=exif_with_gps()))
        (folder / "b.png").write_bytes(photo((20, 10), "PNG"))

        result = communique_import(path=SAMPLE, language="fa-af", images_dir=folder)

        first, second = result.communique.images.all()
        assert [(r["format"], r["width"]) for r in first.renditions] == [
            ("jpeg", 480),
            ("jpeg", 960),
            ("jpeg", 1000),
            ("webp", 480),
            ("webp", 960),
            ("webp", 1000),
        ]
        assert [(r["format"], r["width"]) for r in second.renditions] == [
            ("jpeg", 20),
            ("webp", 20),
        ]
        assert stored_files() == sorted(first.stored_names() + second.stored_names())
        assert all(
            CAMERA.encode() not in (Path(settings.MEDIA_ROOT) / name).read_bytes()
            for name in first.stored_names()
        )

    def test_a_folder_with_a_bomb_is_refused_before_anything_is_written(self, tmp_path):
        folder = tmp_path / "photos"
        folder.mkdir()
        (folder / "a.jpg").write_bytes(photo((40, 30), "JPEG"))
        (folder / "b.png").write_bytes(png_declaring(8000, 6000))

        with pytest.raises(CommuniqueImportError, match="The photo «b.png» was refused: The image"):
            communique_import(path=SAMPLE, language="fa-af", images_dir=folder)

        assert Communique.objects.count() == 0
        assert not Path(settings.MEDIA_ROOT).exists()


# --- A streamed request body -------------------------------------------------------------------


class StreamedMultipart(io.RawIOBase):
    """A multipart/form-data body whose file is `size` zero bytes, made as it is read."""

    boundary = "StreamedMultipartBoundary"

    def __init__(self, fields, file_field, file_name, *, size):
        super().__init__()
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
            for name, value in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{file_name}"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        self._head = head
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._size = size
        self._position = 0
        self.length = len(head) + size + len(self._tail)

    def readable(self):
        return True

    def readinto(self, buffer):
        start, count = self._position, min(len(buffer), self.length - self._position)
        if count <= 0:
            return 0
        end = start + count
        zeros_start, zeros_end = len(self._head), len(self._head) + self._size
        chunk = bytearray(count)
        if start < zeros_start:
            piece = self._head[start : min(end, zeros_start)]
            chunk[: len(piece)] = piece
        if end > zeros_end:
            piece = self._tail[max(0, start - zeros_end) : end - zeros_end]
            chunk[count - len(piece) :] = piece
        buffer[:count] = chunk
        self._position = end
        return count
