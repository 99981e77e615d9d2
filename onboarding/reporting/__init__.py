"""Staff monitoring: the funnel report (`onboard report`): pure numbers, set-based reads, charts, one page."""
