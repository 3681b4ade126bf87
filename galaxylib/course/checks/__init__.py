"""The checks that close every exercise, one module per chapter as in ``solutions/``.

Each ``check_...`` function takes the student's answer (a value, or a function it then
calls on hidden cases), prints ``Correct!`` when it is right, and otherwise raises
:class:`CheckFailed` with one sentence, numbered by its exercise, that says what is
wrong -- a shape, a value on a hidden case, a broken constraint -- without giving the
answer away. In Jupyter, Colab and nbclient the sentence is all a failed check shows.
"""

from galaxylib.course.checks.benchmarks import (
    check_central_pixel,
    check_levels_choice,
    check_mean_baseline_reading,
    check_rmse,
    check_split,
)
from galaxylib.course.checks.cnn import (
    check_budget_choice,
    check_cnn_budget,
    check_output_size,
    check_param_counts,
    check_summary_reading,
    check_tree_output,
)
from galaxylib.course.checks.common import CheckFailed
from galaxylib.course.checks.eda import (
    check_clean_sample,
    check_majority_summary,
    check_mean_confidence_reading,
    check_per_question,
    check_tree_violations,
)
from galaxylib.course.checks.evaluation import (
    check_alpha_choice,
    check_noise_floor,
    check_rmse_per_question,
    check_skill_reading,
    check_worst_galaxies,
)
from galaxylib.course.checks.preprocessing import (
    check_centred_crop,
    check_largest_box,
    check_offset,
    check_report_square,
    check_threshold_choice,
)
from galaxylib.course.checks.training import (
    check_callbacks,
    check_pipeline,
    check_rate_choice,
    check_training_time,
)

__all__ = [
    "CheckFailed",
    "check_alpha_choice",
    "check_budget_choice",
    "check_callbacks",
    "check_central_pixel",
    "check_centred_crop",
    "check_clean_sample",
    "check_cnn_budget",
    "check_largest_box",
    "check_levels_choice",
    "check_majority_summary",
    "check_mean_baseline_reading",
    "check_mean_confidence_reading",
    "check_noise_floor",
    "check_offset",
    "check_output_size",
    "check_param_counts",
    "check_per_question",
    "check_pipeline",
    "check_rate_choice",
    "check_report_square",
    "check_threshold_choice",
    "check_rmse",
    "check_rmse_per_question",
    "check_skill_reading",
    "check_split",
    "check_summary_reading",
    "check_training_time",
    "check_tree_output",
    "check_tree_violations",
    "check_worst_galaxies",
]
