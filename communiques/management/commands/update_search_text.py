from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communiques.search import rebuild_search_text


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # argparse cannot format a lazy string; the parser is built once the language is active.
        return _(
            "Rewrite the search text of every communiqué, for those saved before search existed."
        )

    def handle(self, *args: object, **options: object) -> None:
        count = rebuild_search_text()
        self.stdout.write(
            ngettext(
                "The search text of %(count)d communiqué was rewritten.",
                "The search text of %(count)d communiqués was rewritten.",
                count,
            )
            % {"count": count}
        )
