import atexit
import gc

from .celery import app as celery_app

__all__ = ["celery_app"]

# A process that ends spends its last moments collecting the garbage of everything it loaded
# (Django, Wagtail, the OCR libraries: about 0.35 CPU s for the ingest command and the worker
# each, measured). Objects are frozen out of the collector at exit instead; the memory goes
# back with the process, and anything freed by reference counting is freed as before. The
# first handler registered runs last, after every other exit handler.
atexit.register(gc.freeze)
