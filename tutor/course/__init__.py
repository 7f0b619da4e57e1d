"""Course data: lesson schema and loading, panel contracts, and the learner's progress.
No Textual and no torch in here."""
