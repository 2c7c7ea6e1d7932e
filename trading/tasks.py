"""What django-q2 runs for trading: a stored backtest (or walk-forward) from start to end.

A page queues the run and shows the row's progress; any worker on any machine may take it
(DESIGN §3: backtests never run inside a request).
"""

import logging

logger = logging.getLogger(__name__)


def run_backtest(backtest_id: int) -> str:
    from trading.models import Backtest
    from trading.services import run_backtest as run

    backtest = Backtest.objects.get(pk=backtest_id)
    if backtest.status == Backtest.Status.DONE:
        return f"backtest {backtest_id} was done already"
    backtest = run(backtest)
    report = backtest.report
    return f"backtest {backtest_id}: {report['bets']} bets, profit {report['profit']:+.2f}, ROI {report['roi'] or 0:+.2%}"


def queue_backtest(backtest) -> None:
    """Hand a stored backtest to the task workers."""
    from django_q.tasks import async_task

    async_task("trading.tasks.run_backtest", backtest.pk, task_name=f"backtest {backtest.pk}")
