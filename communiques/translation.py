from modeltranslation.translator import TranslationOptions, register

from .models import Category, Communique, Image, SourceLink


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Communique)
class CommuniqueTranslationOptions(TranslationOptions):
    fields = ("title", "subtitle", "lead", "body", "place", "is_demo_translation")


@register(Image)
class ImageTranslationOptions(TranslationOptions):
    fields = ("alt_text", "caption")


@register(SourceLink)
class SourceLinkTranslationOptions(TranslationOptions):
    fields = ("label",)
