"""Chapter 7's ablation: each row an idea, trained by the project's own command on one sky."""

import shlex

from build_tools import ablation
from galaxylib.tools.cli import _parser


def test_every_row_adds_to_an_earlier_row_and_names_its_network_once():
    names = [row.name for row in ablation.ROWS]
    assert len(set(names)) == len(names)
    for i, row in enumerate(ablation.ROWS):
        assert row.against is None if i == 0 else row.against in names[:i]
    models = {}
    for row in ablation.ROWS:  # two rows that score one network train it the same way
        assert models.setdefault(row.model, row.flags) == row.flags


def test_the_commands_are_the_command_lines_and_make_the_sky_first():
    runs = ablation.commands()
    assert shlex.join(runs[0]) == "galaxylib synth --out sky --n 12000 --seed 8"
    assert len(runs) == 1 + len({row.model for row in ablation.ROWS})
    parser = _parser()
    for run in runs:
        assert run[0] == "galaxylib"
        parser.parse_args(run[1:])  # a flag the command line does not take fails here
    outs = [run[run.index("--out") + 1] for run in runs[1:]]
    assert len(set(outs)) == len(outs)
