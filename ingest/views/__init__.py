"""The staff screens of ingestion: upload, batches, the review queue and scanning stations.

Every view checks a model permission and the scoping rule through archive.views.access
(a refusal answers 403 or 404 and is written to the operation log); see ``common``.
"""
