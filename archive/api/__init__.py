"""The REST API under /api/v1/ (docs/contracts.md, "REST API").

Layout: ``authentication`` (who is calling), ``permissions`` (model permissions), ``base``
(the one place that scopes querysets, resolves objects and refuses out-of-jurisdiction
lookups), ``errors`` (the JSON error shape), ``serializers``/``item_serializers``,
``views``/``item_views``, ``filters``, ``docs`` (OpenAPI UI) and ``urls``.
"""
