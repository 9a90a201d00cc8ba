"""One scan spread over scan workers: RabbitMQ carries the work, MongoDB the results.

The seam is the hierarchy's host level. The scan that was asked for (the coordinator) walks the
hierarchy as a local scan does, but the host subtrees (every task whose parent is a host) go to
`calipso scan-worker` processes instead of its own pool: it stores what it has found so far (the
base: regions, hosts, networks, ports...) in a temporary collection of the scan, and publishes the
host tasks, a few hosts a message, to one durable queue. A worker loads the base, runs the same
hierarchy and fetchers from those host tasks, stores what it found in the same collection, and
only then acks; a worker that dies leaves its message unacked, and RabbitMQ hands it to another.
The coordinator merges every part into its own picture and goes on exactly as a local scan does:
links, cliques, comparison with the store, one write, the change log. The temporary collection is
dropped when the scan ends, whatever the outcome.

Modules: `broker` (the work queue), `workspace` (the temporary collection), `coordinator` (split,
dispatch, wait, merge), `chunk` (what a worker does with one message), `worker` (the consume loop).
"""
