"""`manage.py search_rebuild`: index everything again, from the content (the same work as
the admin's "Rebuild the index": `search.indexing.rebuild_every_backend`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Rebuild the directory search's indexes from the published content: the database index in one "
        "transaction (searches meanwhile see the old index, never an empty one) and, when ELASTICSEARCH_URL "
        "is set, a new Elasticsearch index that replaces the old one when complete."
    )

    def handle(self, *args, verbosity: int = 1, **options):
        from search.indexing import rebuild_every_backend

        def done(name: str, result, seconds: float) -> None:
            if not verbosity:
                return
            if name == "database":
                self.stdout.write(f"Database index: {result} records ({seconds:.1f} s).")
            else:
                self.stdout.write(f"Elasticsearch index rebuilt ({seconds:.1f} s).")

        rebuild_every_backend(done=done)
