"""Webhooks to the tenants' backends: endpoints and the dispatcher."""
