"""nncourse: release, self-check and grade this course's notebooks (nbgrader 0.9.6 format).

Grading is a pipeline of named steps (:mod:`autograder.pipeline`) run over a class by
:mod:`autograder.pool`; the command line (:mod:`autograder.cli`) wraps it for instructors and
students.
"""
import sys

# jsonschema (which nbformat imports) imports rfc3987_syntax whenever it is installed (jupyter's
# packages pull it in), and that module builds a parser as it is imported: one to two seconds in
# every process that reads a notebook, the grader's workers included, for IRI formats that no
# notebook schema uses. Marked absent, jsonschema does without it.
sys.modules.setdefault("rfc3987_syntax", None)
