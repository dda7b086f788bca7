"""The Jinja2 environment of the public pages (jinja2/): the functions and filters they call.

The same code as the Django templates' communique_tags, so that a date, a picture or a dateline
is written the same way by every template. Translations go through Django's own gettext: the
pages' strings are found by `makemessages` (management/commands/makemessages.py) and translated
in locale/ like every other.

What a function needs of the page (the request, the site settings) it takes from the template's
context, which holds what the view and the context processors gave it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.templatetags.static import static
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import Environment, Undefined, pass_context
from markupsafe import Markup

from .templatetags import communique_tags as tags


def with_page_context(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give a function of communique_tags the page's context (the request, the site settings)
    as its first argument, as Jinja2 passes it."""
    return pass_context(lambda context, *args: function(context, *args))


def escape(value: Any) -> Any:
    """Escape a value a page writes as Django's escape() does, as its own templates and the
    admin do ("&quot;", where markupsafe writes "&#34;"), and leave markup (SafeString, Markup)
    as it is. The result is marked safe, so that Jinja2's autoescaping keeps it."""
    if hasattr(value, "__html__"):
        return value
    # django.utils.html.escape() is html.escape(), behind a lazy-string check on every value.
    return Markup(html.escape(str(value)))


def environment(**options: Any) -> Environment:
    # A name a page does not have is empty, as in Django's templates, and in debug too: Django
    # sets DebugUndefined then, which writes "{{ query }}" into the search box of every page.
    options["undefined"] = Undefined
    env = Environment(finalize=escape, **options)
    env.globals.update(
        {
            "_": gettext,
            "gettext": gettext,
            "pgettext": pgettext,
            "ngettext": ngettext,
            "npgettext": npgettext,
            "static": static,
            # A translation that holds markup: markup(_("… <bdi>%(query)s</bdi>")) % {...}
            # escapes the values it is given, not the translation.
            "markup": Markup,
            "picture": tags.picture,
            "dateline": tags.dateline,
            "category_link": with_page_context(tags.category_link),
            "absolute_url": with_page_context(tags.absolute_url),
            "publisher_name": with_page_context(tags.publisher_name),
            "news_article_json_ld": with_page_context(tags.news_article_json_ld),
            "search_excerpt": tags.search_excerpt,
        }
    )
    env.filters.update(
        {
            "dual_date": tags.dual_date,
            "date_tokens": tags.date_tokens,
            "date_tokens_text": tags.date_tokens_text,
            "iso_date": tags.iso_date,
            "local_digits": tags.local_digits,
            "html_lang": tags.html_lang,
            "language_dir": tags.language_dir,
            "og_locale": tags.og_locale,
            "highlight": tags.highlight,
            "linebreaksbr": linebreaksbr,
        }
    )
    return env
