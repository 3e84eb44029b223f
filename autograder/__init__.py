"""nncourse: release, self-check and grade this course's notebooks (nbgrader 0.9.6 format).

The grading engine (:mod:`autograder.engine`) runs in-process with nbclient; the command
line (:mod:`autograder.cli`) wraps it for instructors and students.
"""
