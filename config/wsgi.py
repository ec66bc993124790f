import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if settings.PRODUCTION:
    # A production server does not start while an account has the published demo password.
    from archive.checks import refuse_demo_passwords

    refuse_demo_passwords()

if settings.HEDANG_SERVE_STATIC:
    # `make run` serves under gunicorn with no web server in front: the admin's CSS and
    # scripts come from the apps' static folders, as runserver would serve them.
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    application = StaticFilesHandler(application)
