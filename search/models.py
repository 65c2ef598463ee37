"""The database backend's index: what a search reads instead of the content tables.

One `SearchEntry` per thing to find (a page or a document), keyed "page:12" or
"document:7". Its words are in `SearchTerm`, an inverted index: one row per (entry, term,
field), so that a query word is a few probes of the index on `term` (equality, or a
prefix as the range `term >= p AND term < p'`, which both SQLite and PostgreSQL answer
from a btree, unlike LIKE under PostgreSQL's collations). Facet values are rows of
`SearchFacetValue`, counted with GROUP BY. `SearchVocabulary` lists every term with the
number of entries that hold it, for typo tolerance and "did you mean".

Nothing here depends on the database engine, so SQLite and PostgreSQL answer alike.
The entry keeps a foreign key to its page or document: visibility is not stored but
joined at query time (`cms.core.visibility`), so a restriction added after indexing
holds at once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One page or document as the search finds it."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.PositiveIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=255)
    # The title folded ("laczbud instalacje"): an exact or leading match ranks first.
    title_folded = models.CharField(_("folded title"), max_length=255, db_index=True)
    # A contractor's trade folded ("instalacje gazowe"): a query naming the trade exactly
    # ranks the firms of that trade above texts that merely mention its words.
    trade_folded = models.CharField(_("folded trade"), max_length=255, blank=True, default="")
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    date = models.DateField(_("date"), null=True, blank=True)
    # sha256 of the record (`search.sources.fingerprint`): what reconciliation compares.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    # The original texts by field name, for highlights.
    fields = models.JSONField(_("fields"), default=dict)
    facets = models.JSONField(_("facets"), default=dict)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return self.key


class SearchTerm(models.Model):
    """One term of one field of an entry: the inverted index."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(_("term"), max_length=40)
    field = models.CharField(_("field"), max_length=20)
    weight = models.FloatField(_("weight"))
    # A dictionary lemma of a word, not a word as written: an exact form ranks above it.
    is_lemma = models.BooleanField(_("lemma"), default=False)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        # Term first: equality and prefix ranges are probes of this index, and the entry
        # beside it lets the join to entries read the index alone.
        indexes = [models.Index(fields=["term", "entry"], name="search_term_entry")]

    def __str__(self) -> str:
        return self.term


class SearchFacetValue(models.Model):
    """A facet value of an entry ("trade" = "hydraulik"); "kind" is one too."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_values")
    name = models.CharField(_("name"), max_length=20)
    value = models.CharField(_("value"), max_length=100)

    class Meta:
        verbose_name = _("search facet value")
        verbose_name_plural = _("search facet values")
        indexes = [models.Index(fields=["name", "value", "entry"], name="search_facet_value")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class SearchVocabulary(models.Model):
    """Every indexed term and in how many entries it occurs, for typo tolerance and the
    "did you mean" suggestion. `written` is a form as written in the content, shown in
    the suggestion ("spółdzielni" rather than "spoldzielni")."""

    term = models.CharField(_("term"), max_length=40, unique=True)
    written = models.CharField(_("written"), max_length=40)
    frequency = models.PositiveIntegerField(_("frequency"), default=0)

    class Meta:
        verbose_name = _("search vocabulary term")
        verbose_name_plural = _("search vocabulary")

    def __str__(self) -> str:
        return self.term


class SearchIndexRun(models.Model):
    """One rebuild or reconciliation of the indexes, as the admin's "Search index" screen
    lists them (search/admin/views.py): who asked (nobody for the hourly reconciliation),
    when it was asked, started and finished, and what it did or why it failed. Written by
    `search.tasks`; the last `search.tasks.RUNS_KEPT` of each kind are kept.

    `manage_search_index` lets a person open that screen and start runs (superusers have
    it implicitly; a contractor's worker never gets the screen, whatever they hold)."""

    class Kind(models.TextChoices):
        REBUILD = "rebuild", _("rebuild")
        RECONCILE = "reconcile", _("reconciliation")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        # The broker would not take the task: nothing ran, and nothing will.
        NOT_QUEUED = "not_queued", _("not queued")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Asked by the hourly schedule (beat), not by a person: shown as such, and never
    # confused with a run whose requester's account was deleted since.
    scheduled = models.BooleanField(_("asked by the schedule"), default=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Rebuild: {"database": entries, "elasticsearch": new index}; reconcile: {"indexed", "removed"}.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("search index run")
        verbose_name_plural = _("search index runs")
        ordering = ["-requested_at", "-pk"]
        default_permissions = ()
        permissions = [("manage_search_index", _("Can manage the search index"))]
        constraints = [
            # One rebuild queued or running at a time, even for two clicks at once.
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="rebuild", state__in=["queued", "running"]),
                name="search_one_rebuild_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class ExtractedText(models.Model):
    """The text read from a document's file (a PDF's first pages), kept by the file's
    identity (`search.sources.file_identity`: its name, its hash and the reading limits),
    so that the hourly reconciliation and a rebuild read each file once rather than parse
    every PDF again. A file that could not be read is kept with no text: it is not tried
    again until it changes. Rows no document's file has any more are pruned by the
    reconciliation."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    text = models.TextField(_("text read"), blank=True)
    read_at = models.DateTimeField(_("read from the file at"), auto_now=True)

    class Meta:
        verbose_name = _("extracted text")
        verbose_name_plural = _("extracted texts")

    def __str__(self) -> str:
        return self.key
