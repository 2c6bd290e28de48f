"""Development tools: ``pledges bench`` and the synthetic corpus it measures."""
