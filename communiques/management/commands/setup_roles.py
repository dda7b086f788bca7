from django.core.management.base import BaseCommand

from communiques.permissions import setup_roles


class Command(BaseCommand):
    help = (
        "Create the groups of the press office (press officer, editor, one translator group per "
        "language) and give each exactly its permissions. Running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        changes = setup_roles()
        if not changes:
            self.stdout.write("The roles were already set up: nothing changed.")
        for name, change in changes.items():
            verb = "created" if change.created else "updated"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{name}: {verb} (+{len(change.added)} permissions, "
                    f"-{len(change.removed)} permissions)."
                )
            )
