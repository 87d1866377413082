"""The knowledge lifecycle's use cases that span packages: publishing a draft (merge, index,
golden queries, promoted tickets), promoting a ticket, and content health (attention flags and
the owners' mail). Sits above portal.tickets and below portal.web (docs/architecture.md)."""
