"""What every API view shares: authentication, permissions, JSON, the audit actor, scoped
querysets, the one object lookup that refuses other jurisdictions, and atomic writes."""

from __future__ import annotations

import functools

from django.db import IntegrityError, models, transaction
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated

from archive import audit
from archive.api.authentication import API_AUTHENTICATION
from archive.api.errors import NOT_FOUND_MESSAGE, OutOfJurisdiction
from archive.api.negotiation import API_RENDERERS, JSONOnlyNegotiation
from archive.api.permissions import ModelPermissions
from archive.api.request_log import log_request, should_log
from archive.api.schema import ApiAutoSchema
from archive.api.throttling import PlatformRateThrottle


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "与已有记录冲突"
    default_code = "conflict"


class ApiViewMixin:
    """Policies of every API view. Put it first in the bases."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated, ModelPermissions]
    renderer_classes = API_RENDERERS
    content_negotiation_class = JSONOnlyNegotiation
    schema = ApiAutoSchema()
    # Requests with a platform token are rate-limited per token (settings.HEDANG_PUSH_RATE)
    # and each is logged; ``log_every_request`` logs every request of a view.
    throttle_classes = [PlatformRateThrottle]
    log_every_request = False

    def perform_authentication(self, request) -> None:
        super().perform_authentication(request)
        # The operation log's actor is the API caller, also when no login session exists
        # (a platform token): model-change entries written by the signals pick it up.
        self._audit_context = audit.set_context(request.user, audit.client_ip(request))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if should_log(self, request):
            log_request(self, request, response)
        token = getattr(self, "_audit_context", None)
        if token is not None:
            audit.reset_context(token)
            self._audit_context = None
        return response


class ScopedViewMixin(ApiViewMixin):
    """A view over one scoped model.

    ``get_queryset`` starts from ``model.objects.visible_to(user)``, the only visibility rule.
    ``get_object`` is the one place that turns a lookup outside the caller's jurisdiction into
    a 404 (logged as ``denied`` by the exception handler); subclasses only say how a URL
    value becomes a lookup (``lookup_filter``).
    """

    model: type[models.Model]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def lookup_filter(self, value: str) -> dict | None:
        """The filter kwargs for the URL's lookup value; None when it cannot name anything."""
        return {self.lookup_field: value}

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        lookup = self.lookup_filter(value)
        if lookup is None:
            raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
        obj = self.get_queryset().filter(**lookup).first()
        if obj is None:
            hidden = self.model._default_manager.filter(**lookup).first()
            if hidden is not None:
                raise OutOfJurisdiction(hidden, lookup=str(value))
            raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
        self.check_object_permissions(self.request, obj)
        return obj

    # -- writes: all or nothing ---------------------------------------------------------

    def __init_subclass__(cls, **kwargs) -> None:
        """Wrap the view's own ``create``/``update`` (from DRF's mixins or its own) in one
        transaction. A read-only view has neither, so the router maps no POST/PUT to it: 405
        JSON, and the schema does not advertise them (it used to: 500 on POST)."""
        super().__init_subclass__(**kwargs)
        for name in ("create", "update"):
            method = getattr(cls, name, None)
            if method is not None and not getattr(method, "_hedang_atomic", False):
                setattr(cls, name, _atomic(method))


def _atomic(method):
    @functools.wraps(method)
    def wrapped(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                return method(self, request, *args, **kwargs)
        except IntegrityError as exc:
            raise Conflict() from exc

    wrapped._hedang_atomic = True
    return wrapped
