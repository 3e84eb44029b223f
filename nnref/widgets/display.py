"""Drawing for widget callbacks without pyplot's global state.

A callback may run on the kernel's main thread or, under ipykernel 7, on a subshell thread
while another callback draws: pyplot's figure registry and ``plt.show()`` are shared, so one
callback could show or close the other's half-drawn figure. That was the suspected cause of
lesson 09's mistake browser showing its bar chart without axes and its title cut (issue 16);
the browser suite never reproduced that, with this module or with the pyplot version before it
(tests/browser/README.md). A figure made with ``new_figure`` belongs to no registry;
``show_figure`` renders it to PNG and displays that, one callback at a time.
"""
import io
import threading

_DRAWING = threading.Lock()


def blank_figure(figsize=None):
    """A Figure outside pyplot (no global figure list), without axes: for a grid of its own."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def new_figure(nrows=1, ncols=1, figsize=None, **subplot_kw):
    """(fig, axes) like ``plt.subplots``, but outside pyplot (no global figure list)."""
    fig = blank_figure(figsize)
    return fig, fig.subplots(nrows, ncols, **subplot_kw)


def figure_png(fig, dpi=100):
    """The figure as PNG bytes, cropped to what is drawn (as the inline backend does)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def show_figure(fig):
    """Display ``fig`` as a PNG in the current output (a widget's Output when inside one).
    Returns the PNG, for a widget to show again with ``show_png`` without drawing again."""
    with _DRAWING:
        png = figure_png(fig)
    show_png(png)
    return png


def show_png(png):
    """Display PNG bytes in the current output, as ``show_figure`` does."""
    from IPython.display import Image, display

    display(Image(data=png, format="png"))


def needs(namespace, names, then):
    """True when every name in ``names`` is defined in ``namespace`` (a notebook's globals());
    else prints which are missing and ``then``, what the student runs first, and returns False.

    A release notebook's Run All goes on past unanswered exercises, so a widget built on the
    student's results says what it waits for instead of raising a NameError.
    """
    missing = [name for name in names if name not in namespace]
    if missing:
        print(f"This widget needs {', '.join(missing)}, which {then}. Come back and run this "
              f"cell again when that cell has run without an error.")
    return not missing


# Printed text of a widget is wrapped at spaces to this width: a longer line in the notebook's
# output wraps anywhere, even in the middle of a word or a number.
TEXT_WIDTH = 88


def wrap_text(text, width=TEXT_WIDTH):
    """``text`` with every line longer than ``width`` broken at spaces."""
    import textwrap

    return "\n".join(textwrap.fill(line, width, subsequent_indent="  ") if len(line) > width else line
                     for line in text.splitlines())
