from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "ingestion"

    def ready(self):
        from ingestion import task_metrics

        task_metrics.connect()  # task durations and failures for /metrics
