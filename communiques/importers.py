"""Import a communiqué from the plain text of its page on the embassy's site.

`parse_communique` reads the text into a `ParsedCommunique` and knows nothing of the database;
`communique_import` writes it in one transaction, creating the communiqué or adding or updating
the version in one language.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from . import dates, images
from .forms import validate_public_address
from .models import Communique, Image, SourceLink, language_codes
from .text import paragraphs_to_html, sanitize_html, strip_hidden_characters


@dataclass(frozen=True)
class Markers:
    """The words with which the site's page furniture is written in one language."""

    more_info: str
    published: str
    top_of_page: str


MARKERS: dict[str, Markers] = {
    "fa-af": Markers(
        more_info="جهت دریافت معلومات مزید",
        published="تاریخ نشر",
        top_of_page="قسمت بالایی صفحه",
    ),
    "ps": Markers(
        more_info="د لا زیاتو معلوماتو لپاره",
        published="د خپرېدو نېټه",
        top_of_page="د پاڼې سر ته",
    ),
    "fr": Markers(
        more_info="Pour en savoir plus",
        published="Date de publication",
        top_of_page="Haut de page",
    ),
    "en": Markers(
        more_info="For more information",
        published="Date of publication",
        top_of_page="Top of page",
    ),
}

# A copied page keeps, where a photo stood, only the photo's format.
IMAGE_MARKERS = frozenset({"JPEG", "JPG", "PNG", "GIF"})
# A subtitle is one short line without a closing full stop; anything longer is the first paragraph.
SUBTITLE_MAX_LENGTH = 150
SENTENCE_ENDS = ".!?؟…۔"
# The page gives a publication day but no time. Midnight at the embassy would be the previous
# evening in UTC, which feeds and the database show; 09:00 in Kabul (UTC+4:30) is an office hour
# and the same day from Kabul to Paris and in UTC.
PUBLICATION_TIME = dt.time(9, 0)


class CommuniqueImportError(ValueError):
    """A file the importer refuses; nothing of it was written."""


@dataclass(frozen=True)
class ParsedLink:
    url: str
    label: str


@dataclass(frozen=True)
class ParsedCommunique:
    title: str
    subtitle: str
    paragraphs: tuple[str, ...]
    # For each photo, in order, the number of body paragraphs before it (0: above the text).
    image_slots: tuple[int, ...]
    links: tuple[ParsedLink, ...]
    event_date: dt.date | None
    published_on: dt.date | None
    warnings: tuple[str, ...]


@dataclass
class ImportResult:
    communique: Communique
    created: bool
    changed: bool
    warnings: list[str]
    missing_images: int


# --- Reading dates ------------------------------------------------------------------------------

_DATELINE = re.compile(r"\s*\((?P<inner>[^()]*)\)\s*$")
_NUMERIC_DATE = re.compile(
    r"(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})"
)


def _split_dateline(line: str) -> tuple[str, dt.date | None, list[str]]:
    """Return the title without its dateline, the event date, and warnings about the dateline."""
    match = _DATELINE.search(line)
    if not match:
        return line, None, []
    parts = match["inner"].split("/")
    halves = [dates.parse_written_date(part) for part in parts]
    gregorian = next((half for half in halves if half and not half.solar), None)
    if gregorian is None:
        # A closing parenthesis without a Gregorian date in it belongs to the title.
        return line, None, []

    warnings = []
    try:
        event_date = dt.date(gregorian.year, gregorian.month, gregorian.day)
    except ValueError:
        event_date = None
        warnings.append(
            _("The dateline date «%(date)s» is not a real day; the event date was left empty.")
            % {"date": gregorian.written}
        )
    for part, half in zip(parts, halves, strict=True):
        if half is gregorian:
            continue
        if half is None or not half.solar:
            warnings.append(
                _("«%(text)s» in the dateline is not a Solar Hijri date; it was not checked.")
                % {"text": part.strip()}
            )
            continue
        try:
            solar_day = dates.from_solar_hijri(half.year, half.month, half.day)
        except ValueError:
            warnings.append(
                _("The dateline's Solar Hijri date «%(date)s» is not a real day.")
                % {"date": half.written}
            )
            continue
        if event_date and solar_day != event_date:
            warnings.append(
                _(
                    "The dateline's dates disagree: «%(gregorian)s» is %(gregorian_iso)s but "
                    "«%(solar)s» is %(solar_iso)s. The event date is the Gregorian one."
                )
                % {
                    "gregorian": gregorian.written,
                    "gregorian_iso": event_date.isoformat(),
                    "solar": half.written,
                    "solar_iso": solar_day.isoformat(),
                }
            )
    return line[: match.start()].strip(), event_date, warnings


def _publication_day(written: str) -> dt.date:
    """Return the day of a DD/MM/YYYY publication date; refuse one that is no real day."""
    match = _NUMERIC_DATE.fullmatch(dates.normalize_digits(written))
    try:
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as error:
        raise CommuniqueImportError(
            _("The publication date «%(date)s» is not a real day.") % {"date": written}
        ) from error


# --- Reading the page ---------------------------------------------------------------------------

_LETTER_CLASSES = {
    "ی": "[یيى]",
    "ي": "[یيى]",
    "ک": "[کك]",
    "ك": "[کك]",
    "گ": "[گګ]",
    "ګ": "[گګ]",
}


def _marker_pattern(marker: str) -> str:
    """Return a regular expression matching a marker however its spaces and letters are typed."""
    parts = []
    for char in marker:
        if char.isspace():
            parts.append(r"[\s\u200c]+")
        else:
            parts.append(_LETTER_CLASSES.get(char, re.escape(char)))
    return "".join(parts)


@dataclass(frozen=True)
class _MarkerPatterns:
    more_info: re.Pattern[str]
    published: re.Pattern[str]
    published_start: re.Pattern[str]
    top_of_page: re.Pattern[str]

    def match_any(self, line: str) -> bool:
        return any(
            pattern.fullmatch(line)
            for pattern in (self.more_info, self.published, self.top_of_page)
        )


@functools.cache
def _marker_patterns(language: str) -> _MarkerPatterns:
    markers = MARKERS[language]
    more_info = _marker_pattern(markers.more_info)
    published = _marker_pattern(markers.published)
    # The marker ends a word; a colon may follow, with or without a space before it.
    return _MarkerPatterns(
        more_info=re.compile(rf"(?P<label>{more_info})(?!\w)\s*:?\s*(?P<rest>\S*)", re.I),
        published=re.compile(rf"{published}(?!\w)\s*:?\s*(?P<date>{_NUMERIC_DATE.pattern})", re.I),
        published_start=re.compile(rf"{published}(?!\w)", re.I),
        top_of_page=re.compile(rf"{_marker_pattern(markers.top_of_page)}\s*", re.I),
    )


def _language_name(code: str) -> str:
    """Return a language's name in the language the messages are shown in."""
    return str(get_language_info(code)["name_translated"])


def _number(value: int) -> str:
    """Return a number in the digits of the language the messages are shown in."""
    return dates.localize_number(value, translation.get_language() or settings.LANGUAGE_CODE)


def _grammar_language(language: str) -> str:
    """Return the code of a language the importer reads (fa-AF → fa-af); refuse any other."""
    code = language.strip().lower().replace("_", "-")
    if code not in MARKERS:
        raise CommuniqueImportError(
            _("The importer does not read the language «%(language)s»; it reads %(languages)s.")
            % {"language": language, "languages": ", ".join(MARKERS)}
        )
    return code


def _clean_line(line: str) -> str:
    # Text copied from a right-to-left page often carries direction marks at its ends.
    return line.strip().strip("\u200c\u200d\u200e\u200f\u061c\ufeff").strip()


def _is_photo(line: str) -> bool:
    return line.upper() in IMAGE_MARKERS


def _furniture_language(line: str, language: str) -> str | None:
    """Return the other language whose page furniture the line is, if any."""
    return next(
        (code for code in MARKERS if code != language and _marker_patterns(code).match_any(line)),
        None,
    )


def _reads_as_subtitle(block: list[str]) -> bool:
    line = block[0]
    return len(block) == 1 and len(line) <= SUBTITLE_MAX_LENGTH and line[-1] not in SENTENCE_ENDS


def _arrange(blocks: list[list[str] | None]) -> tuple[str, list[str], list[int]]:
    """Return the subtitle, the paragraphs and the photo positions of the blocks after the title."""
    subtitle = ""
    first = blocks[0] if blocks else None
    # A short line with no paragraph after it is the whole body, not a subtitle.
    followed = any(block is not None for block in blocks[1:])
    if first is not None and followed and _reads_as_subtitle(first):
        subtitle = first[0]
        blocks = blocks[1:]
    paragraphs: list[str] = []
    image_slots: list[int] = []
    for block in blocks:
        if block is None:
            image_slots.append(len(paragraphs))
        else:
            paragraphs.append(" ".join(block))
    return subtitle, paragraphs, image_slots


def parse_communique(text: str, language: str) -> ParsedCommunique:
    """Read the plain text of a communiqué page, written with the markers of its language."""
    language = _grammar_language(language)
    patterns = _marker_patterns(language)
    if "\x00" in text:
        # UTF-16 read as UTF-8, or a binary file: no text has them, and PostgreSQL stores none.
        raise CommuniqueImportError(
            _(
                "The file holds NUL characters (the first on line %(line)s): it is not plain "
                "text. Save it as UTF-8 text and import it again."
            )
            % {"line": _number(text.count("\n", 0, text.index("\x00")) + 1)}
        )
    # Split first: some of the controls removed then (form feed, NEL) end a line.
    lines = [_clean_line(strip_hidden_characters(line)) for line in text.splitlines()]
    first = next((number for number, line in enumerate(lines) if line), None)
    if first is None:
        raise CommuniqueImportError(_("The file is empty."))
    no_title = CommuniqueImportError(
        _(
            "The file has no title: its first line must be the title, not a photo, a link, "
            "a date or page furniture."
        )
    )
    if _is_photo(lines[first]) or patterns.match_any(lines[first]):
        raise no_title
    title, event_date, warnings = _split_dateline(lines[first])
    if not title:
        raise no_title

    # Paragraphs as their lines, and None where a photo stood.
    blocks: list[list[str] | None] = []
    paragraph: list[str] = []
    links: dict[str, ParsedLink] = {}
    link_label: str | None = None  # a more-information marker waiting for its address
    published_on: dt.date | None = None
    foreign_line: tuple[str, str] | None = None

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(paragraph.copy())
            paragraph.clear()

    for line in lines[first + 1 :]:
        if link_label is not None and line:
            if not any(char.isspace() for char in line) and not _is_photo(line):
                links.setdefault(line, ParsedLink(line, link_label))
                link_label = None
                continue
            warnings.append(
                _("«%(label)s» is followed by no address; no link was made.")
                % {"label": link_label}
            )
            link_label = None
        if not line:
            end_paragraph()
        elif _is_photo(line):
            end_paragraph()
            blocks.append(None)
        elif match := patterns.more_info.fullmatch(line):
            end_paragraph()
            label = " ".join(match["label"].split())
            if match["rest"]:
                links.setdefault(match["rest"], ParsedLink(match["rest"], label))
            else:
                link_label = label
        elif match := patterns.published.fullmatch(line):
            end_paragraph()
            day = _publication_day(match["date"])
            if published_on is None:
                published_on = day
            elif day != published_on:
                warnings.append(
                    _("The file gives two publication dates; the first, %(date)s, was used.")
                    % {"date": published_on.isoformat()}
                )
        elif patterns.top_of_page.fullmatch(line):
            end_paragraph()
        else:
            if patterns.published_start.match(line):
                warnings.append(
                    _(
                        "«%(line)s» starts like a publication date but has no date written "
                        "DD/MM/YYYY; it was kept as text."
                    )
                    % {"line": line}
                )
            if foreign_line is None and (other := _furniture_language(line, language)):
                foreign_line = (line, other)
            paragraph.append(line)
    end_paragraph()
    if link_label is not None:
        warnings.append(
            _("«%(label)s» is followed by no address; no link was made.") % {"label": link_label}
        )
    if foreign_line is not None:
        warnings.append(
            _(
                "«%(line)s» is page furniture in %(other)s, not in %(language)s: is the "
                "language of the file right?"
            )
            % {
                "line": foreign_line[0],
                "other": _language_name(foreign_line[1]),
                "language": _language_name(language),
            }
        )

    subtitle, paragraphs, image_slots = _arrange(blocks)
    # Dates typed by hand in both calendars: the title's dateline was checked above.
    for number, paragraph in enumerate(paragraphs, 1):
        warnings.extend(
            _("Paragraph %(number)s: %(finding)s")
            % {"number": _number(number), "finding": finding.describe()}
            for finding in dates.check_dual_dates(paragraph, language)
        )
    return ParsedCommunique(
        title=title,
        subtitle=subtitle,
        paragraphs=tuple(paragraphs),
        image_slots=tuple(image_slots),
        links=tuple(links.values()),
        event_date=event_date,
        published_on=published_on,
        warnings=tuple(warnings),
    )


# --- Files --------------------------------------------------------------------------------------


def slug_from_path(path: Path) -> str:
    """Return the slug a file name gives: its stem without a language suffix, in ASCII."""
    stem = path.stem
    base, _dot, suffix = stem.rpartition(".")
    known = {*MARKERS, *language_codes()}
    if base and suffix.lower().replace("_", "-") in known:
        stem = base
    slug = slugify(stem)
    if not slug:
        raise CommuniqueImportError(
            _("No slug can be made from the file name «%(name)s»: give one.") % {"name": path.name}
        )
    return slug


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommuniqueImportError(
            _("The file cannot be read: %(error)s") % {"error": error.strerror or error}
        ) from error
    try:
        # A BOM is how some Windows editors mark UTF-8; it is not part of the title.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommuniqueImportError(
            _(
                "The file is not UTF-8 text (byte %(position)s is not UTF-8). Save it as "
                "UTF-8 and import it again."
            )
            % {"position": _number(error.start)}
        ) from error


def _photo_refusal(path: Path, error: ValidationError) -> CommuniqueImportError:
    if error.code == "not_an_image":
        return CommuniqueImportError(
            _("«%(name)s» is not an image that can be read.") % {"name": path.name}
        )
    return CommuniqueImportError(
        _("The photo «%(name)s» was refused: %(reasons)s")
        % {"name": path.name, "reasons": " ".join(error.messages)}
    )


def _verified_photos(directory: Path) -> list[Path]:
    """Return the photos of a folder sorted by name, once the image pipeline accepts them all."""
    if not directory.is_dir():
        raise CommuniqueImportError(_("%(folder)s is not a folder.") % {"folder": directory})
    paths = sorted(
        (path for path in directory.iterdir() if path.is_file() and not path.name.startswith(".")),
        key=lambda path: path.name,
    )
    for path in paths:
        # Every photo is decoded before anything is written: one refusal leaves no trace.
        try:
            with path.open("rb") as handle:
                images.validate_upload(handle)
        except ValidationError as error:
            raise _photo_refusal(path, error) from error
    return paths


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- Writing ------------------------------------------------------------------------------------


def _site_language(language: str) -> str:
    code = _grammar_language(language)
    if code not in language_codes():
        raise CommuniqueImportError(
            _("%(language)s is not one of this site's languages (%(languages)s).")
            % {"language": code, "languages": ", ".join(language_codes())}
        )
    return code


def _validate(instance: models.Model, language: str, refusal: str, **context: str) -> None:
    """Run the model's own validation; if it fails, refuse the file with `refusal`."""
    try:
        # modeltranslation validates a translated field through its active-language column.
        with translation.override(language):
            instance.full_clean()
    except ValidationError as error:
        reasons = " ".join(error.messages)
        raise CommuniqueImportError(refusal % {**context, "reasons": reasons}) from error


def _publication_moment(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, PUBLICATION_TIME, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _placement(position: int) -> tuple[str, int | None]:
    if position == 0:
        return Image.Placement.TOP, None
    return Image.Placement.AFTER_PARAGRAPH, position


def communique_import(
    *,
    path: Path,
    language: str = "fa-af",
    publish: bool = False,
    images_dir: Path | None = None,
    slug: str | None = None,
) -> ImportResult:
    """Create a communiqué from a plain-text file, or update its version in that language."""
    language = _site_language(language)
    parsed = parse_communique(_read_text(path), language)
    slug = slug_from_path(path) if slug is None else slug
    photos = _verified_photos(images_dir) if images_dir is not None else []

    written: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            return _write(
                parsed, language, slug=slug, publish=publish, photos=photos, written=written
            )
    except Exception:
        # The rows are rolled back; the files saved for them would stay behind.
        for storage, name in written:
            storage.delete(name)
        raise


def _write(
    parsed: ParsedCommunique,
    language: str,
    *,
    slug: str,
    publish: bool,
    photos: list[Path],
    written: list[tuple[Storage, str]],
) -> ImportResult:
    communique = Communique.objects.select_for_update().filter(slug=slug).first()
    created = communique is None
    if communique is None:
        communique = Communique(slug=slug, original_language=language)
    # What all versions share (dates, where the photos stand) follows the original language's
    # file; a translation adds its own text and says where it disagrees.
    leads = created or communique.original_language == language
    warnings = list(parsed.warnings)

    values: dict[str, object] = {
        build_localized_fieldname("title", language): parsed.title,
        build_localized_fieldname("subtitle", language): parsed.subtitle,
        # Compared as saved: save() sanitises every body.
        build_localized_fieldname("body", language): sanitize_html(
            paragraphs_to_html(list(parsed.paragraphs))
        ),
    }
    published_at = _publication_moment(parsed.published_on)
    if leads:
        if parsed.event_date:
            values["event_date"] = parsed.event_date
        if published_at:
            values["published_at"] = published_at
    else:
        warnings.extend(_disagreements(communique, parsed.event_date, published_at))
    if publish:
        values["status"] = Communique.Status.PUBLISHED
        # A communiqué published before keeps its date; the file's date or now is for a new one.
        if values.get("published_at", communique.published_at) is None:
            values["published_at"] = published_at or timezone.now()

    changed_fields = [name for name, value in values.items() if getattr(communique, name) != value]
    for name in changed_fields:
        setattr(communique, name, values[name])
    if created or changed_fields:
        _validate(communique, language, _("The communiqué was refused: %(reasons)s"))
        if created:
            communique.save()
        else:
            communique.save(update_fields=[*changed_fields, "updated_at"])

    slots, slots_changed = _write_image_slots(communique, parsed, language, leads, warnings)
    links_changed = _write_links(communique, parsed, language)
    if slots_changed or links_changed:
        # Their captions and labels are followed texts, written after the communiqué itself.
        communique.update_fingerprints()
    # Files last: a refusal above leaves none behind.
    photos_changed = _attach_photos(slots, photos, warnings, written)
    return ImportResult(
        communique=communique,
        created=created,
        changed=created or bool(changed_fields) or slots_changed or links_changed or photos_changed,
        warnings=warnings,
        missing_images=sum(1 for image in slots if image.is_missing),
    )


def _disagreements(
    communique: Communique, event_date: dt.date | None, published_at: dt.datetime | None
) -> list[str]:
    """Describe where a translation's dates differ from those the communiqué keeps."""
    warnings = []
    if event_date and communique.event_date and event_date != communique.event_date:
        warnings.append(
            _(
                "This file's event date, %(file)s, differs from the communiqué's, %(kept)s, "
                "which was kept."
            )
            % {"file": event_date.isoformat(), "kept": communique.event_date.isoformat()}
        )
    if published_at and communique.published_at and published_at != communique.published_at:
        warnings.append(
            _(
                "This file's publication date, %(file)s, differs from the communiqué's, "
                "%(kept)s, which was kept."
            )
            % {
                "file": dates.local_date(published_at).isoformat(),
                "kept": dates.local_date(communique.published_at).isoformat(),
            }
        )
    return warnings


def _write_image_slots(
    communique: Communique,
    parsed: ParsedCommunique,
    language: str,
    leads: bool,
    warnings: list[str],
) -> tuple[list[Image], bool]:
    """Match the file's photos to the communiqué's images by their order; add the missing ones."""
    existing = list(communique.images.all())
    next_order = max((image.order for image in existing), default=-1) + 1
    slots: list[Image] = []
    changed = moved = False
    for number, position in enumerate(parsed.image_slots):
        placement, after_paragraph = _placement(position)
        if number < len(existing):
            image = existing[number]
            if (image.placement, image.after_paragraph) != (placement, after_paragraph):
                if not leads:
                    moved = True
                else:
                    image.placement, image.after_paragraph = placement, after_paragraph
                    _validate(image, language, _("A photo's place was refused: %(reasons)s"))
                    image.save(update_fields=["placement", "after_paragraph"])
                    changed = True
        else:
            image = Image(
                communique=communique,
                placement=placement,
                after_paragraph=after_paragraph,
                order=next_order,
            )
            next_order += 1
            _validate(image, language, _("A photo's place was refused: %(reasons)s"))
            image.save()
            changed = True
        slots.append(image)
    if moved:
        warnings.append(
            _(
                "The photos of this file stand at other places than in the communiqué's "
                "original language; their places were kept."
            )
        )
    if len(existing) > len(slots):
        extra = len(existing) - len(slots)
        warnings.append(
            ngettext(
                "The communiqué has %(count)d photo more than the file; it was kept.",
                "The communiqué has %(count)d photos more than the file; they were kept.",
                extra,
            )
            % {"count": extra}
        )
    return slots, changed


def _write_links(communique: Communique, parsed: ParsedCommunique, language: str) -> bool:
    """Label the communiqué's links in the file's language, adding those it lacks."""
    label_field = build_localized_fieldname("label", language)
    existing = {link.url: link for link in communique.links.all()}
    next_order = max((link.order for link in existing.values()), default=-1) + 1
    changed = False
    for parsed_link in parsed.links:
        link = existing.get(parsed_link.url)
        if link is not None and getattr(link, label_field) == parsed_link.label:
            continue
        if link is None:
            link = SourceLink(
                communique=communique,
                url=parsed_link.url,
                kind=SourceLink.Kind.ORIGINAL,
                order=next_order,
            )
            next_order += 1
        setattr(link, label_field, parsed_link.label)
        refusal = _("The link «%(url)s» was refused: %(reasons)s")
        _validate(link, language, refusal, url=parsed_link.url)
        try:
            validate_public_address(link.url)
        except ValidationError as error:
            raise CommuniqueImportError(
                refusal % {"url": parsed_link.url, "reasons": " ".join(error.messages)}
            ) from error
        link.save()
        changed = True
    return changed


def _attach_photos(
    slots: list[Image],
    photos: list[Path],
    warnings: list[str],
    written: list[tuple[Storage, str]],
) -> bool:
    """Put the photos into the slots in order; a slot that holds the same photo is left alone."""
    changed = False
    for image, photo in zip(slots, photos, strict=False):
        # The stored file is re-encoded: the upload's own fingerprint tells the same photo.
        if image.file and image.source_sha256 == _sha256(photo):
            continue
        try:
            with photo.open("rb") as handle:
                processed = images.process_upload(handle)
        except ValidationError as error:
            raise _photo_refusal(photo, error) from error
        image.attach(processed)
        written.extend((image.file.storage, name) for name in image.stored_names())
        image.save(update_fields=["file", "width", "height", "renditions", "source_sha256"])
        changed = True
    unused = photos[len(slots) :]
    if unused:
        warnings.append(
            ngettext(
                "%(count)d photo had no place in the file and was not used: %(names)s.",
                "%(count)d photos had no place in the file and were not used: %(names)s.",
                len(unused),
            )
            % {"count": len(unused), "names": ", ".join(photo.name for photo in unused)}
        )
    return changed
