"""Staff screens of the loans app in the Wagtail admin (mounted under /admin/loans/)."""
