from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommuniquesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "communiques"
    verbose_name = _("Communiqués")
