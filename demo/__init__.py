"""`calipso demo`: the composition root, above the services it starts (the simulated cloud, a scan, the API,
the scan manager, the listener, monitoring, the console), so that `app/`, the ground they stand on, imports
none of them."""
