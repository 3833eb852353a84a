"""Emergency care (ensihoito): risk-area grid, stations, units, coverage, simulation, placement."""
