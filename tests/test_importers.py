import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import PIL.Image
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from communiques.importers import (
    CommuniqueImportError,
    ParsedLink,
    communique_import,
    parse_communique,
    slug_from_path,
)
from communiques.models import Communique, Image, SourceLink
from tests.factories import CommuniqueFactory

SAMPLE = (
    Path(__file__).resolve().parent.parent / "demo" / "coalition-against-daesh-2019-06-25.fa-AF.txt"
)
SAMPLE_SLUG = "coalition-against-daesh-2019-06-25"
SAMPLE_TITLE = (
    'ائتلاف بین المللی برضد "داعش" : جلسهء متخصصین ارشد در وزارت اروپا و امور خارجه جمهوری فرانسه'
)
SAMPLE_URL = (
    "https://www.diplomatie.gouv.fr/fr/politique-etrangere-de-la-france/"
    "securite-desarmement-et-non-proliferation/actualites/"
    "actualites-et-evenements-lies-a-la-defense-et-la-securite/2019/article/"
    "coalition-internationale-contre-daech-reunion-d-experts-de-haut-niveau-au"
)
KABUL = ZoneInfo("Asia/Kabul")

FRENCH_TITLE = "Coalition internationale contre Daech : réunion d'experts de haut niveau"
FRENCH = f"""{FRENCH_TITLE} (25 juin 2019 / 4 Saratan 1398)

Réunion des directeurs politiques

La France a accueilli la réunion des experts de haut niveau de la coalition.

JPEG

Cette réunion intervient après la chute de Baghouz, le 23 mars 2019.

Face à cette menace, la coalition doit poursuivre son action.

JPEG

La France réaffirme sa détermination à lutter contre Daech.

Pour en savoir plus :
{SAMPLE_URL}

Date de publication 08/07/2019

Haut de page
"""


@pytest.fixture(autouse=True)
def english():
    """Read every message in the English of its source, whatever catalogues exist."""
    with translation.override("en"):
        yield


def rows() -> tuple[int, int, int]:
    return Communique.objects.count(), Image.objects.count(), SourceLink.objects.count()


def sample_copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / SAMPLE.name
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def photo_folder(tmp_path: Path, *photos: tuple[str, tuple[int, int]]) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name, size in photos:
        PIL.Image.new("RGB", size, "red").save(folder / name)
    return folder


# --- Parsing: no database --------------------------------------------------------------------


def test_the_sample_parses_into_title_subtitle_paragraphs_photos_link_and_dates():
    parsed = parse_communique(SAMPLE.read_text(encoding="utf-8"), "fa-af")

    assert parsed.title == SAMPLE_TITLE
    assert parsed.subtitle == "جلسهء روئسای سیاسی"
    assert len(parsed.paragraphs) == 4
    assert parsed.paragraphs[0].startswith("جمهوری فرانسه از جلسهء متخصصین ارشد")
    assert parsed.paragraphs[3].endswith("نیز تقویت می بخشد.")
    assert parsed.image_slots == (1, 3)
    assert parsed.links == (ParsedLink(SAMPLE_URL, "جهت دریافت معلومات مزید"),)
    assert parsed.event_date == dt.date(2019, 6, 25)
    assert parsed.published_on == dt.date(2019, 7, 8)
    assert parsed.warnings == ()


def test_a_copy_with_windows_line_endings_and_direction_marks_reads_the_same():
    sample = SAMPLE.read_text(encoding="utf-8")
    copied = "\ufeff" + sample.replace("\n", "\u200f\r\n")

    assert parse_communique(copied, "fa-af") == parse_communique(sample, "fa-af")


@pytest.mark.parametrize(
    ("dateline", "event_date"),
    [
        ("(۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸)", dt.date(2019, 6, 25)),
        ("(٢٥ جون ٢٠١٩ / ٤ سرطان ١٣٩٨)", dt.date(2019, 6, 25)),  # Arabic-Indic digits
        ("(25 جون 2019 / 4 سرطان 1398)", dt.date(2019, 6, 25)),
        ("(25 juin 2019 / 4 Saratan 1398)", dt.date(2019, 6, 25)),
        ("(25 June 2019 / 4 Saratan 1398)", dt.date(2019, 6, 25)),
        ("(۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸)", dt.date(2019, 6, 25)),  # Pashto ګ
        ("(۲۵ جون ۲۰۱۹ / ۴ چنگاښ ۱۳۹۸)", dt.date(2019, 6, 25)),  # CLDR's Persian گ
        ("(۲۳ اگست ۲۰۱۹ / ۱ سنبله ۱۳۹۸)", dt.date(2019, 8, 23)),
        ("(۲۳ اگست ۲۰۱۹ / ۱ سنبلهٔ ۱۳۹۸)", dt.date(2019, 8, 23)),  # CLDR's hamza form
        ("(۲۳ اګست ۲۰۱۹ / ۱ وږی ۱۳۹۸)", dt.date(2019, 8, 23)),
        ("(1er juin 2019 / 11 Jawza 1398)", dt.date(2019, 6, 1)),
        ("(25 June 2019)", dt.date(2019, 6, 25)),
    ],
)
def test_a_dateline_in_any_accepted_spelling_gives_the_event_date_and_leaves_the_title(
    dateline, event_date
):
    parsed = parse_communique(f"Réunion de la coalition {dateline}\n\nTexte.\n", "fr")

    assert parsed.title == "Réunion de la coalition"
    assert parsed.event_date == event_date
    assert parsed.warnings == ()


def test_a_parenthesis_without_a_date_stays_in_the_title():
    parsed = parse_communique("Réunion de la coalition (Paris)\n\nTexte.\n", "fr")

    assert parsed.title == "Réunion de la coalition (Paris)"
    assert parsed.event_date is None


@pytest.mark.parametrize(
    ("language", "more_info", "published", "top", "label"),
    [
        (
            "fa-af",
            f"جهت دریافت معلومات مزید :\n{SAMPLE_URL}",
            "تاریخ نشر ۰۸/۰۷/۲۰۱۹",
            "قسمت بالایی صفحه",
            "جهت دریافت معلومات مزید",
        ),
        (
            "ps",
            f"د لا زیاتو معلوماتو لپاره:\n\n{SAMPLE_URL}",
            "د خپرېدو نېټه: 08/07/2019",
            "د پاڼې سر ته",
            "د لا زیاتو معلوماتو لپاره",
        ),
        (
            "fr",
            f"Pour en savoir plus : {SAMPLE_URL}",
            "Date de publication : 08/07/2019",
            "Haut de page",
            "Pour en savoir plus",
        ),
        (
            "en",
            f"For more information:{SAMPLE_URL}",
            "Date of publication 08/07/2019",
            "Top of page",
            "For more information",
        ),
    ],
)
def test_each_language_has_its_own_link_publication_date_and_top_of_page_markers(
    language, more_info, published, top, label
):
    text = f"Title\n\nThe only paragraph.\n\n{more_info}\n\n{published}\n\n{top}\n"

    parsed = parse_communique(text, language)

    assert parsed.paragraphs == ("The only paragraph.",)
    assert parsed.links == (ParsedLink(SAMPLE_URL, label),)
    assert parsed.published_on == dt.date(2019, 7, 8)
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    ("second_block", "subtitle", "paragraphs"),
    [
        ("Réunion des directeurs politiques", "Réunion des directeurs politiques", 1),
        ("Une phrase courte.", "", 2),
        ("x" * 151, "", 2),
    ],
)
def test_only_a_short_line_without_a_full_stop_before_the_text_is_a_subtitle(
    second_block, subtitle, paragraphs
):
    parsed = parse_communique(f"Titre\n\n{second_block}\n\nLe texte.\n", "fr")

    assert parsed.subtitle == subtitle
    assert len(parsed.paragraphs) == paragraphs


def test_a_short_line_that_is_the_whole_text_is_a_paragraph_not_a_subtitle():
    parsed = parse_communique("Titre\n\nRéunion des directeurs politiques\n", "fr")

    assert parsed.subtitle == ""
    assert parsed.paragraphs == ("Réunion des directeurs politiques",)


def test_photos_stand_after_the_number_of_paragraphs_before_them_and_lines_join():
    text = "Title\n\nPNG\n\nFirst line\nof one paragraph.\n\nSecond.\n\ngif\n"

    parsed = parse_communique(text, "en")

    assert parsed.paragraphs == ("First line of one paragraph.", "Second.")
    assert parsed.image_slots == (0, 2)


def test_a_french_file_read_as_dari_is_flagged():
    with translation.override("en"):
        parsed = parse_communique(FRENCH, "fa-af")

    assert parsed.links == ()
    assert any("page furniture in French, not in Dari" in warning for warning in parsed.warnings)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("coalition-against-daesh-2019-06-25.fa-AF.txt", SAMPLE_SLUG),
        ("coalition-against-daesh-2019-06-25.fr.txt", SAMPLE_SLUG),
        ("coalition-against-daesh-2019-06-25.ps.txt", SAMPLE_SLUG),
        ("coalition-against-daesh-2019-06-25.txt", SAMPLE_SLUG),
        ("Communiqué de Paris.en.txt", "communique-de-paris"),
    ],
)
def test_the_slug_is_the_file_name_without_its_language_suffix_in_ascii(name, slug):
    assert slug_from_path(Path(name)) == slug


def test_a_file_name_without_latin_letters_gives_no_slug():
    with pytest.raises(CommuniqueImportError, match="No slug can be made"):
        slug_from_path(Path("اعلامیه.fa-AF.txt"))


# --- Importing -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_sample_creates_exactly_the_communique_of_the_page():
    result = communique_import(path=SAMPLE, language="fa-af")

    communique = result.communique
    assert (result.created, result.changed, result.warnings, result.missing_images) == (
        True,
        True,
        [],
        2,
    )
    assert communique.slug == SAMPLE_SLUG
    assert communique.reference == "2019/001"
    assert communique.original_language == "fa-af"
    assert communique.status == Communique.Status.DRAFT
    assert communique.title_fa_af == SAMPLE_TITLE
    assert communique.subtitle_fa_af == "جلسهء روئسای سیاسی"
    assert communique.body_fa_af.count("<p>") == 4
    assert communique.lead_fa_af is None
    assert communique.title_fr is None
    assert communique.event_date == dt.date(2019, 6, 25)
    assert communique.published_at == dt.datetime(2019, 7, 8, 9, tzinfo=KABUL)
    assert timezone.localtime(communique.published_at).date() == dt.date(2019, 7, 8)
    images = [
        (image.placement, image.after_paragraph, image.is_missing)
        for image in communique.images.all()
    ]
    assert images == [
        (Image.Placement.AFTER_PARAGRAPH, 1, True),
        (Image.Placement.AFTER_PARAGRAPH, 3, True),
    ]
    links = [(link.url, link.label_fa_af, link.kind) for link in communique.links.all()]
    assert links == [(SAMPLE_URL, "جهت دریافت معلومات مزید", SourceLink.Kind.ORIGINAL)]
    stored = [
        *Communique.objects.values().get().values(),
        *(value for row in Image.objects.values() for value in row.values()),
        *(value for row in SourceLink.objects.values() for value in row.values()),
    ]
    texts = [value for value in stored if isinstance(value, str)]
    assert not [value for value in texts if "قسمت بالایی صفحه" in value or "JPEG" in value]


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    first = communique_import(path=SAMPLE, language="fa-af")
    before = Communique.objects.get()

    again = communique_import(path=SAMPLE, language="fa-af")

    after = Communique.objects.get()
    assert (again.created, again.changed, again.communique.pk) == (
        False,
        False,
        first.communique.pk,
    )
    assert rows() == (1, 2, 1)
    assert after.updated_at == before.updated_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("داعش: جلسه\n\nمتن.\n".encode("cp1256"), "not UTF-8"),
        (b"", "empty"),
        (b"  \n\n\t\n \n", "empty"),
        (b"\n\nJPEG\n\nA paragraph under a photo.\n", "no title"),
        (b"\n(25 June 2019 / 4 Saratan 1398)\n\nText.\n", "no title"),
        ("تاریخ نشر 08/07/2019\n\nمتن.\n".encode(), "no title"),
        ("عنوان\n\nمتن.\n\nتاریخ نشر 31/02/2019\n".encode(), "not a real day"),
    ],
    ids=["cp1256", "empty", "whitespace", "photo-first", "dateline-only", "date-first", "no-day"],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_written(tmp_path, content, message):
    CommuniqueFactory()
    path = tmp_path / "refused.fa-AF.txt"
    path.write_bytes(content)
    before = rows()

    with pytest.raises(CommuniqueImportError, match=message):
        communique_import(path=path, language="fa-af")

    assert rows() == before


@pytest.mark.django_db
def test_a_refusal_in_the_middle_of_the_write_leaves_nothing_written(tmp_path):
    path = sample_copy(tmp_path, SAMPLE_URL, "javascript:alert(1)")

    with pytest.raises(CommuniqueImportError, match=r"«javascript:alert\(1\)» was refused"):
        communique_import(path=path, language="fa-af")

    assert rows() == (0, 0, 0)


@pytest.mark.django_db
def test_a_refused_update_leaves_the_communique_as_it_was(tmp_path):
    communique_import(path=SAMPLE, language="fa-af")
    changed = sample_copy(tmp_path, SAMPLE_URL, "javascript:alert(1)")
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("ائتلاف بین المللی", "عنوان نو", 1),
        encoding="utf-8",
    )

    with pytest.raises(CommuniqueImportError):
        communique_import(path=changed, language="fa-af")

    assert Communique.objects.get().title_fa_af == SAMPLE_TITLE
    assert rows() == (1, 2, 1)


@pytest.mark.django_db
def test_a_dateline_whose_solar_date_disagrees_is_imported_with_a_warning_naming_both(tmp_path):
    path = sample_copy(tmp_path, "۴ سرطان", "۵ سرطان")

    result = communique_import(path=path, language="fa-af")

    assert result.communique.event_date == dt.date(2019, 6, 25)
    [warning] = result.warnings
    assert "۲۵ جون ۲۰۱۹" in warning and "2019-06-25" in warning
    assert "۵ سرطان ۱۳۹۸" in warning and "2019-06-26" in warning


@pytest.mark.django_db
def test_photos_from_a_folder_fill_the_slots_in_name_order(tmp_path):
    folder = photo_folder(
        tmp_path, ("b-second.png", (20, 10)), ("a-first.jpg", (40, 30)), ("c-spare.gif", (5, 5))
    )

    result = communique_import(path=SAMPLE, language="fa-af", images_dir=folder)

    images = list(result.communique.images.all())
    assert [(Path(image.file.name).suffix, image.width, image.height) for image in images] == [
        (".jpg", 40, 30),
        (".png", 20, 10),
    ]
    assert [image.after_paragraph for image in images] == [1, 3]
    assert result.missing_images == 0
    assert result.warnings == ["1 photo had no place in the file and was not used: c-spare.gif."]


@pytest.mark.django_db
def test_reimporting_with_the_same_photos_changes_nothing(tmp_path):
    folder = photo_folder(tmp_path, ("a.jpg", (40, 30)), ("b.png", (20, 10)))
    communique_import(path=SAMPLE, language="fa-af", images_dir=folder)
    names = list(Image.objects.values_list("file", flat=True))

    again = communique_import(path=SAMPLE, language="fa-af", images_dir=folder)

    assert again.changed is False
    assert list(Image.objects.values_list("file", flat=True)) == names


@pytest.mark.django_db
def test_a_folder_with_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(
    tmp_path, settings
):
    folder = photo_folder(tmp_path, ("a.jpg", (40, 30)))
    (folder / "b.jpg").write_bytes(b"not a photo at all")

    with pytest.raises(CommuniqueImportError, match="«b.jpg» is not an image"):
        communique_import(path=SAMPLE, language="fa-af", images_dir=folder)

    assert rows() == (0, 0, 0)
    assert not Path(settings.MEDIA_ROOT).exists()


@pytest.mark.django_db
def test_a_french_file_with_the_same_slug_adds_the_french_version(tmp_path):
    communique_import(path=SAMPLE, language="fa-af")
    Image.objects.update(alt_text_fa_af="عکس جلسه")
    french = tmp_path / f"{SAMPLE_SLUG}.fr.txt"
    french.write_text(FRENCH, encoding="utf-8")

    result = communique_import(path=french, language="fr")

    communique = Communique.objects.get()
    assert (result.created, result.changed, result.warnings) == (False, True, [])
    assert result.communique.pk == communique.pk
    assert communique.title_fr == FRENCH_TITLE
    assert communique.subtitle_fr == "Réunion des directeurs politiques"
    assert communique.body_fr.count("<p>") == 4
    assert communique.title_fa_af == SAMPLE_TITLE
    assert communique.original_language == "fa-af"
    assert communique.available_languages == ["fa-af", "fr"]
    assert rows() == (1, 2, 1)
    assert list(Image.objects.values_list("alt_text_fa_af", "alt_text_fr")) == [
        ("عکس جلسه", None),
        ("عکس جلسه", None),
    ]
    link = SourceLink.objects.get()
    assert (link.label_fa_af, link.label_fr) == ("جهت دریافت معلومات مزید", "Pour en savoir plus")


@pytest.mark.django_db
def test_a_translation_adds_a_link_the_communique_lacks_with_only_its_label(tmp_path):
    communique_import(path=SAMPLE, language="fa-af")
    french = tmp_path / f"{SAMPLE_SLUG}.fr.txt"
    french.write_text(
        FRENCH.replace(SAMPLE_URL, "https://www.diplomatie.gouv.fr/fr/"), encoding="utf-8"
    )

    communique_import(path=french, language="fr")

    assert list(SourceLink.objects.values_list("url", "label_fa_af", "label_fr")) == [
        (SAMPLE_URL, "جهت دریافت معلومات مزید", None),
        ("https://www.diplomatie.gouv.fr/fr/", None, "Pour en savoir plus"),
    ]


@pytest.mark.django_db
def test_reimporting_a_changed_original_updates_its_text_and_moves_its_photos(tmp_path):
    first = communique_import(path=SAMPLE, language="fa-af")
    before = Communique.objects.get()
    path = sample_copy(tmp_path, "JPEG\n\nاین جلسه", "این جلسه")
    path.write_text(
        path.read_text(encoding="utf-8").replace("با پذیرایی و میزبانی", "با میزبانی") + "\nJPEG\n",
        encoding="utf-8",
    )

    result = communique_import(path=path, language="fa-af")

    after = Communique.objects.get()
    assert (result.created, result.changed, after.pk) == (False, True, first.communique.pk)
    assert "با پذیرایی و میزبانی" in before.body_fa_af
    assert "با پذیرایی و میزبانی" not in after.body_fa_af
    assert "جمهوری فرانسه با میزبانی" in after.body_fa_af
    assert after.updated_at > before.updated_at
    assert list(Image.objects.values_list("after_paragraph", flat=True)) == [3, 4]
    assert rows() == (1, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "warning"),
    [
        (
            "(25 juin 2019 / 4 Saratan 1398)",
            "(26 juin 2019 / 5 Saratan 1398)",
            "event date, 2019-06-26, differs from the communiqué's, 2019-06-25",
        ),
        (
            "Date de publication 08/07/2019",
            "Date de publication 09/07/2019",
            "publication date, 2019-07-09, differs from the communiqué's, 2019-07-08",
        ),
        ("JPEG\n\nCette", "PNG\n\nJPEG\n\nCette", "other places than in the communiqué's original"),
        ("JPEG\n\nLa France", "La France", "The communiqué has 1 photo more than the file"),
    ],
    ids=["event-date", "publication-date", "photo-places", "photo-count"],
)
def test_a_translation_that_disagrees_on_shared_facts_keeps_them_and_warns(
    tmp_path, old, new, warning
):
    communique_import(path=SAMPLE, language="fa-af")
    french = tmp_path / f"{SAMPLE_SLUG}.fr.txt"
    french.write_text(FRENCH.replace(old, new, 1), encoding="utf-8")

    result = communique_import(path=french, language="fr")

    communique = Communique.objects.get()
    assert [warning in text for text in result.warnings] == [True]
    assert communique.title_fr == FRENCH_TITLE
    assert communique.event_date == dt.date(2019, 6, 25)
    assert communique.published_at == dt.datetime(2019, 7, 8, 9, tzinfo=KABUL)
    assert list(Image.objects.values_list("after_paragraph", flat=True))[:2] == [1, 3]


@pytest.mark.django_db
def test_publish_publishes_and_a_later_plain_import_keeps_the_status():
    published = communique_import(path=SAMPLE, language="fa-af", publish=True)
    assert published.communique.status == Communique.Status.PUBLISHED

    communique_import(path=SAMPLE, language="fa-af")

    assert list(Communique.objects.published()) == [published.communique]


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC), tick=False)
def test_publish_without_a_publication_date_in_the_file_publishes_now(tmp_path):
    path = sample_copy(tmp_path, "تاریخ نشر 08/07/2019", "")

    result = communique_import(path=path, language="fa-af", publish=True)

    assert result.communique.published_at == timezone.now()
    assert result.communique.reference == "2024/001"


@pytest.mark.django_db
def test_a_language_the_site_does_not_have_is_refused():
    with pytest.raises(CommuniqueImportError, match="does not read the language «de»"):
        communique_import(path=SAMPLE, language="de")

    assert rows() == (0, 0, 0)


# --- The command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_and_says_what_it_did():
    out = io.StringIO()

    call_command("import_communique", str(SAMPLE), "--language", "fa-af", stdout=out)
    call_command("import_communique", str(SAMPLE), "--language", "fa-af", stdout=out)

    output = out.getvalue()
    assert "Created communiqué 2019/001" in output
    assert "Communiqué 2019/001 (coalition-against-daesh-2019-06-25) is unchanged" in output
    assert "2 photos are missing" in output
    assert Communique.objects.published().count() == 0


@pytest.mark.django_db
def test_the_command_with_publish_and_slug_makes_the_communique_public():
    call_command(
        "import_communique",
        str(SAMPLE),
        "--language=fa-af",
        "--publish",
        "--slug=coalition-2019",
        stdout=io.StringIO(),
    )

    assert list(Communique.objects.published().values_list("slug", flat=True)) == ["coalition-2019"]


@pytest.mark.django_db
def test_the_command_turns_a_refused_file_into_a_command_error(tmp_path):
    path = tmp_path / "empty.fa-AF.txt"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="was not imported: The file is empty"):
        call_command("import_communique", str(path), "--language", "fa-af")

    assert rows() == (0, 0, 0)


@pytest.mark.parametrize(
    ("old", "new", "warning"),
    [
        (
            "(۳ حمل ۱۳۹۸",
            "(۴ حمل ۱۳۹۸",
            "Paragraph 2: «۲۳ مارچ ۲۰۱۹ میلادی (۴ حمل ۱۳۹۸ هجری شمسی)»: «۲۳ مارچ ۲۰۱۹» is "
            "2019-03-23 but «۴ حمل ۱۳۹۸» is 2019-03-24; it should read «۳ حمل ۱۳۹۸».",
        ),
        (
            "(سال ۱۳۹۷",
            "(سال ۱۳۹۵",
            "Paragraph 4: «سال ۲۰۱۸ میلادی (سال ۱۳۹۵ هجری شمسی)»: the year ۲۰۱۸ is ۱۳۹۶ or ۱۳۹۷ "
            "in the other calendar, not ۱۳۹۵.",
        ),
    ],
)
def test_a_body_pair_whose_dates_disagree_is_read_with_a_warning(old, new, warning):
    sample = SAMPLE.read_text(encoding="utf-8")
    assert old in sample

    parsed = parse_communique(sample.replace(old, new, 1), "fa-af")

    assert parsed.warnings == (warning,)


@pytest.mark.django_db
def test_the_import_of_a_body_with_a_wrong_pair_writes_it_and_says_so(tmp_path):
    path = sample_copy(tmp_path, "(۴ سرطان ۱۳۹۸ هجری", "(۵ سرطان ۱۳۹۸ هجری")

    result = communique_import(path=path, language="fa-af")

    [warning] = result.warnings
    assert warning.startswith("Paragraph 1: «۲۵ جون ۲۰۱۹ میلادی (۵ سرطان ۱۳۹۸ هجری شمسی)»")
    assert "(۵ سرطان ۱۳۹۸ هجری شمسی)" in result.communique.body_fa_af


def test_a_dari_warning_numbers_the_paragraph_in_persian_digits():
    text = SAMPLE.read_text(encoding="utf-8").replace("۳ حمل ۱۳۹۸", "۴ حمل ۱۳۹۸", 1)

    with translation.override("fa-af"):
        parsed = parse_communique(text, "fa-af")

    assert [warning.split(":")[0] for warning in parsed.warnings] == ["پاراگراف ۲"]
