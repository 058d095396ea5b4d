from django.http import JsonResponse

from .models import Series


def index(request):
    """Answers through the database, so a response proves the whole chain: nginx, gunicorn, Django, PostgreSQL."""
    return JsonResponse({"app": "series-tiempo-ar-api fixture", "series": Series.objects.count()})
