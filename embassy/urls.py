from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from communiques.cache import public_page
from communiques.sitemaps import SITEMAPS
from communiques.views import robots_txt
from embassy import health

urlpatterns = [
    # DJANGO_ADMIN_PATH: everything else finds the admin through reverse("admin:…").
    path(settings.ADMIN_PATH, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Outside i18n_patterns: a probe has no language, and must not be redirected to one.
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
]

urlpatterns += i18n_patterns(
    path("", include("communiques.urls")),
)

# Outside i18n_patterns: crawlers ask for these at fixed addresses, in no language.
urlpatterns += [
    path(
        "sitemap.xml",
        public_page(sitemap),
        {"sitemaps": SITEMAPS, "template_name": "communiques/sitemap.xml"},
        name="sitemap",
    ),
    path("robots.txt", public_page(robots_txt), name="robots"),
]

# A database lost outside a view (a middleware's query) answers 503 too; anything else, 500.html.
handler500 = "embassy.middleware.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
