from pathlib import Path

from django.core.management.base import BaseCommand

from oncocenter.core.matrix import permission_matrix_markdown


class Command(BaseCommand):
    help = "Print (or --write) the role x permission matrix as Markdown."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write", metavar="PATH", help="write to PATH, e.g. docs/permissions.md"
        )

    def handle(self, *args, write=None, **options):
        text = permission_matrix_markdown()
        if write:
            Path(write).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {write}")
        else:
            self.stdout.write(text, ending="")
