"""The candidates' formula (SPEC 2.14): weighted figures, shown with what each added."""

from app.domain.evaluation.ranking import INDIVIDUAL_WEIGHTS, UNIT_WEIGHTS, rank, score


def test_the_score_is_the_sum_of_weighted_figures_and_shows_each_part():
    figures = {"presided": 2, "resolved": 1, "resolution_rate": 0.5, "satisfaction_average": None}
    total, parts = score(figures, INDIVIDUAL_WEIGHTS)
    assert parts["presided"] == 2 * INDIVIDUAL_WEIGHTS["presided"]
    assert parts["resolution_rate"] == 0.5 * INDIVIDUAL_WEIGHTS["resolution_rate"]
    assert parts["satisfaction_average"] == 0  # no value adds nothing
    assert set(parts) == set(INDIVIDUAL_WEIGHTS)
    assert total == sum(parts.values())


def test_earlier_honours_are_shown_but_not_scored():
    assert score({"earlier_honours": 3}, INDIVIDUAL_WEIGHTS)[0] == 0


def test_best_first_and_ties_by_name():
    ranked = rank(
        [
            ("b", "乙", {"presided": 1}),
            ("a", "甲", {"presided": 1}),
            ("c", "丙", {"presided": 2}),
            ("d", "丁", {}),
        ],
        INDIVIDUAL_WEIGHTS,
    )
    assert (ranked[0].key, ranked[-1].key) == ("c", "d")
    tied = [c for c in ranked if c.score == INDIVIDUAL_WEIGHTS["presided"]]
    assert [c.name for c in tied] == sorted(c.name for c in tied)


def test_a_unit_that_keeps_its_pool_and_resolves_inside_ranks_first():
    ranked = rank(
        [
            ("x", "X局", {"pool_compliant": 0, "resolved_inside_share": 0.2}),
            ("y", "Y局", {"pool_compliant": 1, "resolved_inside_share": 0.8}),
        ],
        UNIT_WEIGHTS,
    )
    assert [c.key for c in ranked] == ["y", "x"]
