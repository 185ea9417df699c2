"""Make a new signing key: it signs from now on, and every credential signed before keeps verifying."""

from django.core.management.base import BaseCommand

from lms.certificates import keys


class Command(BaseCommand):
    help = "Make a new signing key for credentials; older credentials keep verifying (decisions §28)."

    def handle(self, *args, **options):
        row = keys.key_rotate()
        if row.seed:
            self.stdout.write(f"{row.key_id} signs from now on; the older keys stay in did.json while they are needed.")
            return
        # The environment holds the keys: the new seed is shown once and stored nowhere.
        self.stdout.write(
            f"{row.key_id} is recorded. Add it to KYKY_SIGNING_KEYS and restart the web and worker processes;\n"
            f"until then the older key keeps signing. Keep this secret with the others:\n\n"
            f"  {row.key_id}:{row.new_seed}\n"
        )
