"""Paper portfolios: a signed-in user's list with the "New portfolio" form, and one portfolio's page.

The page draws the portfolio's live block (open bets, settled bets, balance); the owner's own stream
(/ws/me/, accounts.portfolios) replaces it as bets are placed and settled, so a replayed or a real
match shows its paper bets without a reload. Strategies are switched on and off here; a strategy is
one the user saved (or one of the site's), at its latest version when switched on.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from trading import pages, paper
from trading.models import PaperPortfolio, PaperStrategy


class PortfolioForm(forms.ModelForm):
    class Meta:
        model = PaperPortfolio
        fields = ["name", "bankroll"]
        labels = {"bankroll": "Starting bankroll (units)"}

    def clean_bankroll(self):
        bankroll = self.cleaned_data["bankroll"]
        if not 1 <= bankroll <= 1_000_000:
            raise forms.ValidationError("Between 1 and 1,000,000 units.")
        return bankroll


class SwitchOnForm(forms.Form):
    strategy = forms.ModelChoiceField(queryset=None, label="Strategy", empty_label=None)
    delay_seconds = forms.IntegerField(label="Order delay (seconds)", min_value=0, max_value=3600, initial=0,
                                       help_text="The signal is read this long before the price is taken.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = pages.visible_strategies(user).filter(versions__isnull=False).distinct()


def visible_portfolios(user):
    return PaperPortfolio.objects.filter(Q(owner__isnull=True) | Q(owner=user) if user.is_authenticated
                                         else Q(owner__isnull=True))


@require_http_methods(["GET", "POST"])
def portfolios_page(request):
    """The site's portfolios and the reader's own; a signed-in reader creates his here."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = PortfolioForm(request.POST or None) if request.user.is_authenticated else None
    if request.method == "POST" and form.is_valid():
        portfolio = form.save(commit=False)
        portfolio.owner = request.user
        portfolio.save()
        return redirect(portfolio)
    rows = [{"portfolio": portfolio, "summary": paper.portfolio_summary(portfolio)}
            for portfolio in visible_portfolios(request.user).order_by("name", "pk")]
    return render(request, "trading/portfolios.html", {"form": form, "rows": rows},
                  status=400 if form is not None and form.is_bound and not form.is_valid() else 200)


@require_http_methods(["GET", "POST"])
def portfolio_page(request, pk):
    portfolio = get_object_or_404(visible_portfolios(request.user), pk=pk)
    mine = request.user.is_authenticated and portfolio.owner_id == request.user.pk
    form = SwitchOnForm(request.POST or None, user=request.user) if mine else None
    if request.method == "POST":
        if not mine:
            return redirect(portfolio)
        if form.is_valid():
            version = form.cleaned_data["strategy"].latest_version()
            try:
                with transaction.atomic():
                    PaperStrategy.objects.create(portfolio=portfolio, strategy_version=version,
                                                 delay_seconds=form.cleaned_data["delay_seconds"])
            except IntegrityError:
                PaperStrategy.objects.filter(portfolio=portfolio, strategy_version=version).update(
                    active=True, delay_seconds=form.cleaned_data["delay_seconds"])
            return redirect(portfolio)
    switched = list(portfolio.strategies.select_related("strategy_version__strategy").order_by("pk"))
    for row in switched:
        row.summary = pages.describe(row.strategy_version.definition)
    return render(request, "trading/portfolio_page.html", {
        "portfolio": portfolio, "summary": paper.portfolio_summary(portfolio), "mine": mine, "form": form,
        "switched": switched,
    }, status=400 if form is not None and form.is_bound and not form.is_valid() else 200)


@login_required
@require_POST
def toggle_strategy(request, pk, strategy_pk):
    portfolio = get_object_or_404(PaperPortfolio, pk=pk, owner=request.user)
    switched = get_object_or_404(PaperStrategy, pk=strategy_pk, portfolio=portfolio)
    switched.active = not switched.active
    switched.save(update_fields=["active"])
    return redirect(portfolio)
