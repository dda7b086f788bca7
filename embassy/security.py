"""Who is signing in from where, the page of a locked-out sign-in, and the Content-Security-Policy.

- django-axes counts failed sign-ins per account and address (settings, "Sign-in throttling"):
  `client_ip_address` tells it the reader's address behind the reverse proxy, and
  `lockout_response` answers a locked-out sign-in with a page in the reader's language.
- django-csp writes the policy of settings.CONTENT_SECURITY_POLICY on every answer.
  `ContentSecurityPolicyMiddleware` adds the admin's nonce, and the hash of the 500 page's
  own stylesheet, which is inline because that page must load nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from js_asset import Media

from communiques.dates import localize_number

# --- Sign-in throttling --------------------------------------------------------------------------


def client_ip_address(request: HttpRequest) -> str | None:
    """Return the address of the person signing in.

    Behind the bundled proxy (DJANGO_SECURE_PROXY_SSL_HEADER), every request comes from the
    proxy: the client's address is the last one of X-Forwarded-For, the one the proxy wrote
    itself. Any address a client put before it could be forged, and is not read.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.headers.get("X-Forwarded-For", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponseBase | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """Answer a sign-in refused by the lockout: why, for how long, and who can lift it."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = round(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in blocked"),
        "cool_off_minutes": minutes,
        "minutes_text": localize_number(minutes, translation.get_language()) if minutes else "",
    }
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


# --- Content-Security-Policy ------------------------------------------------------------------

_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@cache
def inline_style_hashes(template_name: str) -> tuple[str, ...]:
    """Return the CSP sources of a template's inline <style> elements (their SHA-256)."""
    source = get_template(template_name).template.source
    return tuple(
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in _STYLE_ELEMENT.findall(source)
    )


def is_admin(request: HttpRequest) -> bool:
    return request.path_info.startswith(f"/{settings.ADMIN_PATH}")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with what the admin's pages and the 500 page need besides."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = dict(parts.update or {})
        if is_admin(request):
            for directive, sources in settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE.items():
                update[directive] = [*update.get(directive, ()), *sources]
        if response.status_code == 500:
            # Rendered when something has already failed, 500.html loads no stylesheet.
            hashes = inline_style_hashes("500.html")
            update["style-src"] = [*update.get("style-src", ()), *hashes]
        parts.update = update or None
        return parts

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        # The admin renders its forms' media without a nonce; the body editor's import map, an
        # inline script, gets this request's, which the admin's policy allows.
        context = response.context_data
        media = context.get("media") if isinstance(context, dict) else None
        if (
            isinstance(media, forms.Media)
            and getattr(media, "_importmap", None) is not None
            and is_admin(request)
        ):
            context["media"] = Media.from_media(media, nonce=request.csp_nonce)
        return response
