import zoneinfo

from django.utils import timezone

from accounts.models import Profile


class ProfileMiddleware:
    """The signed-in reader's profile as ``request.profile`` (None otherwise), and his time zone activated,
    so times the server writes (dates in tables, CSV names) are in it. One query, signed-in readers only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.profile = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.profile = Profile.objects.filter(user=user).first()
        zone = request.profile.time_zone if request.profile else ""
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # a zone removed from tzdata since it was saved
                zone = ""
        try:
            return self.get_response(request)
        finally:
            if zone:
                timezone.deactivate()
