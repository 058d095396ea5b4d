"""Settings read from conf/settings/.env (django-environ format), which the deployment links to config/app/env."""
from pathlib import Path

import environ

SETTINGS_DIR = Path(__file__).resolve().parent
env = environ.Env(DEBUG=(bool, False))
environ.Env.read_env(str(SETTINGS_DIR / ".env"))

DEBUG = env("DEBUG")
SECRET_KEY = Path(env("SECRET_KEY_FILE")).read_text().strip()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.staticfiles", "series"]
MIDDLEWARE = []
ROOT_URLCONF = "conf.urls"
WSGI_APPLICATION = "conf.wsgi.application"
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT")
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
