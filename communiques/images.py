"""The image pipeline: check an upload by decoding it, clean it, and make its renditions.

`process_upload` reads one file and returns it re-encoded, with its renditions, in memory; it
knows nothing of the database. `store` writes the result under an unguessable name,
`delete_files` removes it, and `describe_renditions` gives a page's markup what it needs.

What is accepted, and why:
- JPEG, PNG and WebP, recognised by decoding, whatever the file is called. A still GIF (the
  old site's photos include some) is accepted and stored as PNG; an animated GIF, PNG or WebP is
  refused rather than cut down to its first frame without the press officer knowing. A JPEG
  carrying extra pictures (MPO: depth or HDR maps of recent phones) keeps its main picture.
- Limits are checked before any pixel is decoded: the file's size first, then the size its
  header declares, so that a small file that would decode into gigabytes (a decompression bomb)
  costs no more than reading its header.
- Nothing of the uploaded file is kept but its pixels: EXIF (GPS position, camera serial), XMP,
  comments and any payload hidden after the image are dropped, the orientation EXIF asks for
  is applied to the pixels, and colours are converted to sRGB so that no profile is needed.
- Renditions of a long, narrow image are made narrower, so that none is taller than WebP holds;
  a picture that decodes but cannot be converted or encoded is refused, never a failed request.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any

import PIL.Image
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ImageCms, ImageOps

logger = logging.getLogger(__name__)

# Pillow is only allowed to try these decoders: no other format's parser ever sees an upload.
DECODERS = ("JPEG", "PNG", "WEBP", "GIF")
# The format each decoded format is stored in: a GIF becomes a PNG, without loss.
STORED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
# Formats whose files may hold an animation.
ANIMATED_FORMATS = frozenset({"GIF", "PNG", "WEBP"})
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# The stored original is encoded once more from these; quality stays high to lose little.
ORIGINAL_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "WEBP": {"quality": 90},
}

# Widths of the renditions, in pixels: a phone, a tablet or the text column at 2x, a large
# screen at 2x. The text column is at most 42rem (672 CSS pixels) wide.
RENDITION_WIDTHS = (480, 960, 1600)
# No side of a WebP image may be longer (the format stores 14 bits); JPEG's limit is 65,535.
MAX_RENDITION_SIDE = 16_383
RENDITION_OPTIONS: dict[str, dict[str, Any]] = {
    "WEBP": {"quality": 80, "method": 4},
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
}
UPLOAD_FOLDER = "communiques"

DEFAULT_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})


@dataclass(frozen=True)
class EncodedImage:
    format: str
    width: int
    height: int
    data: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted upload: its re-encoded original and renditions, not yet stored."""

    original: EncodedImage
    renditions: tuple[EncodedImage, ...]
    # Of the file as uploaded: tells a photo uploaded again from a new one.
    source_sha256: str

    @property
    def width(self) -> int:
        return self.original.width

    @property
    def height(self) -> int:
        return self.original.height


@dataclass(frozen=True)
class StoredImage:
    name: str
    # {"width", "height", "format" ("webp" or "jpeg"), "name"} for each rendition.
    renditions: list[dict[str, Any]]


@dataclass(frozen=True)
class Picture:
    """What the markup of one image needs: a fallback source, its size, and the srcsets."""

    src: str
    width: int | None
    height: int | None
    jpeg_srcset: str = ""
    webp_srcset: str = ""


def max_upload_bytes() -> int:
    return getattr(settings, "COMMUNIQUES_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def max_image_pixels() -> int:
    return getattr(settings, "COMMUNIQUES_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)


# --- Checking -------------------------------------------------------------------------------


def validate_upload(file: IO[bytes]) -> None:
    """Refuse a file that process_upload would refuse, without encoding anything."""
    _check_size(file)
    _decode(file).close()


def process_upload(file: IO[bytes]) -> ProcessedImage:
    """Check an uploaded file by decoding it; return it cleaned, re-encoded, with renditions."""
    _check_size(file)
    source_sha256 = _sha256(file)
    with _decode(file) as decoded:
        stored_format = STORED_FORMATS[decoded.format]
        try:
            image = _normalise(decoded)
        except (OSError, ValueError) as error:
            raise _unprocessable() from error
    try:
        original = _encode(image, stored_format, ORIGINAL_OPTIONS[stored_format])
        renditions = _renditions(image)
    except (OSError, ValueError) as error:
        raise _unprocessable() from error
    return ProcessedImage(original=original, renditions=renditions, source_sha256=source_sha256)


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    file.seek(0, io.SEEK_END)
    return file.tell()


def _check_size(file: IO[bytes]) -> None:
    size, limit = _size(file), max_upload_bytes()
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _(
                "The file is %(size)s; images of at most %(limit)s are accepted. Save the photo "
                "at a smaller size and upload it again."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )


def _sha256(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(1 << 16):
        digest.update(chunk)
    return digest.hexdigest()


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("The file is not an image that can be read. Upload a JPEG, PNG or WebP photo."),
        code="not_an_image",
    )


def _unprocessable() -> ValidationError:
    # A picture Pillow decoded but cannot convert or encode: a refusal, never a failed request.
    logger.warning("A decoded image could not be converted or encoded.", exc_info=True)
    return ValidationError(
        _("The image cannot be processed. Save it as a JPEG or PNG photo and upload it again."),
        code="unprocessable",
    )


def _too_many_pixels(size: tuple[int, int] | None = None) -> ValidationError:
    limit = {"limit": max_image_pixels() // 1_000_000}
    if size is None:
        message = _("The image has more than %(limit)s megapixels, the most accepted.") % limit
    else:
        message = _(
            "The image is %(width)s × %(height)s pixels; at most %(limit)s megapixels are "
            "accepted. Reduce it and upload it again."
        ) % {"width": size[0], "height": size[1], **limit}
    return ValidationError(message, code="too_many_pixels")


def _decode(file: IO[bytes]) -> PIL.Image.Image:
    """Open the file and decode its pixels, once its header has shown them to be within limits."""
    file.seek(0)
    try:
        # Reads the header only. Pillow's own bound (twice PIL.Image.MAX_IMAGE_PIXELS) raises
        # here too; ours, lower, is checked below before load().
        image = PIL.Image.open(file, formats=DECODERS)
    except PIL.Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except Exception as error:
        # A foreign or damaged file comes out of Pillow's parsers as many exception types;
        # Django's forms.ImageField catches them all in the same way.
        raise _not_an_image() from error
    try:
        width, height = image.size
        if width < 1 or height < 1:
            raise _not_an_image()
        if width * height > max_image_pixels():
            raise _too_many_pixels(image.size)
        if image.format in ANIMATED_FORMATS and getattr(image, "is_animated", False):
            raise ValidationError(
                _("Animated images are not accepted: upload a still photo."), code="animated"
            )
        try:
            image.load()
        except Exception as error:
            # Pillow refuses truncated files (ImageFile.LOAD_TRUNCATED_IMAGES is left off).
            raise ValidationError(
                _("The image is damaged or incomplete. Upload the photo again."), code="damaged"
            ) from error
    except BaseException:
        image.close()
        raise
    return image


# --- Cleaning -------------------------------------------------------------------------------


def _normalise(image: PIL.Image.Image) -> PIL.Image.Image:
    """Return the picture upright, in sRGB, as RGB or RGBA, and with no metadata."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        # A damaged EXIF block leaves the photo as it was taken; the block itself is dropped.
        logger.info("Orientation left as it is: the EXIF block cannot be read.", exc_info=True)
    icc_profile = image.info.get("icc_profile")
    if image.mode in SIXTEEN_BIT_MODES:
        # convert("L") would clip every value above 255 to white; scale 16 bits down to 8.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    target = "RGBA" if image.has_transparency_data else "RGB"
    # CMYK goes to RGB through its profile, when it has one; everything else first.
    if image.mode not in (target, "CMYK"):
        image = image.convert(target)
    if icc_profile:
        image = _to_srgb(image, icc_profile, target)
    if image.mode != target:
        image = image.convert(target)
    # Whatever the decoder read (EXIF, XMP, comments, profile) would otherwise be written again.
    image.info.clear()
    return image


def _to_srgb(image: PIL.Image.Image, icc_profile: bytes, target: str) -> PIL.Image.Image:
    """Convert the pixels from the embedded profile to sRGB, so that the profile can go."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        # Most cameras already write sRGB: converting 12 megapixels would take a second for
        # nothing. Other profiles (a phone's Display P3, Adobe RGB, CMYK) are converted.
        if ImageCms.getProfileDescription(source).strip().startswith("sRGB"):
            return image
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=target
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A profile that does not fit the pixels (or is damaged) is ignored, as browsers do.
        logger.info("Colour profile ignored: it cannot convert these pixels.", exc_info=True)
        return image


# --- Encoding -------------------------------------------------------------------------------


def rendition_widths(width: int) -> list[int]:
    """Return the widths of an image's renditions: never wider than the image itself."""
    largest = min(width, RENDITION_WIDTHS[-1])
    # An image narrower than the largest width also gets one at its own width: its best version.
    return [*(candidate for candidate in RENDITION_WIDTHS if candidate < largest), largest]


def rendition_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """Return the sizes of an image's renditions, smallest first: at rendition_widths, or
    narrower where the height would be more than WebP holds (a long, narrow infographic)."""
    sizes: list[tuple[int, int]] = []
    for target in rendition_widths(width):
        size = (target, max(1, round(height * target / width)))
        if size[1] > MAX_RENDITION_SIDE:
            size = (max(1, round(width * MAX_RENDITION_SIDE / height)), MAX_RENDITION_SIDE)
        if size not in sizes:
            sizes.append(size)
    return sizes


def _renditions(image: PIL.Image.Image) -> tuple[EncodedImage, ...]:
    renditions = []
    current = image
    # From the largest down, each from the one before: much faster than each from the original.
    for size in reversed(rendition_sizes(image.width, image.height)):
        if current.size != size:
            current = current.resize(size, PIL.Image.Resampling.LANCZOS, reducing_gap=3.0)
        for image_format, options in RENDITION_OPTIONS.items():
            renditions.append(_encode(current, image_format, options))
    return tuple(sorted(renditions, key=lambda rendition: (rendition.format, rendition.width)))


def _encode(image: PIL.Image.Image, image_format: str, options: dict[str, Any]) -> EncodedImage:
    if image_format == "JPEG" and image.mode != "RGB":
        image = _on_white(image)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return EncodedImage(image_format, image.width, image.height, buffer.getvalue())


def _on_white(image: PIL.Image.Image) -> PIL.Image.Image:
    """Return the image laid on white: JPEG has no transparency, and black would show through."""
    background = PIL.Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


# --- Storing --------------------------------------------------------------------------------


def store(processed: ProcessedImage, storage: Storage) -> StoredImage:
    """Write the original and its renditions under one new unguessable name; return the names."""
    today = timezone.localdate()
    # Drafts' images are in the media folder before they are public: their names must not be
    # guessable from the communiqué or the upload.
    stem = f"{UPLOAD_FOLDER}/{today:%Y}/{today:%m}/{secrets.token_urlsafe(16)}"
    written: list[str] = []

    def save(name: str, data: bytes) -> str:
        # Noted before it is written: a storage that fails part-way (a full disk) leaves what it
        # wrote under that name, which is new and unguessable, so the part is ours to remove.
        written.append(name)
        written[-1] = storage.save(name, ContentFile(data))
        return written[-1]

    try:
        name = save(f"{stem}{processed.original.extension}", processed.original.data)
        renditions = []
        for rendition in processed.renditions:
            rendition_name = save(f"{stem}-{rendition.width}{rendition.extension}", rendition.data)
            renditions.append(
                {
                    "width": rendition.width,
                    "height": rendition.height,
                    "format": rendition.format.lower(),
                    "name": rendition_name,
                }
            )
    except BaseException:
        # A storage that fails half-way (a full disk) must not leave half an image behind.
        delete_files(storage, [name for name in written if storage.exists(name)])
        raise
    block = _stored_in_block.get()
    if block is not None:
        block.append((storage, written))
    return StoredImage(name=name, renditions=renditions)


# The files store() wrote inside a removed_on_failure() block.
_stored_in_block: ContextVar[list[tuple[Storage, list[str]]] | None] = ContextVar(
    "stored_in_block", default=None
)


@contextmanager
def removed_on_failure() -> Iterator[None]:
    """Remove the images stored within the block if it fails: the change that uses them is lost.

    For a save whose second photo finds the disk full, or whose database goes away before the
    commit, after the first photo was stored: nothing refers to that one any more.
    """
    outer = _stored_in_block.get()
    stored: list[tuple[Storage, list[str]]] = []
    token = _stored_in_block.set(stored)
    try:
        yield
    except BaseException:
        for storage, names in stored:
            delete_files(storage, names)
        raise
    else:
        if outer is not None:
            # Still the enclosing block's to remove, should it fail.
            outer.extend(stored)
    finally:
        _stored_in_block.reset(token)


def delete_files(storage: Storage, names: Iterable[str]) -> None:
    """Remove stored files; one that cannot be removed is logged and the others still go."""
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("The stored image file %s could not be deleted.", name, exc_info=True)


def stored_url(storage: Storage, name: str) -> str:
    """Return the address of a stored file.

    A list shows about seventy (each photo at several widths, in two formats), and Django's
    storages quote and join each one anew: an address that never changes is worked out once.
    """
    if getattr(storage, "querystring_auth", False):
        # Signed addresses expire: each page signs its own.
        return storage.url(name)
    return _lasting_url(storage, name, settings.MEDIA_URL)


@functools.lru_cache(maxsize=8192)
def _lasting_url(storage: Storage, name: str, media_url: str) -> str:
    # media_url is part of the key only: an address changes with it (and with the storage).
    return storage.url(name)


def describe_renditions(renditions: list[dict[str, Any]], storage: Storage) -> Picture | None:
    """Describe stored renditions for a <picture>: the largest JPEG is the fallback source."""
    jpeg = sorted(
        (r for r in renditions if r["format"] == "jpeg"), key=lambda rendition: rendition["width"]
    )
    if not jpeg:
        return None
    webp = sorted(
        (r for r in renditions if r["format"] == "webp"), key=lambda rendition: rendition["width"]
    )
    largest = jpeg[-1]
    return Picture(
        src=stored_url(storage, largest["name"]),
        width=largest["width"],
        height=largest["height"],
        jpeg_srcset=_srcset(jpeg, storage),
        webp_srcset=_srcset(webp, storage),
    )


def _srcset(renditions: list[dict[str, Any]], storage: Storage) -> str:
    return ", ".join(f"{stored_url(storage, r['name'])} {r['width']}w" for r in renditions)
