"""Chroma, embedded (`PersistentClient`) or client/server (`HttpClient`).

Chroma's own default embedding function downloads a model at first use, which
fails offline, so every collection is handed our embeddings explicitly and every
add/query passes vectors we computed. Each embedding model gets its own
collection (cosine space); vectors from two models are never mixed. Beside it
live two small collections: document records (`.docs`, the live version of
each document) and vocabulary terms (`.terms`, one vector per indexed word,
which lets English question words find their Korean counterparts). A third,
`.locks`, holds the commit lock of writers sharing a server.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from vectorstore.errors import EmbeddingModelMismatch, StoreError, StoreInUse
from vectorstore.locks import CommitLock
from vectorstore.lru import LRU
from vectorstore.records import Chunk, DocumentChunks, DocumentRecord, Hit, text_key

if TYPE_CHECKING:
    import numpy as np

    from vectorstore.embeddings import ModelEmbeddings

COLLECTION_PREFIX = "articlebot-"
DOCUMENTS_SUFFIX = ".docs"
TERMS_SUFFIX = ".terms"
LOCKS_SUFFIX = ".locks"
SIDE_SUFFIXES = (DOCUMENTS_SUFFIX, TERMS_SUFFIX, LOCKS_SUFFIX)
_GET_BATCH = 500
# Chroma persists a collection's HNSW index every `sync_threshold` records written
# (default 1000); until then each write also pays for the records written since the
# last persist. Document records carry whole article texts, so with the default a
# document write averaged 0.3 s over the first 300 articles, more than the chunks
# (docs/scale.md). They are looked up by id and their index holds one number per
# document, so persisting it every few writes costs next to nothing.
DOCUMENTS_INDEX = {"sync_threshold": 10, "batch_size": 10}


def _slices(count: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most `size` covering `count` items: one Chroma call each."""
    for start in range(0, count, size):
        yield slice(start, start + size)


CACHE_DOCUMENTS = 64  # documents kept with their chunks and vectors (about 0.2 MB each)
CACHE_TERMS = 50_000  # term vectors kept (1.5 KB each: about 75 MB at most)


def collection_name(model_id: str) -> str:
    """A Chroma-legal collection name for one embedding model."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id).strip("-._")
    return f"{COLLECTION_PREFIX}{slug}"[:512]


def _chroma_embedding_function(embeddings: "ModelEmbeddings | None") -> Any:
    """Wrap our embeddings in Chroma's protocol so Chroma never loads its own model."""
    from chromadb.api.types import EmbeddingFunction

    class ArticlebotEmbeddingFunction(EmbeddingFunction):  # type: ignore[type-arg]
        def __init__(self) -> None:
            self._embeddings = embeddings

        def __call__(self, input: Sequence[str]) -> Any:  # noqa: A002 - Chroma's name
            if self._embeddings is None:
                raise StoreError("articlebot collections are embedded by articlebot itself")
            return list(self._embeddings.embed_passages(list(input)))

        @staticmethod
        def name() -> str:
            return "articlebot"

        def get_config(self) -> dict[str, Any]:
            return {"model_id": embeddings.model_id if embeddings else ""}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> Any:
            # Chroma rebuilds functions from stored config; ours carries no model.
            return _chroma_embedding_function(None)

    return ArticlebotEmbeddingFunction()


class ChromaStore:
    """All vector-store I/O of articlebot goes through this class."""

    def __init__(self, client: Any, embeddings: "ModelEmbeddings", location: str,
                 lock_path: Path | None = None, rebuild: bool = False,
                 cache_documents: int = CACHE_DOCUMENTS, cache_terms: int = CACHE_TERMS) -> None:
        """`rebuild` deletes every articlebot collection first, whatever model built it.

        The caches of documents (their chunks and vectors) and of term vectors are
        bounded, least recently used first out, so a long-running bot stays flat.
        """
        self._client = client
        self.embeddings = embeddings
        self.location = location
        self._lock_path = lock_path
        self.collection_name = collection_name(embeddings.model_id)
        self._cache: LRU[str, DocumentChunks] = LRU(cache_documents)
        self._term_cache: LRU[str, "np.ndarray"] = LRU(cache_terms)
        if rebuild:
            for name in self._collection_names(include_side=True):
                self._client.delete_collection(name)
        self._collection = self._open_collection()
        self._documents = self._side_collection(DOCUMENTS_SUFFIX, DOCUMENTS_INDEX)
        self._terms = self._side_collection(TERMS_SUFFIX, {})
        self._commit_lock = CommitLock(self._side_collection(LOCKS_SUFFIX, {}))
        self._max_batch = 0  # the most records one write may carry (asked of Chroma when first needed)

    # -- opening ---------------------------------------------------------------

    @classmethod
    def persistent(cls, data_dir: Path, embeddings: "ModelEmbeddings",
                   rebuild: bool = False, **caches: int) -> "ChromaStore":
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path = Path(data_dir) / "chroma"
        try:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
            )
        except OSError as exc:
            raise StoreError(f"cannot create the store at {path}: {exc.strerror or exc}") from exc
        return cls(client, embeddings, str(path), lock_path=Path(data_dir) / "ingest.lock",
                   rebuild=rebuild, **caches)

    @classmethod
    def http(cls, host: str, port: int, embeddings: "ModelEmbeddings", ssl: bool = False,
             headers: dict[str, str] | None = None, rebuild: bool = False,
             database: str = "default_database", **caches: int) -> "ChromaStore":
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        scheme = "https" if ssl else "http"
        try:
            client = chromadb.HttpClient(
                host=host, port=port, ssl=ssl, headers=headers or {}, database=database,
                settings=ChromaSettings(anonymized_telemetry=False),
            )
            client.heartbeat()
        except Exception as exc:  # connection errors surface as several types
            raise StoreError(f"cannot reach the Chroma server at {scheme}://{host}:{port}: {exc}") from exc
        return cls(client, embeddings, f"{scheme}://{host}:{port}/{database}", rebuild=rebuild, **caches)

    def _open_collection(self) -> Any:
        ours = self.collection_name
        names = self._collection_names()
        others = [name for name in names if name != ours]
        if ours not in names and others:
            populated = [n for n in others if self._client.get_collection(n).count() > 0]
            if populated:
                built_with = ", ".join(n.removeprefix(COLLECTION_PREFIX) for n in populated)
                raise EmbeddingModelMismatch(
                    f"the store at {self.location} was built with another embedding model "
                    f"({built_with}), not {self.embeddings.model_id}; re-ingest with "
                    "`articlebot ingest --rebuild PATH` (or point ARTICLEBOT_DATA_DIR elsewhere)"
                )
        return self._client.get_or_create_collection(
            ours,
            embedding_function=_chroma_embedding_function(self.embeddings),
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": self.embeddings.model_id},
        )

    def _side_collection(self, suffix: str, index: dict[str, int]) -> Any:
        """A collection looked up by id only; a store made before `index` was chosen gets it now."""
        collection = self._client.get_or_create_collection(
            self.collection_name + suffix,
            embedding_function=_chroma_embedding_function(None),
            configuration={"hnsw": {"space": "cosine", **index}},
        )
        held = (collection.configuration or {}).get("hnsw") or {}
        if index and held.get("sync_threshold") != index["sync_threshold"]:
            collection.modify(configuration={"hnsw": dict(index)})
        return collection

    def _collection_names(self, include_side: bool = False) -> list[str]:
        names = [str(getattr(c, "name", c)) for c in self._client.list_collections()]
        return [n for n in names if n.startswith(COLLECTION_PREFIX)
                and (include_side or not n.endswith(SIDE_SUFFIXES))]

    # -- writing ---------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the single-writer lock of an embedded store (no-op for a server)."""
        if self._lock_path is None:
            yield
            return
        from filelock import FileLock, Timeout

        lock = FileLock(str(self._lock_path))
        try:
            lock.acquire(timeout=0.5)
        except Timeout as exc:
            raise StoreInUse(
                f"the store at {self.location} is in use by another ingest; wait for it to "
                "finish, or use a Chroma server (CHROMA_HOST) for concurrent writers"
            ) from exc
        try:
            yield
        finally:
            lock.release()

    @contextlib.contextmanager
    def committing(self) -> Iterator[None]:
        """Hold the commit lock: one writer at a time switches records and deletes chunks.

        Writers of an embedded store already hold its file lock for their whole run
        (`writing`); writers sharing a server, maybe on several machines, take this short
        lock in the server itself (vectorstore/locks.py) around each commit only.
        """
        if self._lock_path is not None:
            yield
            return
        with self._commit_lock.held():
            yield

    def _write_batches(self, count: int) -> Iterator[slice]:
        """Slices of at most Chroma's largest batch: each write call has a fixed cost, so fewer is faster."""
        if not self._max_batch:
            self._max_batch = int(self._client.get_max_batch_size())
        return _slices(count, self._max_batch)

    def upsert(self, chunks: Sequence[Chunk], vectors: "np.ndarray") -> None:
        """Store chunks with their vectors; any number, of any documents, in as few writes as Chroma allows."""
        for part in self._write_batches(len(chunks)):
            self._collection.upsert(
                ids=[c.id for c in chunks[part]],
                documents=[c.text for c in chunks[part]],
                metadatas=[c.metadata for c in chunks[part]],
                embeddings=vectors[part],
            )

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Refresh metadata (positions, titles) of chunks whose vectors are still right."""
        for part in self._write_batches(len(chunks)):
            self._collection.update(ids=[c.id for c in chunks[part]], metadatas=[c.metadata for c in chunks[part]])

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for part in self._write_batches(len(ids)):
            self._collection.delete(ids=ids[part])

    # -- reading ---------------------------------------------------------------

    def missing(self, ids: Sequence[str]) -> list[str]:
        """Those of `ids` (in order) that have no stored chunk."""
        present: set[str] = set()
        for part in _slices(len(ids), _GET_BATCH):
            present.update(self._collection.get(ids=list(ids[part]), include=[])["ids"])
        return [i for i in ids if i not in present]

    def ids_where(self, where: dict[str, Any]) -> list[str]:
        return list(self._collection.get(where=where, include=[])["ids"])

    def get(self, ids: Sequence[str]) -> list[Hit]:
        if not ids:
            return []
        got = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {
            i: Hit(i, doc or "", dict(meta or {}))
            for i, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
        }
        return [by_id[i] for i in ids if i in by_id]

    def query(self, vector: "np.ndarray", n: int, where: dict[str, Any] | None = None) -> list[Hit]:
        """The `n` chunks nearest the vector (among those matching `where`, if given).

        One search, whatever the store holds: Chroma returns fewer hits from a smaller
        collection and none from an empty one, so nothing is counted first.
        """
        got = self._collection.query(
            query_embeddings=[vector], n_results=n, where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(i, doc or "", dict(meta or {}), score=1.0 - float(dist))
            for i, doc, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
            )
        ]

    def count(self) -> int:
        return int(self._collection.count())

    # -- vocabulary terms --------------------------------------------------------

    @staticmethod
    def _term_id(term: str) -> str:
        return "t:" + term

    def missing_terms(self, terms: Iterable[str]) -> list[str]:
        """The terms (in order, without repeats) that have no stored vector yet."""
        wanted = [t for t in dict.fromkeys(terms) if t not in self._term_cache]
        present: set[str] = set()
        for part in _slices(len(wanted), _GET_BATCH):
            ids = [self._term_id(t) for t in wanted[part]]
            present.update(self._terms.get(ids=ids, include=["documents"])["documents"])
        return [t for t in wanted if t not in present]

    def put_terms(self, terms: Sequence[str], vectors: "np.ndarray") -> None:
        """Store one vector per vocabulary term; terms are shared by all documents."""
        for part in self._write_batches(len(terms)):
            words = list(terms[part])
            self._terms.upsert(ids=[self._term_id(t) for t in words], documents=words, embeddings=vectors[part])

    def stored_terms(self) -> tuple[list[str], "np.ndarray"]:
        """Every stored term with its vector (to copy a vocabulary into another store)."""
        import numpy as np

        got = self._terms.get(include=["documents", "embeddings"])
        return list(got["documents"] or []), np.asarray(got["embeddings"], dtype=np.float32)

    def term_vectors(self, terms: Iterable[str]) -> dict[str, "np.ndarray"]:
        """Vectors of the given terms that are stored (cached: a term's vector never changes)."""
        import numpy as np

        terms = list(dict.fromkeys(terms))
        wanted = [t for t in terms if t not in self._term_cache]
        for part in _slices(len(wanted), _GET_BATCH):
            ids = [self._term_id(t) for t in wanted[part]]
            got = self._terms.get(ids=ids, include=["documents", "embeddings"])
            for term, vector in zip(got["documents"], got["embeddings"]):
                self._term_cache.put(term, np.asarray(vector, dtype=np.float32))
        found = {t: self._term_cache.get(t) for t in terms}
        return {t: v for t, v in found.items() if v is not None}

    # -- documents -------------------------------------------------------------

    def put_document(self, record: DocumentRecord) -> None:
        """Make `record` the live version of its document (one atomic write)."""
        self.put_documents([record])

    def put_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Make each record the live version of its document, in as few writes as Chroma allows."""
        import json

        unread = [r.doc_id for r in records if not r.text_loaded]
        if unread:
            raise StoreError(f"records listed without their text cannot be written back: {', '.join(unread)}")
        for part in self._write_batches(len(records)):
            self._documents.upsert(
                ids=[r.doc_id for r in records[part]],
                documents=[r.text for r in records[part]],
                embeddings=[[1.0]] * len(records[part]),  # records are looked up by id, never by similarity
                metadatas=[{
                    "version": r.version, "title": r.title, "url": r.url,
                    "lang": r.lang, "source_site": r.source_site, "text_key": text_key(r.text),
                    "created_at": r.created_at, "updated_at": r.updated_at,
                    "revision": r.revision, "paragraphs": r.paragraph_count,
                    "chunk_ids": json.dumps(list(r.chunk_ids)),
                    "extra": json.dumps(r.extra, ensure_ascii=False),
                } for r in records[part]],
            )

    def _records(self, with_text: bool = True, **query: Any) -> list[DocumentRecord]:
        import json

        got = self._documents.get(include=["documents", "metadatas"] if with_text else ["metadatas"], **query)
        texts = got["documents"] if with_text else [None] * len(got["ids"])
        return [
            DocumentRecord(
                doc_id=i, version=str(m["version"]), text=doc or "",
                chunk_ids=tuple(json.loads(str(m["chunk_ids"]))), title=str(m.get("title", "")),
                url=str(m.get("url", "")), lang=str(m.get("lang", "")),
                source_site=str(m.get("source_site", "")), created_at=str(m.get("created_at", "")),
                updated_at=str(m.get("updated_at", "")), revision=int(m.get("revision", 1)),
                extra=json.loads(str(m.get("extra", "{}"))),
                paragraph_count=int(m.get("paragraphs", 0)), text_loaded=with_text,
            )
            for i, doc, m in zip(got["ids"], texts, got["metadatas"])
        ]

    def merge_extra(self, doc_id: str, extra: dict[str, object]) -> None:
        """Add `extra` to the live record's fields, re-read under the commit lock so that a
        version another writer switched to meanwhile is kept, not overwritten."""
        with self.committing():
            record = self.get_document(doc_id)
            if record is not None and any(record.extra.get(k) != v for k, v in extra.items()):
                self.put_document(replace(record, extra={**record.extra, **extra}))

    def documents_with_text(self, text: str) -> list[str]:
        """Ids of the documents whose text equals `text` up to whitespace (one indexed lookup;
        records written before the key existed are not found)."""
        return list(self._documents.get(where={"text_key": text_key(text)}, include=[])["ids"])

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        found = self.get_documents([doc_id])
        return found[0] if found else None

    def get_documents(self, doc_ids: Sequence[str]) -> list[DocumentRecord]:
        """The live records (with texts) of those ids that are stored, in their order, read in batches."""
        found = {r.doc_id: r for part in _slices(len(doc_ids), _GET_BATCH)
                 for r in self._records(ids=list(doc_ids[part]))}
        return [found[i] for i in doc_ids if i in found]

    def catalogue(self, limit: int = 5) -> tuple[list[str], int]:
        """Up to `limit` stored titles and how many documents there are (cheap: no texts read)."""
        got = self._documents.get(limit=limit, include=["metadatas"])
        titles = [str((m or {}).get("title") or i) for i, m in zip(got["ids"], got["metadatas"])]
        return titles, int(self._documents.count())

    def list_documents(self, with_text: bool = False) -> list[DocumentRecord]:
        """Every live record, by id. Without `with_text` no article text is read (records
        written before paragraph counts were kept get theirs from their text)."""
        records = self._records(with_text=with_text)
        uncounted = [r.doc_id for r in records if not r.paragraph_count]
        if uncounted:
            counted = {r.doc_id: r for r in self.get_documents(uncounted)}
            records = [replace(r, paragraph_count=counted[r.doc_id].paragraph_count) if r.doc_id in counted else r
                       for r in records]
        return sorted(records, key=lambda r: r.doc_id)

    def delete_document(self, doc_id: str) -> int:
        """Remove a document completely; returns how many chunks were deleted."""
        with self.committing():
            self._documents.delete(ids=[doc_id])
            ids = self.ids_where({"doc_id": doc_id})
            self.delete(ids)
        self._cache.pop(doc_id)
        return len(ids)

    def document_chunks(self, doc_id: str) -> DocumentChunks | None:
        """The live chunks of a document with vectors (see `documents_chunks`)."""
        return self.documents_chunks([doc_id])[0]

    def documents_chunks(self, doc_ids: Sequence[str]) -> list[DocumentChunks | None]:
        """The live chunks of each document with vectors (None for an unknown id); cached per version.

        The cached ones cost one small read for all of them (their versions), so answers
        always reflect the latest ingest, even one made by another process; the others
        cost two reads for all of them (records, then chunks), not two each: on a Chroma
        server every read is a round trip.
        """
        found: dict[str, DocumentChunks | None] = {}
        cached = {i: c for i in dict.fromkeys(doc_ids) if (c := self._cache.get(i)) is not None}
        if cached:
            got = self._documents.get(ids=list(cached), include=["metadatas"])
            live = {i: str(m["version"]) for i, m in zip(got["ids"], got["metadatas"])}
            for doc_id, chunks in cached.items():
                if doc_id not in live:
                    found[doc_id] = None
                elif live[doc_id] == chunks.record.version:
                    found[doc_id] = chunks
        unread = [i for i in dict.fromkeys(doc_ids) if i not in found]
        if unread:
            found.update(self._read_documents(unread))
        return [found[i] for i in doc_ids]

    def _read_documents(self, doc_ids: list[str], attempts: int = 3) -> dict[str, DocumentChunks | None]:
        records = {r.doc_id: r for r in self._records(ids=doc_ids)}
        rows = self._chunk_rows([c for r in records.values() for c in r.chunk_ids])
        found: dict[str, DocumentChunks | None] = {}
        changing = []
        for doc_id in doc_ids:
            record = records.get(doc_id)
            if record is None:
                found[doc_id] = None
            elif all(c in rows for c in record.chunk_ids):
                found[doc_id] = self._keep(record, rows)
            else:
                # A re-ingest switched versions and deleted old chunks between our two
                # reads: read the (new) record again rather than answer from half a version.
                changing.append(doc_id)
        if changing:
            if attempts <= 1:
                raise StoreError(f"document {changing[0]!r} keeps changing while being read; try again")
            found.update(self._read_documents(changing, attempts - 1))
        return found

    def _chunk_rows(self, chunk_ids: list[str]) -> dict[str, tuple[str, dict[str, Any], Any]]:
        rows: dict[str, tuple[str, dict[str, Any], Any]] = {}
        for part in _slices(len(chunk_ids), _GET_BATCH):
            got = self._collection.get(ids=chunk_ids[part],
                                       include=["documents", "metadatas", "embeddings"])
            for i, doc, meta, vector in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]):
                rows[i] = (doc or "", dict(meta or {}), vector)
        return rows

    def _keep(self, record: DocumentRecord, rows: dict[str, tuple[str, dict[str, Any], Any]]) -> DocumentChunks:
        """A document's chunks in stored order, now cached."""
        import numpy as np

        hits = [Hit(i, rows[i][0], rows[i][1]) for i in record.chunk_ids]
        vectors = np.asarray([rows[i][2] for i in record.chunk_ids], dtype=np.float32).reshape(len(hits), -1)
        chunks = DocumentChunks(record, hits, vectors)
        self._cache.put(record.doc_id, chunks)
        return chunks
