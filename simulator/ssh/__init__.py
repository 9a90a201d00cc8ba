"""The simulated hosts' SSH: an asyncssh server on the master (every connection on one event loop) and a tiny shell that never executes anything."""
