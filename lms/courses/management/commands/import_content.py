from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.courses.content_import import ContentError, import_content


class Command(BaseCommand):
    help = "Create or update the trainings from content files (all or nothing; safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.KYKY_CONTENT_DIR))

    def handle(self, *args, path, **options):
        try:
            report = import_content(Path(path))
        except ContentError as error:
            raise CommandError(
                f"Nothing was imported: {len(error.problems)} problem(s) in the content files.\n{error}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {path}: {report}."))
