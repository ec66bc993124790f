"""Admin views of the scanning app: cover sheets (cover_sheets) and printing (printing)."""
