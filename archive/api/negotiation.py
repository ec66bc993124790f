"""The API speaks JSON only: errors stay JSON whatever the client's Accept header says."""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Parsers are chosen as usual (415 for an unknown body type); the renderer is JSON.

    Never answering 406 lets file downloads, which return their bytes directly, be asked for
    with any Accept header and still get a JSON body when they fail.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


API_RENDERERS = [JSONRenderer]
