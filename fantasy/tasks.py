"""What django-q2 runs for fantasy: a stored optimization from start to end (DESIGN §3: never in a request)."""


def run_optimization(optimization_id: int) -> str:
    from fantasy.models import Optimization
    from fantasy.optimizing import run_optimization as run

    optimization = Optimization.objects.get(pk=optimization_id)
    if optimization.finished:
        return f"optimization {optimization_id} was finished already"
    optimization = run(optimization)
    return f"optimization {optimization_id}: {optimization.get_status_display()} {optimization.message}".strip()


def queue_optimization(optimization) -> None:
    from django_q.tasks import async_task

    async_task("fantasy.tasks.run_optimization", optimization.pk, task_name=f"optimization {optimization.pk}")
