"""Recognition: identify a page by its code, register it to the form geometry, read its fields."""
