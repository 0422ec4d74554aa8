"""The virtual route (rules §6): landmarks, progress, passing, reflections, certificates and posters."""
