"""The demo data set and its loader (`aspire demo`)."""
