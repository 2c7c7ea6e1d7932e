from django.core.management.base import BaseCommand, CommandError

from ingestion import jobs


class Command(BaseCommand):
    help = ("Run one provider job now, as the schedules would: matches (followed competitions' seasons), "
            "live (matches live or about to kick off), team_stats, player_stats (details of finished "
            "matches that lack them), odds, injuries (api_football: who is missing or doubtful for the "
            "matches of the next 3 days); for fpl: squad (players, prices, availability), fixtures (and the "
            "final lines of yesterday's matches), live (points of the live Premier League matches); for "
            "open_meteo: weather (forecasts for the coming week, observed weather of the last one; with "
            "--season YEAR, the observed weather of that whole season's finished matches).")

    def add_arguments(self, parser):
        parser.add_argument("provider", choices=sorted(jobs.PROVIDERS))
        parser.add_argument("job", choices=jobs.job_names(), metavar="WHAT",
                            help=", ".join(jobs.job_names()) + " (fpl: squad, fixtures, live; open_meteo: weather)")
        parser.add_argument("--competition", action="append", dest="competitions", metavar="CODE",
                            help="The provider's competition code (repeatable); default: SYNC_COMPETITIONS.")
        parser.add_argument("--season", type=int, metavar="YEAR", help="The year the season starts; default: current.")

    def handle(self, *args, provider, job, competitions, season, **options):
        chosen = jobs.PROVIDERS[provider]
        if not chosen.client.configured():
            raise CommandError(f"{provider} needs credentials: set {chosen.client.credential_setting} "
                               "(see README, Providers).")
        try:
            run = jobs.run_job(chosen, job, competitions=competitions, season=season)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if run is None:
            self.stdout.write(f"{provider} {job}: nothing to do")
            return
        summary = (f"{provider} {job}: {run.status}, {run.requests_made} requests"
                   f"{'' if run.quota_remaining is None else f', quota left {run.quota_remaining}'}, "
                   f"{run.created} created, {run.updated} updated, {run.unchanged} unchanged")
        if run.error:
            raise CommandError(f"{summary}\n{run.error}")
        self.stdout.write(summary)
