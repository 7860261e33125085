"""What runs the sandbox around the domain, with no face of its own: services and units of work
(storage), the schema and its migrations, the demo world, snapshots, the request log, certificates,
notification delivery and the background worker, the shared clock, sessions and the Host rules."""
