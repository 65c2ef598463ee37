"""The news app's part of the Wagtail admin: its panel on the situation centre."""
