"""The hub client: request signing, the one HubClient, live mode, push/pull orchestration and the
live Coordinator.
"""
