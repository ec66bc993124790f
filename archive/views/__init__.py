"""Staff admin views (Wagtail). Every object lookup goes through ``access.get_visible_or_deny``."""
