"""Who may preview a page in the portal: whoever may edit it in the admin (or add it
under its parent, for a page not created yet). Asked when a token is made and again
whenever it is read, so that an editor who loses the right loses the preview with it."""

from __future__ import annotations


def may_preview(user, *, page=None, parent=None) -> bool:
    """Whether `user` may see an unsaved version of `page` (an existing page), or of a
    new page under `parent`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not user.has_perm("wagtailadmin.access_admin"):
        return False
    if page is not None:
        return page.permissions_for_user(user).can_edit()
    return parent is not None and parent.permissions_for_user(user).can_add_subpage()
