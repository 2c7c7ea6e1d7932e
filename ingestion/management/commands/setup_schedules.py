from django.core.management.base import BaseCommand

from ingestion.tasks import setup_schedules


class Command(BaseCommand):
    help = "Create or update the django-q2 schedules that keep the data fresh; safe to run twice."

    def handle(self, *args, **options):
        for schedule, outcome in setup_schedules():
            when = f"every {schedule.minutes} min" if schedule.minutes else schedule.get_schedule_type_display().lower()
            self.stdout.write(f"{outcome:9} {schedule.name}: {schedule.func}, {when}, next {schedule.next_run:%Y-%m-%d %H:%M %Z}")
