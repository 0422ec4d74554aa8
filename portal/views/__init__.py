"""One blueprint per area; each view loads, permits, validates, calls a service, commits, answers."""
