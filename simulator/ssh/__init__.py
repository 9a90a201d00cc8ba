"""The simulated hosts' SSH: a paramiko server on the master and a tiny shell that never executes anything."""
