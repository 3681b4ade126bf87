"""The loss that knows the labels are votes, and Dieleman's parts: their networks train."""

import numpy as np
import pandas as pd
import pytest
from conftest import write_dataset
from scipy.special import gammaln

from galaxylib.course.checks.common import random_fractions
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.evaluation import load_model, predict_images
from galaxylib.models import tree_fractions
from galaxylib.taxonomy import COLUMNS, QUESTIONS, check_tree
from galaxylib.tools.train import train
from galaxylib.votes import VoteRMSE, dirichlet_multinomial, read_volunteers, vote_counts


def _counts(n_galaxies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    volunteers = rng.integers(10, 60, n_galaxies)
    return np.round(random_fractions(n_galaxies, rng) * volunteers[:, None]), volunteers


def test_the_loss_is_the_dirichlet_multinomial_likelihood_of_the_votes():
    counts, _ = _counts(5, 0)
    alpha = np.random.default_rng(1).uniform(1, 100, counts.shape)
    expected = np.zeros(len(counts))
    for q in QUESTIONS:  # log P(c | alpha) with the terms of the counts alone
        c, a = counts[:, q.columns], alpha[:, q.columns]
        n, s = c.sum(axis=1), a.sum(axis=1)
        log_p = gammaln(n + 1) - gammaln(c + 1).sum(axis=1)
        log_p += gammaln(s) - gammaln(n + s) + (gammaln(c + a) - gammaln(a)).sum(axis=1)
        expected -= log_p - (gammaln(n + 1) - gammaln(c + 1).sum(axis=1))
    loss = np.asarray(dirichlet_multinomial(counts.astype("float32"), alpha.astype("float32")))
    np.testing.assert_allclose(loss, expected, rtol=1e-4)
    # concentrations that follow the votes explain them better than the same values shuffled
    following = (counts + 1) * 3
    shuffled = following[:, np.random.default_rng(2).permutation(len(COLUMNS))]
    as_f32 = [x.astype("float32") for x in (counts, following, shuffled)]
    assert np.all(
        np.asarray(dirichlet_multinomial(as_f32[0], as_f32[1]))
        < np.asarray(dirichlet_multinomial(as_f32[0], as_f32[2]))
    )


def test_the_metric_is_the_rmse_of_the_fractions_both_sides_mean():
    counts, volunteers = _counts(8, 3)
    alpha = np.random.default_rng(4).uniform(1, 100, counts.shape).astype("float32")
    metric = VoteRMSE()
    metric.update_state(counts.astype("float32"), alpha)
    fractions = np.asarray(tree_fractions(alpha))
    # Q1's answers add up to everyone who voted
    np.testing.assert_allclose(counts[:, QUESTIONS[0].columns].sum(axis=1), volunteers, atol=1e-6)
    expected = np.sqrt(np.mean((counts / volunteers[:, None] - fractions) ** 2))
    assert float(metric.result()) == pytest.approx(expected, rel=1e-5)


def test_votes_are_the_fractions_times_the_volunteers(tmp_path):
    labels = pd.DataFrame(random_fractions(3, np.random.default_rng(5)), columns=list(COLUMNS))
    labels.insert(0, "GalaxyID", [10, 20, 30])
    table = tmp_path / "truth.csv"
    pd.DataFrame({"GalaxyID": [30, 10, 20], "n_volunteers": [5, 40, 12], "kind": "x"}).to_csv(
        table, index=False
    )
    counts = vote_counts(labels, read_volunteers(table))
    np.testing.assert_allclose(counts.loc[1, list(COLUMNS)], labels.loc[1, list(COLUMNS)] * 12)
    assert counts["GalaxyID"].tolist() == [10, 20, 30]
    with pytest.raises(DataError, match="No volunteer count for galaxy 30"):
        vote_counts(labels, read_volunteers(table).drop(30))
    pd.DataFrame({"GalaxyID": [1], "volunteers": [3]}).to_csv(table, index=False)
    with pytest.raises(DataError, match="is not a table of GalaxyID and n_volunteers"):
        read_volunteers(table)


def test_a_network_trained_on_the_votes_answers_tree_consistent_fractions(tmp_path):
    root = tmp_path / "data"
    labels = write_dataset(root, 40, seed=6)
    volunteers = tmp_path / "volunteers.csv"
    pd.DataFrame({"GalaxyID": labels["GalaxyID"], "n_volunteers": 30}).to_csv(
        volunteers, index=False
    )
    out = tmp_path / "votes.keras"
    options = {"out": out, "epochs": 1, "size": 32, "batch_size": 16, "workers": 1, "verbose": 0}
    with pytest.raises(GalaxyLibError, match="needs --volunteers TABLE"):
        train(root, output="votes", **options)
    train(root, output="votes", volunteers=volunteers, **options)
    trained = load_model(out)
    assert trained.settings["output"] == "votes"
    images = np.random.default_rng(7).integers(0, 255, (4, 32, 32, 3), dtype=np.uint8)
    assert check_tree(predict_images(trained, images, tta=False)).empty


def test_parts_put_dielemans_corners_in_the_improved_network_and_only_when_asked(tmp_path):
    from galaxylib.models import Parts

    root = tmp_path / "data"
    write_dataset(root, 40, seed=8)
    options = {"epochs": 1, "size": 32, "batch_size": 16, "workers": 1, "verbose": 0}
    for parts in (True, False):
        out = tmp_path / f"parts-{parts}.keras"
        train(root, parts=parts, out=out, **options)
        trained = load_model(out)
        assert any(isinstance(layer, Parts) for layer in trained.net.layers) == parts
        assert trained.settings.get("parts", False) == parts
