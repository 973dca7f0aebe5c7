"""What places tells the apps above it. Places imports none of them (docs/architecture.md,
"Layers"); an app whose rows carry a building's grid id listens here instead."""

from django.dispatch import Signal

# Sent by Building.save(), inside its transaction, when a saved building now lies in another grid
# and its units and houses have followed. Arguments: building, grid_id (the new grid).
# people.actions.follow_building moves the households, people and posts of the building.
building_moved = Signal()
