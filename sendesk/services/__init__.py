"""Use cases: one module per capability. Each takes the acting user, checks permission,
records an audit event for every change, and runs in one transaction. No Qt here."""
