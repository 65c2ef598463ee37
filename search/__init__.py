"""Directory search: contractors, documents, news and investments in one box, in Polish.

One contract (`backends/base.py`), two backends: the database (the embedded default, on
SQLite and PostgreSQL alike) and Elasticsearch (`ELASTICSEARCH_URL`). The Polish work
(folding, lemmas, typos) is done in Python (`text.py`), so both databases answer alike.
What is indexed comes from `sources.py`; indexing follows publishing (`indexing.py`,
`tasks.py`); visibility is applied inside the search itself, never after it.
"""
