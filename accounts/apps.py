from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users' own data: profiles, follows, alerts, API keys and their quotas, the per-user stream.

    Points at any domain app; none points here except through settings.AUTH_USER_MODEL.
    """

    name = "accounts"

    def ready(self):
        # The follow button on the pages other apps draw, the home page's "Following" card and the
        # alerts to followers: contributed through matches' registries, so matches never imports us.
        from accounts import alerts, follows
        from matches import live, regions

        button = follows.BUTTON_TEMPLATE
        regions.register_region("team", regions.Region("follow", button, follows.team_button, order=0,
                                                       with_request=True))
        regions.register_region("player", regions.Region("follow", button, follows.player_button, order=0,
                                                         with_request=True))
        regions.register_region("competition", regions.Region("follow", button, follows.competition_button,
                                                              order=0, with_request=True))
        regions.register_region("match", regions.Region("follow", button, follows.match_button, order=0,
                                                        with_request=True))
        regions.register_region("home", regions.Region("following", follows.HOME_TEMPLATE, follows.home_following,
                                                       order=0))
        if alerts.on_change not in live.change_listeners:  # ready() may run twice in tests
            live.change_listeners.append(alerts.on_change)
        # paper portfolios pushed to their owner's open pages (trading never imports accounts)
        from accounts import portfolios
        from trading import paper

        if portfolios.push not in paper.portfolio_listeners:
            paper.portfolio_listeners.append(portfolios.push)
