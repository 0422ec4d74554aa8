"""Steps that span several features and belong to none: setting a campaign up from a preset, settling
a day, importing a roster, rotating the personal-data key."""
