"""Check-your-understanding questions: the question bank, the quiz widgets, the results receipt,
the instructor answer key and the LMS exports. Split along the layers:

:mod:`~clonaedu.quiz.answers`   reading a typed number and its unit
:mod:`~clonaedu.quiz.model`     questions, checking, option order, loading and validating the bank
                                (``data/questions.csv`` + ``question_meta.csv`` + ``question_feedback.csv``)
:mod:`~clonaedu.quiz.receipt`   the student's results file (JSON and printable HTML)
:mod:`~clonaedu.quiz.stats`     bank statistics (answer positions, longest-option rate, levels, use)
:mod:`~clonaedu.quiz.widgets`   :func:`question`, :func:`ask`, :func:`self_check`, :class:`ScoreSummary`
:mod:`~clonaedu.quiz.key`       the instructor answer key (``clonaedu answers``)
:mod:`~clonaedu.quiz.lms`       Canvas QTI and Moodle XML (``clonaedu questions --format``)

Notebooks use ``from clonaedu import quiz`` and ``quiz.ask("q02-plasma-peak", score=score)``.

Educational material, not medical advice.
"""

from .answers import UNITS, UnreadableAnswer, normalise_unit, parse_answer
from .model import (CHOICE_KINDS, CONTENT_NOTEBOOKS, KINDS, LEVELS, NOTEBOOK_TITLES, SKILLS, Bank, Question,
                   QuestionError, Result, bank, draw, notebook_number)
from .key import answer_key_html
from .widgets import QuestionWidget, Quiz, ScoreSummary, ask, question, self_check

__all__ = [
    "KINDS", "CHOICE_KINDS", "SKILLS", "LEVELS", "NOTEBOOK_TITLES", "CONTENT_NOTEBOOKS", "UNITS",
    "QuestionError", "Question", "Result", "Bank", "bank", "draw", "notebook_number", "parse_answer", "normalise_unit",
    "UnreadableAnswer", "QuestionWidget", "Quiz", "ScoreSummary", "question", "ask", "self_check",
    "answer_key_html",
]
