import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if settings.HEDANG_SERVE_STATIC:
    # `make run` serves under gunicorn with no web server in front: the admin's CSS and
    # scripts come from the apps' static folders, as runserver would serve them.
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    application = StaticFilesHandler(application)
