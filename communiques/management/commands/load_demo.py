from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from communiques.demo import ensure_demo_users, load_demo


class Command(BaseCommand):
    help = "Load the demo communiqués and create the demo accounts, one per role (local use only)."

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
        accounts = ensure_demo_users()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo accounts at http://127.0.0.1:8000{reverse('admin:index')} (passwords as "
                "given here, unless you have changed them):"
            )
        )
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<22} user «{account.username}»  password «{account.password}»"
            )
