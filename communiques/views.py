"""The public pages: the list of communiqués and each communiqué, in the active language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from .models import Communique, CommuniqueQuerySet, Image, language_codes


def language_versions(codes: Iterable[str], url: Callable[[], str]) -> list[tuple[str, str]]:
    """Return (language, address) for each language a page exists in."""
    versions = []
    for code in codes:
        with translation.override(code):
            versions.append((code, url()))
    return versions


class CommuniqueViewMixin:
    """Own the queryset of the public pages: who sees what, and what is fetched with it."""

    model = Communique
    request: HttpRequest

    def can_preview(self) -> bool:
        """Tell whether the reader may see communiqués that are not public."""
        return False

    def get_queryset(self) -> CommuniqueQuerySet:
        communiques = (
            Communique.objects.all() if self.can_preview() else Communique.objects.published()
        )
        return communiques.select_related("category").prefetch_related(
            # Photos still to be uploaded never leave the database for a public page.
            Prefetch("images", queryset=Image.objects.exclude(file=""))
        )


class CommuniqueListView(CommuniqueViewMixin, ListView):
    context_object_name = "communiques"

    def get_paginate_by(self, queryset: CommuniqueQuerySet) -> int:
        return settings.COMMUNIQUES_PER_PAGE

    def get_queryset(self) -> CommuniqueQuerySet:
        return super().get_queryset().in_language(translation.get_language())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Page numbers differ between languages: every other version starts at its first page.
        context["language_versions"] = language_versions(
            language_codes(), lambda: reverse("communiques:index")
        )
        return context


class CommuniqueDetailView(CommuniqueViewMixin, DetailView):
    context_object_name = "communique"
    unavailable_template_name = "communiques/communique_unavailable.html"
    object: Communique

    def can_preview(self) -> bool:
        return self.request.user.has_perm("communiques.change_communique")

    def get_queryset(self) -> CommuniqueQuerySet:
        return super().get_queryset().prefetch_related("links")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_published()
        context["language_versions"] = language_versions(
            self.object.available_languages, self.object.get_absolute_url
        )
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        if self.object.has_language(translation.get_language()):
            response = self.render_to_response(context)
        else:
            # Published, but not in this language: a 404 that offers the versions there are,
            # rather than a page in one language around a text in another.
            response = TemplateResponse(
                request, self.unavailable_template_name, context, status=404
            )
        if not self.object.is_published():
            add_never_cache_headers(response)
        return response
