"""The ``bodemregie`` command line (development tokens, topics, the auditor's tool)."""
