"""Staff pages of the retention app (Wagtail admin): due list and chart, appraisal, holds,
destruction batches with their approvals."""
