"""The operator's actions: what `callwright admin` and the operator API (/v1/admin/) do."""
