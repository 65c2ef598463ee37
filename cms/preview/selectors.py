"""Reading a preview: the draft page a token stands for, for the person it was made for."""

from __future__ import annotations

from modelcluster.fields import ParentalManyToManyField
from wagtail.models import Page

from . import policy
from .models import PagePreview
from .tokens import key_of


def page_preview_for(*, token: object, viewer) -> Page | None:
    """The unsaved page `token` was made for, as a page object of its specific type (never
    saved), or None: for an expired, altered or unknown token, for anyone but the person
    who previewed, and once they may no longer edit the page."""
    key = key_of(token)
    if key is None or viewer is None or not viewer.is_authenticated:
        return None
    preview = (
        PagePreview.objects.fresh()
        .filter(key=key, created_by_id=viewer.pk)
        .select_related("content_type", "page", "parent")
        .first()
    )
    if preview is None:
        return None
    model = preview.content_type.model_class()
    if model is None or not issubclass(model, Page):
        return None
    content = dict(preview.content)
    chosen = _take_many_to_many(model, content)
    if preview.page is not None:
        if not policy.may_preview(viewer, page=preview.page):
            return None
        # The page's place in the tree and its publishing state come from the page itself.
        page = preview.page.with_content_json(content)
    else:
        if not policy.may_preview(viewer, parent=preview.parent):
            return None
        page = model.from_serializable_data(content, check_fks=True, strict_fks=False)
    _give_many_to_many(page, chosen)
    return page


def _take_many_to_many(model, content: dict) -> dict:
    """The page's many-to-many choices (a news item's buildings), taken out of `content`:
    modelcluster would load them without what their ordering reads, one query per item."""
    return {
        field: content.pop(field.name)
        for field in model._meta.get_fields()
        if isinstance(field, ParentalManyToManyField) and isinstance(content.get(field.name), list)
    }


def _give_many_to_many(page, chosen: dict) -> None:
    for field, ids in chosen.items():
        related = field.related_model
        # Relations the model's ordering reads ("estate__name"), loaded with the items.
        ordering = [name.lstrip("-") for name in related._meta.ordering if isinstance(name, str)]
        through = {name.rsplit("__", 1)[0] for name in ordering if "__" in name}
        setattr(page, field.name, list(related._default_manager.filter(pk__in=ids).select_related(*through)))
