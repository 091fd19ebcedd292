"""A person's name as typed when asked "Qual o seu nome?"."""

from __future__ import annotations

import re

from bot.core.folding import fold
from flows.understanding.text import word_set

_INTRO = re.compile(
    r"^(?:meu nome (?:completo )?(?:é|e|eh)|me chamo|eu me chamo|eu sou (?:o|a)|sou (?:o|a)"
    r"|nome\s*:|nome (?:é|e))\s+",
    re.IGNORECASE,
)
# Letters, with single spaces, apostrophes, hyphens or dots between them; no digits.
_NAME_SHAPE = re.compile(r"[^\W\d_]+(?:(?:[ '’\-]|\. ?)[^\W\d_]+)*\.?")
_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "du", "del", "van", "von"})
# Chat words that never occur in a name: "não sei" or "tudo certo" is not a person.
_NOT_NAME_WORDS = word_set(
    """
    nao sim sei quero queria preciso pode posso podem ok oi ola obrigado obrigada tudo bem bom
    boa dia tarde noite meu minha nome sou eu que qual como onde quando quem porque por favor
    voce vc tchau valeu consulta horario agendar marcar cancelar remarcar hoje amanha semana
    menu voltar humano atendente mais opcao aqui ai la isso esse essa este esta ta to tou
    estou gostaria tenho ter tem temos vou vai ir com sem para pra pro um uma uns umas no na
    nos nas os as em ate depois antes so tambem muito pouco mal se mas ou nem ja ainda sempre
    nunca pois entao certo claro beleza blz tipo agora nada nenhum alguem pessoa ajuda duvida
    convenio particular plano unidade exame retorno cpf telefone whats email endereco valor
    preco custa fica entro contato falar ligar ver saber aceita aceitam obg vlw kkk rs haha
    """
)
_WORD_BREAK = re.compile(r"[\s.'’\-]+")
_ENDS_WITH_INITIAL = re.compile(r"(?:^|\s)[^\W\d_]\.$")
_MIN_LETTERS = 2
_MAX_CHARS = 80


def _title_word(word: str, first: bool) -> str:
    """Capitalise one word; keep a mixed-case spelling ("McArthur") as the person wrote it."""
    if not first and word.lower() in _PARTICLES:
        return word.lower()
    if word != word.lower() and word != word.upper():
        return word
    if "'" in word or "’" in word:
        mark = "'" if "'" in word else "’"
        head, _, tail = word.partition(mark)
        head = head.lower() if head.lower() == "d" and not first else head.capitalize()
        return f"{head}{mark}{tail.capitalize()}"
    return "-".join(part.capitalize() for part in word.split("-"))


def title_name(name: str) -> str:
    """Title-case a name the Brazilian way: "maria da silva" -> "Maria da Silva"."""
    words = name.split()
    return " ".join(_title_word(word, index == 0) for index, word in enumerate(words))


def person_name(raw: str) -> str | None:
    """The message as a person's name when it plausibly is one, title-cased, else None."""
    text = " ".join(_INTRO.sub("", raw.strip(), count=1).split())
    if not (_MIN_LETTERS <= len(text) <= _MAX_CHARS) or not _NAME_SHAPE.fullmatch(text):
        return None
    if sum(ch.isalpha() for ch in text) < _MIN_LETTERS:
        return None
    words = _WORD_BREAK.split(fold(text))
    if any(word in _NOT_NAME_WORDS for word in words if word not in _PARTICLES):
        return None
    # A closing full stop ends the sentence, unless it marks an initial ("Maria S.").
    if text.endswith(".") and not _ENDS_WITH_INITIAL.search(text):
        text = text[:-1]
    return title_name(text)
