"""The auditor's tool: export the event log, verify it, and replay it to recompute reports.

It reads only the log (the Kafka topic or the global feed API), never a service's database.
"""
