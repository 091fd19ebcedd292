"""flows.understanding.names: a person's name, title-cased the Brazilian way."""

from __future__ import annotations

import pytest

from flows.understanding.names import person_name, title_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maria da silva", "Maria da Silva"),
        ("JOÃO DOS SANTOS", "João dos Santos"),
        ("josé de souza e silva", "José de Souza e Silva"),
        ("ana", "Ana"),
        ("Jo", "Jo"),
        ("Maria-Clara souza", "Maria-Clara Souza"),
        ("joana d'arc", "Joana d'Arc"),
        ("o'neil", "O'Neil"),
        ("McArthur da costa", "McArthur da Costa"),
        ("Maria S.", "Maria S."),
        ("Maria Souza.", "Maria Souza"),
        ("  maria   souza  ", "Maria Souza"),
        ("meu nome é ana paula", "Ana Paula"),
        ("Me chamo Carlos Eduardo", "Carlos Eduardo"),
        ("sou a Fernanda", "Fernanda"),
        ("Da Silva", "Da Silva"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert person_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "x",
        "12345",
        "maria123",
        "maria_silva",
        "não sei",
        "tudo certo",
        "depois entro em contato",
        "valor",
        "quero marcar",
        "a" * 81,
        "Maria 🙂",
        "maria@silva.com",
        "",
        "..",
        "a.",
    ],
)
def test_not_names(text: str) -> None:
    assert person_name(text) is None


def test_title_name_lowercases_particles_after_the_first_word() -> None:
    assert title_name("DE SOUZA DA SILVA") == "De Souza da Silva"
