from modeltranslation.translator import TranslationOptions, register

from .models import Category, ChangeNote, Communique, Image, SiteSettings, SourceLink


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Communique)
class CommuniqueTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "subtitle",
        "lead",
        "body",
        "place",
        "is_demo_translation",
        "search_text",
        "text_fingerprint",
        "withdrawal_reason",
    )


@register(Image)
class ImageTranslationOptions(TranslationOptions):
    fields = ("alt_text", "caption")


@register(SourceLink)
class SourceLinkTranslationOptions(TranslationOptions):
    fields = ("label",)


@register(SiteSettings)
class SiteSettingsTranslationOptions(TranslationOptions):
    fields = ("name", "tagline")


@register(ChangeNote)
class ChangeNoteTranslationOptions(TranslationOptions):
    fields = ("note",)
