from django.core.management.base import BaseCommand, CommandError

from lms.cms.services import SitePageError, site_pages_setup


class Command(BaseCommand):
    help = (
        "Create the accessibility statement and the privacy notice in every language from lms/cms/texts/ "
        "(pages that exist are kept: staff edit them in the admin; --update overwrites them). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Overwrite existing pages with the files.")

    def handle(self, *args, update, **options):
        try:
            counts = site_pages_setup(update=update)
        except SitePageError as error:
            raise CommandError(f"Nothing was written:\n{error}") from error
        self.stdout.write(self.style.SUCCESS(", ".join(f"{n} {outcome}" for outcome, n in counts.items()) + "."))
