from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from communiques.demo import ensure_demo_admin, load_demo


class Command(BaseCommand):
    help = "Load the demo communiqués and create the demo admin account (local use only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Run even with DEBUG off. The demo admin's password is public: never in production."
            ),
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates an account whose password is public; it runs only with "
                "DJANGO_DEBUG=1 (or --force)."
            )
        report = load_demo()
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"Demo content: {len(report.communiques)} communiqués, {report.versions} language "
            f"versions ({report.created} new)."
        )
        username, password = ensure_demo_admin()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: http://127.0.0.1:8000/admin/  user «{username}»  "
                f"password «{password}» (unless you have changed it)."
            )
        )
