"""A signing key leaked: stop trusting it and reissue, with the current key, what it signed."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from lms.certificates import keys
from lms.certificates.models import IssuerKey
from lms.certificates.tasks import reissue_for_revoked_key
from lms.tasks import enqueue_on_commit


class Command(BaseCommand):
    help = "Revoke a signing key (key-N): drop it from did.json and reissue every certificate in force it signed."

    def add_arguments(self, parser):
        parser.add_argument("key", help="the key to revoke, e.g. key-1")

    def handle(self, *args, key, **options):
        number = keys.key_number(key)
        if number is None or not IssuerKey.objects.filter(number=number).exists():
            raise CommandError(f"No signing key {key!r}; the keys are: {', '.join(map(str, IssuerKey.objects.all()))}")
        try:
            keys.key_revoke(number=number)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        count = keys.in_force_signed_by(number).count()
        # Queued for the worker (run here if the broker is away); the beat job finishes it if the task is lost.
        enqueue_on_commit(reissue_for_revoked_key, number)
        self.stdout.write(
            f"key-{number} is revoked and gone from did.json; {count} certificate(s) it signed are being reissued "
            f"with {keys.current_key().key_id}."
        )
