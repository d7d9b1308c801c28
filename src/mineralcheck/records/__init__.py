"""The compliance officer's records: licence register, reviews, audit record."""
