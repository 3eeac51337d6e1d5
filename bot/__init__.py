"""crisisbot: one room, one plan and one story for a brand-reputation crisis."""
