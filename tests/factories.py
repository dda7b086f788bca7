import datetime as dt

import factory
from django.utils import timezone

from communiques.images import process_upload
from communiques.models import Category, Communique, Image, SourceLink


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "press-release"
    name_fa_af = "اعلامیهٔ مطبوعاتی"
    name_ps = "مطبوعاتي اعلامیه"
    name_fr = "Communiqué de presse"
    name_en = "Press release"


class CommuniqueFactory(factory.django.DjangoModelFactory):
    """A published communiqué with a complete Dari and French version."""

    class Meta:
        model = Communique

    slug = factory.Sequence(lambda n: f"communique-{n}")
    title_fa_af = factory.Sequence(lambda n: f"اعلامیهٔ شماره {n}")
    body_fa_af = "<p>پاراگراف اول.</p><p>پاراگراف دوم.</p>"
    place_fa_af = "کابل"
    title_fr = factory.Sequence(lambda n: f"Communiqué numéro {n}")
    body_fr = "<p>Premier paragraphe.</p><p>Second paragraphe.</p>"
    place_fr = "Kaboul"
    category = factory.SubFactory(CategoryFactory)
    event_date = dt.date(2019, 6, 25)
    status = Communique.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class ImageFactory(factory.django.DjangoModelFactory):
    """An image uploaded as the admin uploads it: re-encoded, with its renditions.

    file="" leaves the place of a photo still to be uploaded.
    """

    class Meta:
        model = Image

    communique = factory.SubFactory(CommuniqueFactory)
    file = factory.django.ImageField(width=640, height=480, color="blue")
    alt_text_fa_af = "عکس جلسه"
    alt_text_fr = "Photo de la réunion"
    caption_fa_af = "جلسهٔ ائتلاف در پاریس"
    caption_fr = "La réunion de la coalition à Paris"
    credit = "MEAE"
    placement = Image.Placement.AFTER_PARAGRAPH
    after_paragraph = 1
    order = factory.Sequence(int)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        upload = kwargs.pop("file", None)
        image = model_class(*args, **kwargs)
        if upload:
            image.attach(process_upload(upload))
        image.save()
        return image


class SourceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceLink

    communique = factory.SubFactory(CommuniqueFactory)
    url = "https://www.diplomatie.gouv.fr/fr/"
    label_fa_af = "جهت دریافت معلومات مزید"
    label_fr = "Pour en savoir plus"
    kind = SourceLink.Kind.ORIGINAL
    order = factory.Sequence(int)
