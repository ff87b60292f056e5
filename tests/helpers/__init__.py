"""What the tests share, imported by name (`from helpers.polling import until`): tests/
is on sys.path through `pythonpath` in pyproject.toml. Nothing here imports a test
module, and no test module imports another.

- polling: wait for a condition with a deadline, never a fixed sleep: `wait_for` for
  threads and processes, `until` for an app under Pilot;
- pilot: conditions app tests wait for (the palette's answer, the search's answer);
- cli: the CLI's command line, run_cli, doctor, encrypt/decrypt (convert);
- terminal: the real program on a pseudo-terminal (Terminal);
- writer: the child program the durability tests start and kill (run as a script);
- stored: small DBs built for a test, and what is on disk read back beside the app;
- audit_log, crash, export_db, journey, hostile_data: what the tests of one subject share;
- couch_server, sync: the CouchDB-protocol test server and a team's workers.
"""
