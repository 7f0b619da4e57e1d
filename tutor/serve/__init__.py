"""`tutor serve`: the course in a browser, one tutor process per learner (textual-serve)."""
