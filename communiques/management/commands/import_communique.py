from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communiques.importers import CommuniqueImportError, ImportResult, communique_import


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # argparse cannot format a lazy string; the parser is built once the language is active.
        return _(
            "Import a communiqué from the plain text of its page, or update it from a new copy."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=gettext_lazy("The UTF-8 text file."))
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help=gettext_lazy("The language of the file, e.g. fa-af, ps, fr or en."),
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help=gettext_lazy("Publish the communiqué, on the file's publication date or now."),
        )
        parser.add_argument(
            "--images",
            type=Path,
            dest="images_dir",
            metavar="DIR",
            help=gettext_lazy(
                "A folder of photos, put into the file's photo places by name order."
            ),
        )
        parser.add_argument(
            "--slug",
            help=gettext_lazy("The slug, instead of the one the file name gives."),
        )

    def handle(
        self,
        *args: str,
        path: Path,
        language: str,
        publish: bool,
        images_dir: Path | None,
        slug: str | None,
        **options: object,
    ) -> None:
        try:
            result = communique_import(
                path=path, language=language, publish=publish, images_dir=images_dir, slug=slug
            )
        except CommuniqueImportError as error:
            raise CommandError(
                _("%(path)s was not imported: %(error)s") % {"path": path, "error": error}
            ) from error
        self.report(result, language)

    def report(self, result: ImportResult, language: str) -> None:
        communique = result.communique
        context = {"reference": communique.reference, "slug": communique.slug}
        if result.created:
            message = _("Created communiqué %(reference)s (%(slug)s).")
        elif result.changed:
            message = _("Updated communiqué %(reference)s (%(slug)s).")
        else:
            message = _("Communiqué %(reference)s (%(slug)s) is unchanged.")
        self.stdout.write(self.style.SUCCESS(message % context))
        self.stdout.write(_("Status: %(status)s") % {"status": communique.get_status_display()})
        try:
            with translation.override(language.lower().replace("_", "-")):
                self.stdout.write(_("Address: %(path)s") % {"path": communique.get_absolute_url()})
        except NoReverseMatch:
            # A site without public pages (an admin-only install) has no address to show.
            pass
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
        if result.missing_images:
            self.stdout.write(
                self.style.WARNING(
                    ngettext(
                        "%(count)d photo is missing: upload it in the admin.",
                        "%(count)d photos are missing: upload them in the admin.",
                        result.missing_images,
                    )
                    % {"count": result.missing_images}
                )
            )
