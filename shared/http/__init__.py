"""HTTP conventions shared by every service (NL API Design Rules)."""
