from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommuniquesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "communiques"
    verbose_name = _("Communiqués")

    def ready(self) -> None:
        # The historical models copy the fields their models have when they are made: the
        # per-language ones, which registering the translations adds, must exist by then.
        from . import history, translation  # noqa: F401

        history.register_history()
