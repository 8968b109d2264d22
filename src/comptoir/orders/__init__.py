"""Orders: snapshots of what was sold, sequential numbers per channel, states and transitions, fulfilments with tracking, the event timeline."""
