"""Models of the consistency app."""
