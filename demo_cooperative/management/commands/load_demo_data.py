"""`manage.py load_demo_data`: a believable cooperative to click through and test against."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo_cooperative import data
from demo_cooperative.builder import DemoBuilder, Summary, account_lines, demo_is_loaded, remove_demo
from search.indexing import reindex_all


class Command(BaseCommand):
    help = (
        "Load the demo cooperative: the estate 'Osiedle Zielone Wzgórze' with buildings A, B and C "
        "(61 units), residents with verified memberships (and requests awaiting verification) who use the "
        "portal and the app to differing degrees, staff and contractor accounts, news restricted to "
        "buildings and roles (an outage in force and one planned), editorial work in progress (a draft, a "
        "page in moderation, a scheduled page), documents in restricted collections, investments, a "
        "directory of 30 contractors, broadcasts (one of them partly failed), and "
        f"{len(data.TICKETS)} tickets of the last two months in every state of their workflow (with photos, "
        "comments, ratings and history). Safe to run again: if the demo estate already exists nothing "
        "is changed and the accounts are printed (use --reset to delete the demo data and load it "
        "afresh). Every demo account shares the password printed at the end; an existing account with "
        "a demo user name (e.g. 'admin') is taken over and gets that password. Refuses to run when "
        "settings.IS_PRODUCTION is true."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Delete the demo data first, then load it again: the demo estate, users and collections, and the "
                "news, documents, investments and contractor sections under the home page with all their pages."
            ),
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing (same as --verbosity 0).")

    def handle(self, *args, reset: bool = False, quiet: bool = False, verbosity: int = 1, **options):
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError("Refusing to load demo data: settings.IS_PRODUCTION is true.")
        self.quiet = quiet or verbosity == 0
        log = self.say if verbosity >= 2 and not self.quiet else None

        started = time.monotonic()
        if demo_is_loaded() and not reset:
            self.say(
                self.style.WARNING("The demo data is already loaded; nothing changed (use --reset to load it afresh).")
            )
            self.report(Summary(created=False, accounts=account_lines()))
            return

        if reset:
            remove_demo(log=self.say if not self.quiet else None)
        self.say("Loading the demo cooperative…")
        summary = DemoBuilder(log=log).build()
        # Publishing indexes each page as it goes; a full rebuild makes the directory
        # search whole whatever the order things were made in (documents before pages).
        reindex_all()
        self.say(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s."))
        self.report(summary)

    def say(self, message: str) -> None:
        if not self.quiet:
            self.stdout.write(message)

    def report(self, summary: Summary) -> None:
        if self.quiet:
            return
        if summary.counts:
            self.say("  " + ", ".join(f"{name}: {count}" for name, count in summary.counts.items()))
        self.say("")
        self.say(f"Demo accounts (password for all: {data.DEMO_PASSWORD}):")
        width = max(len(line.username) for line in summary.accounts)
        for line in summary.accounts:
            self.say(f"  {line.username.ljust(width)}  {line.description}")
        self.say("  (and about 60 more residents, e.g. jan.kowalski, with the same password)")
        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "http://localhost:8000").rstrip("/")
        self.say("")
        self.say(f"Site:          {base}/")
        self.say(f"Wagtail admin: {base}/admin/")
        self.say(f"GraphQL:       {base}/graphql")
