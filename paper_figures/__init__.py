"""The paper's figures, regenerated from the theory evaluators and the stored simulations.

Command line::

    python -m paper_figures list                         # the figures, their references, sweeps
    python -m paper_figures all --profile quick --out out/figures
    python -m paper_figures figure1 figure2 --profile paper --no-simulate
    python -m paper_figures explorer --out out/explorer   # the interactive page (explorer/)

For each figure ``NAME`` the output folder receives ``NAME.pdf``, ``NAME.png``, one
``NAME.TABLE.csv`` per table of plotted numbers and ``NAME.caption.md`` (title, paper reference,
caption, the decisions and uncertainties, provenance: profile, grid, seed, device); ``index.md``
shows every figure made so far with its caption. Missing simulations are run through
:mod:`fate_numeric` after a line on stderr that says what they cost and where they run
(:mod:`paper_figures.costs`; a GPU is recommended for long CPU runs), with a progress bar; with
``--no-simulate`` the figures that lack them are skipped (the others are drawn) and the command
ends with exit status 3, printing the exact ``python -m fate_numeric sweep ...`` commands that
fill the store, each with its cost.

Writing a figure module (the interface)
---------------------------------------
A figure is a :class:`~paper_figures.core.Figure` made of two plain functions:

``data(ctx: Context) -> dict[str, Table]``
    Every number the figure plots, as named :class:`~paper_figures.core.Table` s (equal-length
    1-D columns; maps in long form, see ``Table.from_grid`` / ``Table.grid``). Each table is
    written to ``NAME.TABLE.csv``. Theory comes only from ``ctx.theory`` (the evaluators of
    :mod:`fate_numeric.theory`, lambdified from :mod:`derivations`; never retype a formula).
    Simulations come from the store: ``ctx.sweep("phase_diagram")`` gives ``[(Cell, arrays)]``
    for a named sweep of :mod:`fate_numeric.sweeps` at ``ctx.profile`` (``ctx.grid`` is that
    profile's grid: ``d``, ``instances``, ``gammas``, ``thetas()``); a figure that runs its own
    simulation (ReLU, dataset similarity) goes through
    ``ctx.stored(config, compute, command, cost)``, which loads ``config`` from the store or
    computes and stores it (or, with ``--no-simulate``, raises :class:`MissingSimulationError`
    quoting ``command`` and ``cost``, what the computation is). Seeds come from ``ctx.seed``;
    draw randomness from ``fate_numeric.numerics.generator`` / ``np.random.default_rng``, never
    global state.
    ``ctx.theory_points`` is the resolution of theory curves and maps at this profile.

``draw(tables: Mapping[str, Table]) -> matplotlib.figure.Figure``
    Reads nothing but the tables (so the CSVs are exactly what is plotted) and returns the
    figure; the runner applies the package style sheet (``paper_figures/fate.mplstyle``) around
    both steps, saves PDF and PNG and closes the figure. Shared drawing helpers (the authors'
    red-white-blue transferability colour map, phase maps with zero contours, residual maps in
    standard errors, slices with mean ± std error bars) are in :mod:`paper_figures.plots`;
    helpers that turn sweeps into tables are in :mod:`paper_figures.tables`.

A module ``paper_figures/figN_topic.py`` then ends with::

    FIGURE = Figure(
        name="figure3",                # CLI name and file stem
        title="ReLU networks: ...",
        reference="Fig. 3",
        caption="What is drawn, in a few sentences (Markdown).",
        data=data,
        draw=draw,
        sweeps=(),                     # named fate_numeric sweeps that data() reads
        notes=("Where docs/paper.md marks this panel UNCERTAIN we ...",),
        grid=None,                     # or grid(ctx, tables) -> the provenance line of a
    )                                  # figure's own simulation grid (ReLU, W₁ estimates)

(or ``FIGURES = (...)`` for several) and is registered by one line in
:data:`paper_figures.registry.MODULES`. Tests check the tables (against the evaluators and the
stored simulations), not pixels; ``tests/paper_figures/conftest.py`` provides a tiny profile
(``ctx`` fixture: d = 20, 8 instances, store filled once per session). The smoke test
``tests/paper_figures/test_figure_render.py`` renders *every* registered figure on that profile
with simulation switched on, so a figure's data step must stay cheap when ``ctx.grid.d`` is
small.

The public API is ``__all__``: the interface above and :func:`~paper_figures.registry.figures`
(every registered figure, in order). They are imported on first use (:mod:`derivations.lazy`), so
``import paper_figures`` loads neither matplotlib nor torch.
"""

from derivations.lazy import exports

__all__ = ["Context", "Figure", "FigureError", "MissingSimulationError", "Table", "figures"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Context": "paper_figures.core",
        "Figure": "paper_figures.core",
        "FigureError": "paper_figures.core",
        "MissingSimulationError": "paper_figures.core",
        "Table": "paper_figures.core",
        "figures": "paper_figures.registry",
    },
)
