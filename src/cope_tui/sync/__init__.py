"""Team sync (issue 15): the DB's clients, meetings and exercises replicated both ways
with a CouchDB database, each record sealed with the team's key before it leaves.

couch      the replication protocol over HTTP(S); every failure a SyncError (errors)
seal       the team's key document, opaque remote ids, sealed bodies, revision hashes
team       joining the team on the server: its key document read, or created
versions   one revision as it travels: built and sealed, opened and checked
merge      field-by-field three-way merge, conflicts kept side by side
reconcile  a record's new revisions merged into the DB's version
push       what a record sends: a new revision, and tombstones closing merged branches
local      the DB's side: which records changed, and writing what arrives
state      what was last synced, per record, in files beside the DB
engine     pull and push with checkpoints; safe to run in a worker thread

Nothing here imports Textual, and nothing keeps global state: the app can hold one
engine per open DB and call it from a worker.

May import: store, meetings, cope, content and the leaves. Never session or search
(the three are independent), export, demo, the CLI or the UI.
"""
