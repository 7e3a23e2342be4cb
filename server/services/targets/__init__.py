"""Target-setting administration: settings, benchmarks, pre-population, deletion, cohorts."""
