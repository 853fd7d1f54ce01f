"""The journal's own history, from the git repository it lives in.

    git.py     the `git` command line (the only I/O): locate, blame, the file at a commit
    blame.py   blame output -> each line's commit time -> the day it was last written (pure)
    store.py   line dates of the journal now or as of a day, kept per commit in the cache

Everything here is optional: no repository, a shallow clone, no `git`, an untracked file or a
failing git make `GitError` with a reason, and the review goes on without history.
"""
