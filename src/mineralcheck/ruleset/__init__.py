"""Rule files: their format, the loader, and the loaded pack."""
