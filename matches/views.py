from django.shortcuts import get_object_or_404, render

from matches.models import Competition, Match, Team


def home(request):
    return render(request, "matches/home.html", {"competitions": Competition.objects.all()})


def competition_detail(request, pk):
    competition = get_object_or_404(Competition, pk=pk)
    return render(request, "matches/competition_detail.html", {"competition": competition})


def match_detail(request, pk):
    match = get_object_or_404(Match.objects.select_related("home_team", "away_team", "competition", "season"), pk=pk)
    return render(request, "matches/match_detail.html", {"match": match})


def team_detail(request, pk):
    team = get_object_or_404(Team, pk=pk)
    return render(request, "matches/team_detail.html", {"team": team})
