import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms.courses.content_check import as_json, check, failures, render_table
from lms.courses.content_import import ContentError


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date such as 2026-12-31, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Report what the content files hold: lessons, words, questions, designed hours against the credits, "
        "review dates, sources, translations' structure and the questions' giveaways (no database needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.KYKY_CONTENT_DIR))
        parser.add_argument("--json", action="store_true", help="Write the report as JSON.")
        parser.add_argument("--strict", action="store_true", help="Exit with an error when any rule fails.")
        parser.add_argument("--today", type=_date, default=None, help="The day review dates are compared with.")

    def handle(self, *args, path, json: bool = False, strict: bool = False, today=None, **options):
        today = today or timezone.localdate()
        try:
            trainings = check(Path(path))
        except ContentError as error:
            raise CommandError(
                f"The content files do not import: {len(error.problems)} problem(s).\n{error}"
            ) from error
        failed = failures(trainings, today)
        if json:
            self.stdout.write(_dumps(as_json(trainings, today)))
        else:
            self.stdout.write(render_table(trainings, today))
            self.stdout.write("")
            if failed:
                self.stdout.write(f"{len(failed)} rule(s) fail:")
                self.stdout.write("\n".join(f"  - {line}" for line in failed))
            else:
                self.stdout.write(self.style.SUCCESS("Every rule passes."))
        if strict and failed:
            raise CommandError(f"{len(failed)} rule(s) fail (see above).")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
