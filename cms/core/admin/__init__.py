"""What the apps' Wagtail admin sections share: `views` (local times and people as shown
to staff, a service's refusals as form errors), `viewsets` (read-only listings, every
permission of a model in the group editor) and `exports` (CSV downloads for Polish
spreadsheets). Admin-side only: it may import Wagtail's admin, and nothing of the domain
imports it. Each app's `admin/` package builds on these."""
