"""Operations: backup and restore, health and readiness probes, Prometheus metrics.

A top-level app above archive and search: it imports archive (the core) and search's public
face (``search.reindex`` after a restore, a probe query for readiness) and nothing else of
ours. Other apps add their own figures to /metrics through the ``hedang_metrics`` hook.
"""
