import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from communiques import text
from communiques.models import Communique, Image, Neighbours
from tests.factories import CommuniqueFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_manager_published_is_exactly_published_and_due():
    now = timezone.now()
    for status in Communique.Status.values:
        for when, moment in (
            ("past", now - dt.timedelta(hours=1)),
            ("future", now + dt.timedelta(hours=1)),
        ):
            CommuniqueFactory(slug=f"{status}-{when}", status=status, published_at=moment)
    CommuniqueFactory(
        slug="published-undated", status=Communique.Status.PUBLISHED, published_at=None
    )

    published = sorted(Communique.objects.published().values_list("slug", flat=True))

    assert published == ["published-past"]
    assert [c.slug for c in Communique.objects.all() if c.is_published()] == ["published-past"]


def test_references_count_up_within_a_year_and_restart_the_next():
    first = CommuniqueFactory(published_at=dt.datetime(2019, 3, 1, tzinfo=dt.UTC))
    second = CommuniqueFactory(published_at=dt.datetime(2019, 7, 8, tzinfo=dt.UTC))
    next_year = CommuniqueFactory(published_at=dt.datetime(2020, 1, 2, tzinfo=dt.UTC))

    assert (first.reference, second.reference, next_year.reference) == (
        "2019/001",
        "2019/002",
        "2020/001",
    )


def test_body_is_stored_sanitised_in_every_language():
    communique = CommuniqueFactory(
        body_fa_af='<p onclick="x()">متن<script>alert(1)</script></p>',
        body_fr='<p><a href="javascript:alert(1)">lien</a></p>',
    )
    communique.refresh_from_db()

    assert communique.body_fa_af == "<p>متن</p>"
    assert "javascript" not in communique.body_fr
    assert "script" not in communique.body_fa_af


def test_a_language_version_needs_title_and_body():
    communique = CommuniqueFactory(title_en="Only a title", body_en="")

    assert communique.available_languages == ["fa-af", "fr"]
    assert list(Communique.objects.in_language("en")) == []
    assert list(Communique.objects.in_language("fa-af")) == [communique]


TOP, AFTER, GALLERY = Image.Placement.TOP, Image.Placement.AFTER_PARAGRAPH, Image.Placement.GALLERY


@pytest.mark.parametrize(
    ("placement", "after_paragraph", "expected"),
    [
        (TOP, None, ["IMAGE", "<p>1</p>", "<h2>H</h2>", "<p>2</p>"]),
        (AFTER, 1, ["<p>1</p>", "IMAGE", "<h2>H</h2>", "<p>2</p>"]),
        (AFTER, 2, ["<p>1</p>", "<h2>H</h2>", "<p>2</p>", "IMAGE"]),
        (AFTER, 5, ["<p>1</p>", "<h2>H</h2>", "<p>2</p>", "IMAGE"]),
        (AFTER, None, ["<p>1</p>", "<h2>H</h2>", "<p>2</p>", "IMAGE"]),
        (GALLERY, None, ["<p>1</p>", "<h2>H</h2>", "<p>2</p>"]),
    ],
)
def test_body_with_images_places_an_image_after_its_paragraph_not_counting_headings(
    placement, after_paragraph, expected
):
    communique = CommuniqueFactory(body_fa_af="<p>1</p><h2>H</h2><p>2</p>")
    ImageFactory(communique=communique, placement=placement, after_paragraph=after_paragraph)

    with translation.override("fa-af"):
        blocks = communique.body_with_images()

    assert [block if isinstance(block, str) else "IMAGE" for block in blocks] == expected


def test_images_without_a_file_are_never_public():
    communique = CommuniqueFactory()
    missing = ImageFactory(communique=communique, placement=TOP, file="")
    gallery = ImageFactory(communique=communique, placement=GALLERY)
    shown = ImageFactory(communique=communique, after_paragraph=2)

    assert communique.public_images() == [shown, gallery]
    assert communique.thumbnail() == shown
    assert communique.gallery_images() == [gallery]
    assert missing not in communique.body_with_images()


# --- Date tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body_fa_af", "<p>در [[2019-02-30]] پاریس</p>"),
        ("body_ps", "<p>[[2019-06-25|big]]</p>"),
        ("lead_fr", "Le [[25/06/2019]], à Paris."),
        ("lead_en", "On [[2019-06-25, in Paris."),
    ],
)
def test_an_invalid_date_token_is_refused_on_the_field_of_its_language(field, value):
    communique = CommuniqueFactory.build(**{field: value})
    valid = CommuniqueFactory.build(**{field: "Le [[2019-06-25|long]] et [[2019-06-25|solar]]."})

    with pytest.raises(ValidationError) as refusal:
        communique.full_clean()

    assert list(refusal.value.message_dict) == [field]
    [message] = refusal.value.message_dict[field]
    [token] = text.find_invalid_date_tokens(value)
    assert f"«{token}»" in message
    valid.full_clean()


def test_every_invalid_token_is_named_together_with_other_errors():
    communique = CommuniqueFactory.build(
        body_fa_af="<p>[[2019-02-30]] [[2019-02-31]]</p>", lead_fr="[[x]]", published_at=None
    )

    with pytest.raises(ValidationError) as refusal:
        communique.full_clean()

    errors = refusal.value.message_dict
    assert sorted(errors) == ["body_fa_af", "lead_fr", "published_at"]
    assert len(errors["body_fa_af"]) == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fa-af", "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
        ("fr", "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)"),
    ],
)
def test_body_blocks_show_date_tokens_in_the_active_language(language, expected):
    communique = CommuniqueFactory(
        body_fa_af="<p>جلسه [[2019-06-25]].</p><h2>[[2019-02-30]]</h2>",
        body_fr="<p>Réunion du [[2019-06-25|long]].</p><h2>[[2019-02-30]]</h2>",
    )

    with translation.override(language):
        paragraph, heading = communique.body_with_images()

    assert f'<time datetime="2019-06-25">{expected}</time>' in paragraph
    # Saved before tokens were checked: shown as written, never half-rendered.
    assert heading == "<h2>[[2019-02-30]]</h2>"


# --- Neighbours ------------------------------------------------------------------------------


def dari_neighbours(communique):
    return Communique.objects.published().in_language("fa-af").neighbours(communique)


def withdrawn(kind):
    """Return the fields of a communiqué once public, then withdrawn."""
    return {"status": Communique.Status.WITHDRAWN, "withdrawal_kind": kind}


NEIGHBOUR_CANDIDATES = [
    # what the other communiqué is, how it is made, whether it is a neighbour
    ("published", {}, True),
    ("draft", {"status": Communique.Status.DRAFT}, False),
    ("in review", {"status": Communique.Status.IN_REVIEW}, False),
    ("withdrawn with a notice", withdrawn(Communique.WithdrawalKind.NOTICE), False),
    ("withdrawn in error", withdrawn(Communique.WithdrawalKind.IN_ERROR), False),
    ("in French only", {"title_fa_af": "", "body_fa_af": ""}, False),
]


@pytest.mark.parametrize(("side", "hours"), [("older", -1), ("newer", +1)])
@pytest.mark.parametrize(("kind", "fields", "is_neighbour"), NEIGHBOUR_CANDIDATES)
def test_only_published_communiques_of_the_language_are_neighbours(
    kind, fields, is_neighbour, side, hours
):
    communique = CommuniqueFactory(published_at=timezone.now() - dt.timedelta(days=1))
    other = CommuniqueFactory(published_at=communique.published_at + dt.timedelta(hours=hours))
    # Published first, then changed, as the press office does: a withdrawal keeps its history.
    for name, value in fields.items():
        setattr(other, name, value)
    other.save()

    neighbours = dari_neighbours(communique)

    assert neighbours == (Neighbours(**{side: other}) if is_neighbour else Neighbours())


def test_a_scheduled_communique_is_no_neighbour_until_it_is_due():
    now = timezone.now()
    communique = CommuniqueFactory(published_at=now - dt.timedelta(days=1))
    scheduled = CommuniqueFactory(published_at=now + dt.timedelta(hours=1))

    assert dari_neighbours(communique) == Neighbours()
    with time_machine.travel(now + dt.timedelta(hours=2)):
        assert dari_neighbours(communique) == Neighbours(newer=scheduled)


def test_neighbours_walk_the_list_in_its_order_ties_broken_by_id():
    now = timezone.now()
    moments = [now - dt.timedelta(days=days) for days in (5, 3, 3, 3, 1)]
    for moment in moments:
        CommuniqueFactory(published_at=moment)
    listed = list(Communique.objects.published())

    walked = [dari_neighbours(communique) for communique in listed]

    # The list is newest first: each one's newer neighbour is above it, its older one below.
    assert walked == [
        Neighbours(
            newer=listed[index - 1] if index > 0 else None,
            older=listed[index + 1] if index + 1 < len(listed) else None,
        )
        for index in range(len(listed))
    ]
    assert [neighbours.older.title_fa_af for neighbours in walked[:-1]] == [
        communique.title_fa_af for communique in listed[1:]
    ]


def test_an_undated_communique_has_no_neighbours(django_assert_num_queries):
    CommuniqueFactory()
    draft = CommuniqueFactory(status=Communique.Status.DRAFT, published_at=None)

    with django_assert_num_queries(0):
        assert dari_neighbours(draft) == Neighbours()


@pytest.mark.parametrize("others", [2, 20])
def test_neighbours_take_one_query_however_many_communiques(django_assert_num_queries, others):
    now = timezone.now()
    communiques = [
        CommuniqueFactory(published_at=now - dt.timedelta(hours=hours))
        for hours in range(1, others + 2)
    ]
    middle = communiques[len(communiques) // 2]

    with django_assert_num_queries(1):
        neighbours = dari_neighbours(middle)
        titles = (neighbours.older.title, neighbours.newer.title)

    index = communiques.index(middle)
    assert titles == (communiques[index + 1].title, communiques[index - 1].title)
