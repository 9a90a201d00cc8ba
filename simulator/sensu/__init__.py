"""The simulated hosts as Sensu clients: files deployed to them (SFTP, scp), the shell commands that
deployment and checks use, faults their checks see, and a client that runs the deployed checks."""
