"""Evidence files attached to complaints: photos, documents, proofs of delivery, receipts (docs/channels.md).

choices.py and models.py are the core (complaints.models imports the model, app label `complaints`); files.py reads
and sanitises what was sent (the type comes from the bytes, images are re-encoded without metadata); storage.py is
the one place that reads and writes the evidence storage (STORAGES["evidence"]); services.py adds and hides files;
selectors.py says who sees which; responses.py streams a file to whoever the edge has already checked may see it.
"""
