"""What stock nbgrader runs with this course's settings: nbgrader's own autograde steps, its
Execute step without nbclient's stand-in for the Output widget.

nbclient answers every output of an Output widget with a comm message to the kernel. With the
lessons' plotting widgets that traffic can deadlock: stock `nbgrader autograde` of lesson 02
waited in its widget cell (`activation_explorer()`), kernel idle, until the cell timeout (600
s, the longest assignment's) ran out. Grading needs no widget state, and nncourse's own kernel
client runs without the stand-in too (autograder/kernel.py). The repository's
nbgrader_config.py and every workspace's give autograde these steps.
"""
from nbgrader.preprocessors import Execute


class ExecuteWithoutOutputWidget(Execute):
    """nbgrader's Execute; a widget's outputs stay ordinary outputs of its cell."""

    def on_comm_open_jupyter_widget(self, msg):
        return None


def autograde_steps():
    """nbgrader's autograde preprocessors, in its order, with ``ExecuteWithoutOutputWidget`` for Execute."""
    from nbgrader.converters.autograde import Autograde
    return [f"{__name__}.{ExecuteWithoutOutputWidget.__name__}" if step is Execute else step
            for step in Autograde.class_traits()["autograde_preprocessors"].default()]
