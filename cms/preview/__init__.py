"""Headless preview: an editor's unsaved page, shown by the resident portal.

Wagtail's preview (the editor's preview panel, "preview in new tab", "view draft") asks
the page to serve itself with `serve_preview`. The content apps' pages answer through
`PortalPreviewMixin` (pages.py): the page as the editor has it now, unsaved form
included, is kept as a `PagePreview` (its `serializable_data()`, as a revision keeps it)
for `PAGE_PREVIEW_SECONDS` (10 minutes), and the preview shows the portal at
`PORTAL_URL/podglad?token=<token>`. The portal asks `pagePreview(token:)` for it and
renders it with the same page types as `page(urlPath:)`.

- The token is a random key signed with the project's secret (`django.core.signing`,
  with the moment it was made): it cannot be guessed, and an altered or expired one
  matches nothing.
- Only someone who may edit the page (add it, for a page not created yet) makes a
  token; Wagtail's preview views check that first, the service again.
- A token answers only the person it was made for, and only while they still may edit
  the page; for anyone else, and once expired, `pagePreview` is null.
- Answers carry `Cache-Control: no-store` and are never kept by the shared response cache
  (`pagePreview` is not one of `cms.core.graphql.response_cache.SHARED_FIELDS`).
- Old rows are deleted whenever a new preview is made.

Tests: tests/api/test_preview.py (API, tokens, permissions, caching) and
tests/browser/test_portal_print_preview.py (the portal in a browser, through the admin).
The admin's "print for the staircase" button (wagtail_hooks.py) links news items to the
portal's print view, `/druk/<the page's path>`.
"""
