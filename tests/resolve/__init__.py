"""Tests of meshroute_analysis.resolve: one module per concern, the README's uncovered scenarios, properties."""
