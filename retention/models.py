"""Models of the retention app."""
