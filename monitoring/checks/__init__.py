"""Sensu check scripts, deployed to /etc/sensu/plugins on every monitored host (standard library only)."""
