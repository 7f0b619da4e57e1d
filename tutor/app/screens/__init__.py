"""The app's screens: course map, lesson player, help (and the lab, from the panels issue)."""
