"""The filter scheduler: allocation candidates -> filters -> weighers -> atomic claim."""
