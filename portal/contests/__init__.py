"""Works collections and voting (rules §10)."""
