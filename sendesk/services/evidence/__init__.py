"""Evidence documents, outside agencies' involvement, and the audit of exported files."""
