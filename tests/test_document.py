"""extract/document.py: one article's text and bounds, shared by the extractors."""

from __future__ import annotations

import subprocess
import sys

from extract.document import Document

TEXT = "Tiêu đề\nTrong năm 2016, công an bắt 30 đối tượng; thu 2 xe. Trong đó, 12 người bị phạt.\nĐoạn hai."


def test_offsets_agree_between_the_text_and_its_lower_cased_twin() -> None:
    doc = Document(TEXT)
    assert len(doc.lowered) == len(doc.text) and doc.lowered == doc.lowered.lower()
    assert Document.of(doc) is doc and Document.of(TEXT).text == TEXT


def test_sentences_paragraphs_and_clauses() -> None:
    doc = Document(TEXT)
    at = TEXT.index("12 người")
    assert doc.sentence_at(at).text == "Trong đó, 12 người bị phạt."
    start, end = doc.paragraph_at(at)
    assert TEXT[start:end].startswith("Trong năm 2016") and TEXT[end] == "\n"
    assert doc.paragraph_lead(at).text.startswith("Trong năm 2016, công an bắt 30 đối tượng")
    first, last = doc.clause_at(TEXT.index("2 xe"))
    assert TEXT[first:last].strip() == "thu 2 xe."


def test_tokens_with_offsets() -> None:
    doc = Document(TEXT)
    words = [TEXT[a:b] for a, b in doc.tokens]
    assert words[:3] == ["Tiêu", "đề", "Trong"]
    before = [TEXT[a:b] for a, b in doc.tokens_before(TEXT.index("30 đối"), 3)]
    assert before == ["công", "an", "bắt"]


def test_worker_processes_import_no_pandas() -> None:
    # a worker process imports the flow module to run `extract batch`: pandas and Great
    # Expectations are for validation and the metrics, in the flow's own process
    probe = (
        "import sys, flows.refresh, transform.batch; print(sorted({'pandas', 'great_expectations'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_sentence_at_agrees_with_splitting_the_whole_text() -> None:
    from extract.sentences import SentenceFinder, split_sentences

    text = "Tiêu đề\nSáng 5/6, TP. HCM có 12 vụ. Chiều, 3 vụ!  \n\nCuối cùng… hết"
    sentences = split_sentences(text)
    finder = SentenceFinder(text)
    for _ in range(2):  # the second pass reads what the first one kept
        for position in range(len(text)):
            expected = [s for s in sentences if s.start <= position and text.count("\n", s.start, position) == 0]
            found = finder.at(position)
            assert found == (expected[-1] if expected else found), position


def test_cue_lists_read_the_word_before_of_each_text_apart() -> None:
    from extract.lexicon import PhraseSet

    cues = PhraseSet(["khoảng", "hơn"], gap=r"\s+")
    first, second = "khoảng 5 người", "hơn ta 5 người"
    assert cues.phrase_before(first, 7) == "khoảng"
    assert cues.phrase_before(second, 7) is None  # same position, another text: "ta"
    assert cues.phrase_before(first, 7) == "khoảng"
