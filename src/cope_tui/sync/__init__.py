"""Team sync (issue 15): the DB's clients, meetings and exercises replicated both ways
with a CouchDB database, each record sealed with the team's key before it leaves.

couch   the replication protocol over HTTP(S), every failure a SyncError
seal    the team's key document, opaque remote ids, sealed bodies, revision ids
merge   field-by-field three-way merge, conflicts kept side by side
state   what was last synced, per record, in a file beside the DB
engine  pull and push with checkpoints; safe to run in a worker thread

Nothing here imports Textual, and nothing keeps global state: the app can hold one
engine per open DB and call it from a worker.
"""
