"""The working-day calendar as data (SPEC 2.5): loaded years, the process cache."""
