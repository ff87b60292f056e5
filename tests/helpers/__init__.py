"""What the tests share, imported explicitly (`from helpers.polling import until`); tests/
is on sys.path through `pythonpath` in pyproject.toml.

- polling: wait for a condition with a deadline (`wait_for` for threads and processes,
  `until` for an app under Pilot), never a fixed sleep;
- terminal: the real program on a pseudo-terminal (Terminal);
- writer: the child program the durability tests start and kill (run as a script);
- hostile_data: a DB whose every stored text is hostile;
- couch_server, sync: the CouchDB-protocol test server and a team's workers for sync.

Nothing here imports a test module, and no test module imports another.
"""
